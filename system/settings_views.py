"""The Settings page (HTMX): one form per section, checked and saved through the API's code."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import api_key
from aniworld.errors import AppError, ValidationFailed
from aniworld.htmx import STOP_POLLING, toast
from aniworld.models import Job
from library.naming import validate_template
from system import backups, config_changes, scheduler
from system.settings_forms import SECTIONS, SettingsForm


def page_context(forms: dict[str, SettingsForm] | None = None) -> dict:
    current = config_changes.public_config()
    forms = forms or {}
    return {
        "nav": "settings",
        "current": current,
        "forms": {name: forms.get(name) or form(current) for name, form in SECTIONS.items()},
        "schedules": scheduler.overview(),
        "backups": backups.list_backups(),
        "backup_error": "",
        "api_key": api_key.current_key(),
    }


@login_required
@require_GET
def settings_page(request):
    return render(request, "settings/settings.html", page_context())


@login_required
@require_POST
def save_section(request, section: str):
    """Save one section; errors come back inline, on the fields they concern."""
    form_class = SECTIONS.get(section)
    if form_class is None:
        raise Http404("No such settings section.")
    form = form_class(config_changes.public_config(), data=request.POST)
    saved = False
    if form.is_valid():
        try:
            config_changes.apply_change(form.to_change())
            saved = True
        except ValidationFailed as exc:
            form.show_errors(exc.details)
        except AppError as exc:
            form.add_error(None, exc.message)
    if saved:
        if not request.htmx:
            messages.success(request, f"{form.title} settings saved.")
            return redirect(f"{reverse('settings')}#section-{section}")
        form = form_class(config_changes.public_config())
    context = page_context({section: form})
    if not request.htmx:
        return render(request, "settings/settings.html", context, status=422)
    context.update(form=form, section=section)
    response = render(request, f"settings/settings.html#{section}", context)
    if saved:
        return toast(response, f"{form.title} settings saved.")
    return toast(response, "Some settings need fixing; see the marked fields.", "error")


@login_required
@require_POST
def naming_preview(request):
    """Example file names for the template being typed, or what is wrong with it."""
    template = request.POST.get("library-naming_template", "")
    padding = 3 if request.POST.get("library-episode_padding") == "3" else 2
    problems = validate_template(template)
    names = [] if problems else config_changes.naming_preview(template, padding)
    return render(request, "settings/naming_preview.html", {"names": names, "problems": problems})


@login_required
@require_http_methods(["GET", "POST"])
def schedule_panel(request):
    """The schedules with next and last run; POST runs a job now. Polls while one runs."""
    error = ""
    if request.method == "POST":
        try:
            scheduler.start_now(scheduler.parse_job(request.POST.get("job", Job.RESCAN)))
        except AppError as exc:
            error = exc.message
    overview = scheduler.overview()
    response = render(
        request, "settings/schedule_panel.html", {"schedules": overview, "error": error}
    )
    running = any(job["running"] for job in overview["jobs"])
    if request.method == "GET" and not running:
        response.status_code = STOP_POLLING
    return response


@login_required
@require_POST
def backup_action(request):
    """Create, restore or delete a backup; answers the refreshed backup list."""
    action, name = request.POST.get("action", ""), request.POST.get("name", "")
    error, note = "", ""
    try:
        if action == "create":
            note = f"Backup {backups.create_backup(reason='manual').name} created."
        elif action == "restore":
            database = request.POST.get("database") == "on"
            outcome = backups.restore_backup(name, with_database=database)
            config_changes.apply_side_effects()
            note = f"Restored {name}; the state before is in {outcome['safety_backup']}."
        elif action == "delete":
            backups.delete_backup(name)
            note = f"Backup {name} deleted."
        else:
            error = "Unknown action."
    except AppError as exc:
        error = exc.message
    response = render(
        request,
        "settings/backup_list.html",
        {"backups": backups.list_backups(), "backup_error": error},
    )
    if action == "restore" and not error:
        response["HX-Refresh"] = "true"  # every section shows restored values
    return toast(response, error or note, "error" if error else "success")


@login_required
@require_GET
def download_backup(request, name: str):
    try:
        path = backups.path_of(name)
    except AppError as exc:
        raise Http404(exc.message) from exc
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
