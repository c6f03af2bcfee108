"""The library's models in the admin. The download actions on series and episodes
come from downloads/admin.py, which registers these classes again with them."""

from django.contrib import admin, messages

from library.models import Episode, ScanRun, Series
from library.sync import sync_series


class EpisodeInline(admin.TabularInline):
    model = Episode
    extra = 0
    fields = [
        "season",
        "number",
        "title",
        "title_en",
        "language_mask",
        "is_downloaded",
        "file_path",
    ]
    readonly_fields = ["file_path"]
    show_change_link = True


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "site", "year", "state", "refreshed_at"]
    list_filter = ["site", "state"]
    search_fields = ["name", "key", "folder", "imdb_id"]
    readonly_fields = ["created_at", "updated_at", "refreshed_at"]
    inlines = [EpisodeInline]
    actions = ["rescan"]

    @admin.action(description="Rescan the selected series (disk and index)")
    def rescan(self, request, queryset):
        for series in queryset:
            result = sync_series(series, remote=True)
            if result.error:
                self.message_user(request, f"{series}: {result.error}", messages.WARNING)
        self.message_user(request, f"Rescanned {queryset.count()} series.")


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ["series", "season", "number", "title", "is_downloaded", "downloaded_language"]
    list_filter = ["is_downloaded", "season", "series__site"]
    search_fields = ["series__name", "title", "title_en", "file_path"]
    list_select_related = ["series"]
    raw_id_fields = ["series"]


@admin.register(ScanRun)
class ScanRunAdmin(admin.ModelAdmin):
    list_display = ["id", "series_key", "status", "done", "total", "started_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ScanRun._meta.fields]

    def has_add_permission(self, request):
        return False
