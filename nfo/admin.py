from django.contrib import admin

from nfo.models import NfoState


@admin.register(NfoState)
class NfoStateAdmin(admin.ModelAdmin):
    list_display = ("series", "exists", "complete", "tmdb_id", "match_status", "updated_at")
    list_filter = ("exists", "complete", "match_status")
    search_fields = ("series__name", "series__key")
    list_select_related = ("series",)
