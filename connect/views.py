"""The Settings page's "Media servers" and "Notifications" cards and the System page's
connect panel. Saving goes through the API's code (``config_changes.apply_change``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from aniworld import config
from aniworld.connect_section import MEDIA_SERVER_KINDS, NOTIFY_EVENTS
from aniworld.errors import AppError, ValidationFailed
from aniworld.htmx import toast
from connect import checks
from connect.forms import (
    FormProblem,
    format_path_map,
    index_from_post,
    notify_from_post,
    server_from_post,
)
from connect.media_servers import configured_servers
from connect.models import TargetStatus
from connect.tasks import NOTIFY_TARGET, media_target
from system import config_changes

EVENT_LABELS = {
    "download_completed": "A download completed",
    "download_failed": "A download failed (with the reasons)",
    "needs_attention": "A download needs you to pass a check by hand",
    "new_episodes": "New episodes were found and queued",
    "health": "A health check turned bad",
}


def _messages(exc: AppError) -> list[str]:
    if isinstance(exc, ValidationFailed) and exc.details:
        return [str(text) for texts in exc.details.values() for text in texts]
    return [exc.message]


def answer(request, template: str, context: dict, text: str, failed: bool):
    """The card again with a toast (htmx), or the page again with a message (no JavaScript)."""
    if not request.htmx:
        messages.add_message(request, messages.ERROR if failed else messages.SUCCESS, text)
        return redirect("connect-settings")
    return toast(render(request, template, context), text, "error" if failed else "success")


def servers_context(**extra) -> dict:
    connect = config.current()["connect"]
    servers = [
        {**server, "index": index, "path_map_text": format_path_map(server.get("path_map", []))}
        for index, server in enumerate(connect["media_servers"])
    ]
    return {"servers": servers, "kinds": MEDIA_SERVER_KINDS, "errors": [], "results": [], **extra}


def notify_context(**extra) -> dict:
    connect = config.current()["connect"]
    return {
        "notify_urls_text": "\n".join(connect["notify_urls"]),
        "notify_on": connect["notify_on"],
        "events": [(event, EVENT_LABELS[event]) for event in NOTIFY_EVENTS],
        "errors": [],
        "results": [],
        **extra,
    }


@login_required
@require_GET
def settings_panel(request):
    """Both cards, for the Settings page (which loads them with hx-get)."""
    context = {"media": servers_context(), "notify": notify_context()}
    if not request.htmx:
        return render(request, "connect/settings_page.html", context)
    return render(request, "connect/settings_panel.html", context)


@login_required
@require_POST
def media_servers_action(request):
    """Save (add or edit), remove or test one media server; answers the card again."""
    action = request.POST.get("action", "save")
    servers = config.current()["connect"]["media_servers"]
    errors, results, note = [], [], ""
    form_values = None
    try:
        index = index_from_post(request.POST, servers)
        if action == "test":
            results = checks.try_media_servers(servers[index]["name"] if index is not None else "")
            note = "; ".join(f"{r.name}: {r.message}" for r in results)
        elif action == "remove":
            if index is None:
                raise FormProblem("Choose a media server to remove.")
            removed = servers.pop(index)
            config_changes.apply_change({"connect": {"media_servers": servers}})
            note = f"Media server {removed['name']} removed."
        else:
            stored = servers[index] if index is not None else None
            form_values = server_from_post(request.POST, stored)
            if index is None:
                servers.append(form_values)
            else:
                servers[index] = form_values
            config_changes.apply_change({"connect": {"media_servers": servers}})
            note = f"Media server {form_values['name']} saved."
            form_values = None
    except FormProblem as exc:
        errors = [str(exc)]
    except AppError as exc:
        errors = _messages(exc)
    new = {}
    if form_values is not None:
        new = {**form_values, "path_map_text": format_path_map(form_values["path_map"])}
    context = servers_context(errors=errors, results=results, new=new)
    failed = bool(errors) or any(not result.ok for result in results)
    template = "connect/settings_panel.html#media-servers"
    return answer(request, template, {"media": context}, "; ".join(errors) or note, failed)


@login_required
@require_POST
def notifications_action(request):
    """Save the URLs and events, or send a test notification; answers the card again."""
    errors, results, note = [], [], ""
    values = notify_from_post(request.POST)
    keep_typed = False
    try:
        if request.POST.get("action") == "test":
            results = checks.try_notifications()
            note = "; ".join(f"{r.name}: {r.message}" for r in results)
        else:
            config_changes.apply_change({"connect": values})
            note = "Notification settings saved."
    except AppError as exc:
        errors = _messages(exc)
        keep_typed = request.POST.get("action") != "test"
    context = notify_context(errors=errors, results=results)
    if keep_typed:
        context.update(
            notify_urls_text="\n".join(values["notify_urls"]), notify_on=values["notify_on"]
        )
    failed = bool(errors) or any(not result.ok for result in results)
    template = "connect/settings_panel.html#notifications"
    return answer(request, template, {"notify": context}, "; ".join(errors) or note, failed)


@login_required
@require_GET
def system_panel(request):
    """Each media server's and the notifications' last result, for the System page."""
    statuses = {status.target: status for status in TargetStatus.objects.all()}
    servers = [
        {"server": server, "status": statuses.get(media_target(server.name))}
        for server in configured_servers()
    ]
    return render(
        request,
        "connect/system_panel.html",
        {"servers": servers, "notify": statuses.get(NOTIFY_TARGET)},
    )
