from django.contrib import admin

from history.models import HistoryEvent


@admin.register(HistoryEvent)
class HistoryEventAdmin(admin.ModelAdmin):
    list_display = ("at", "event", "series_key", "season", "episode", "language", "hoster")
    list_filter = ("event",)
    search_fields = ("series_key", "series_name", "message", "file_path")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
