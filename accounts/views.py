"""The HTML side of accounts: setup, login and logout pages, the master password change
(HTMX forms)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import login as start_session
from django.contrib.auth import logout as end_session
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts import owner
from accounts.forms import MasterPasswordForm
from aniworld.htmx import toast
from aniworld.request_origin import client_address

log = logging.getLogger("aniworld.auth")


def safe_next(request) -> str:
    """The ``next`` target when it stays on this site; the start page otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def redirect(request, url: str) -> HttpResponse:
    """A redirect that also works for HTMX requests (which follow HX-Redirect)."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def form_page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    """The page with its errors; for HTMX only the form, as 200 so htmx swaps it in."""
    if request.htmx:
        return render(request, f"{template}#form", context)
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def setup_page(request):
    if owner.is_configured():
        return HttpResponseRedirect(reverse("login"))
    context = {"errors": {}, "anime_directory": ""}
    if request.method == "POST":
        password = request.POST.get("master_password", "")
        confirm = request.POST.get("confirm_password", "")
        directory = request.POST.get("anime_directory", "").strip()
        errors: dict[str, list[str]] = {}
        problems = list(owner.password_problems(password).values())
        if problems:
            errors["master_password"] = problems
        elif password != confirm:
            errors["confirm_password"] = ["The two passwords differ."]
        if directory:
            problem = owner.anime_directory_problem(directory)
            if problem:
                errors["anime_directory"] = [problem]
        if errors:
            context.update(errors=errors, anime_directory=directory)
            return form_page(request, "accounts/setup.html", context, status=422)
        try:
            owner.set_up(password, anime_directory=directory or None)
        except owner.AlreadyConfigured:
            return redirect(request, reverse("login"))
        log.info("master password set up from %s", client_address(request))
        # The person just chose the password: asking for it again at once helps nobody.
        start_session(request, owner.owner_user())
        return redirect(request, reverse("library"))
    return render(request, "accounts/setup.html", context)


@require_http_methods(["GET", "POST"])
def login_page(request):
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url)
    context = {"error": "", "next": next_url}
    if request.method == "POST":
        if owner.verify_password(request.POST.get("password", "")):
            start_session(request, owner.owner_user())
            log.info("login (session) from %s", client_address(request))
            return redirect(request, next_url)
        log.warning("auth failure: wrong master password from %s", client_address(request))
        context["error"] = "Wrong password."
        return form_page(request, "accounts/login.html", context, status=401)
    return render(request, "accounts/login.html", context)


@require_POST
def logout_page(request):
    end_session(request)
    return redirect(request, reverse("login"))


@login_required
@require_POST
def change_master_password(request):
    """The Settings page's card: every other login is revoked, this browser stays in."""
    form = MasterPasswordForm(request.POST)
    if not form.is_valid():
        if not request.htmx:
            return render(request, "accounts/master_password_page.html", {"form": form}, status=422)
        response = render(request, "accounts/master_password.html", {"form": form})
        return toast(
            response, "The master password was not changed; see the marked fields.", "error"
        )
    owner.set_master_password(form.cleaned_data["new_password"])
    start_session(request, owner.owner_user())
    log.info("master password changed (settings page) from %s", client_address(request))
    message = "Master password changed; every other login was logged out."
    if not request.htmx:
        messages.success(request, message)
        return HttpResponseRedirect(f"{reverse('settings')}#section-master-password")
    return toast(
        render(request, "accounts/master_password.html", {"form": MasterPasswordForm()}), message
    )
