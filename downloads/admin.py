from django.contrib import admin

from downloads import queue
from downloads.models import DownloadItem, HosterAttempt, Status


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
        done = sum(queue.transition(item.id, Status.PENDING, error="") for item in queryset)
        if done:
            queue.wake_worker()
        self.message_user(request, f"{done} item(s) back in the queue.")

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
