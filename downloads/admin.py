from django.contrib import admin, messages
from django.db import transaction

from aniworld.errors import Conflict
from downloads import queue
from downloads.models import DownloadItem, HosterAttempt, Status
from library import admin as library_admin
from library.models import Episode, Series


@admin.register(DownloadItem)
class DownloadItemAdmin(admin.ModelAdmin):
    list_display = [
        "episode",
        "status",
        "priority",
        "position",
        "hoster",
        "retry_count",
        "added_at",
    ]
    list_filter = ["status", "priority", "hoster"]
    search_fields = ["episode__series__name", "error", "file_path"]
    list_select_related = ["episode__series"]
    raw_id_fields = ["episode"]
    # Status changes only through the queue's state machine (the actions below).
    readonly_fields = ["status", "added_at", "started_at", "completed_at"]
    actions = ["retry", "cancel"]

    @admin.action(description="Retry the selected failed items")
    def retry(self, request, queryset):
        done, refused = 0, []
        for item in queryset.select_related("episode"):
            try:
                queue.retry(item)
                done += 1
            except Conflict as exc:
                refused.append(f"{item}: {exc.message}")
        self.message_user(request, f"{done} item(s) back in the queue.")
        if refused:
            self.message_user(request, " ".join(refused), level=messages.WARNING)

    @admin.action(description="Cancel the selected items")
    def cancel(self, request, queryset):
        done = sum(queue.transition(item.id, Status.CANCELLED) for item in queryset)
        self.message_user(request, f"{done} item(s) cancelled.")


@admin.register(HosterAttempt)
class HosterAttemptAdmin(admin.ModelAdmin):
    list_display = ["at", "hoster", "succeeded", "error", "item"]
    list_filter = ["hoster", "succeeded"]
    search_fields = ["error"]
    raw_id_fields = ["item"]


# The library's admin knows nothing of downloads (layers point down): its series and
# episodes are registered again here, with the actions that queue them.


@admin.action(description="Queue the missing episodes of the selected series")
def queue_missing(modeladmin, request, queryset):
    added = 0
    with transaction.atomic():
        for series in queryset:
            added += len(queue.add_episodes(series, queue.missing_codes(series)).added)
    modeladmin.message_user(request, f"Queued {added} episode(s).")


@admin.action(description="Queue the selected episodes")
def queue_episodes(modeladmin, request, queryset):
    added = 0
    with transaction.atomic():
        for episode in queryset.filter(language_mask__gt=0).select_related("series"):
            result = queue.add_episodes(episode.series, [(episode.season, episode.number)])
            added += len(result.added)
    modeladmin.message_user(request, f"Queued {added} episode(s).")


class SeriesAdmin(library_admin.SeriesAdmin):
    actions = [*library_admin.SeriesAdmin.actions, queue_missing]


class EpisodeAdmin(library_admin.EpisodeAdmin):
    actions = [*library_admin.EpisodeAdmin.actions, queue_episodes]


for model, model_admin in ((Series, SeriesAdmin), (Episode, EpisodeAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
