"""Routes of the owner's settings, backups, schedules and system status (API and pages)."""

from django.urls import path

from system import settings_api, settings_views, status_views

api_urlpatterns = [
    path("config", settings_api.config_view, name="config"),
    path("config/validate", settings_api.validate_config, name="config-validate"),
    path("config/api-key", settings_api.regenerate_api_key, name="config-api-key"),
    path("config/backups", settings_api.backup_collection, name="config-backups"),
    path(
        "config/backups/<str:name>/restore",
        settings_api.restore_backup,
        name="config-backup-restore",
    ),
    path("config/backups/<str:name>", settings_api.delete_backup, name="config-backup"),
    path("scheduler", settings_api.scheduler_view, name="scheduler"),
    path("scheduler/run", settings_api.run_job, name="scheduler-run"),
]

page_urlpatterns = [
    path("settings/", settings_views.settings_page, name="settings"),
    path("settings/preview", settings_views.naming_preview, name="settings-preview"),
    path("settings/schedules", settings_views.schedule_panel, name="settings-schedules"),
    path("settings/backups", settings_views.backup_action, name="settings-backups"),
    path(
        "settings/backups/<str:name>/download",
        settings_views.download_backup,
        name="settings-backup-download",
    ),
    path("settings/<slug:section>", settings_views.save_section, name="settings-section"),
    path("system/", status_views.system_page, name="system"),
    path("system/logs", status_views.logs_page, name="system-logs"),
    path("system/logs/download", status_views.download_log, name="system-logs-download"),
]
