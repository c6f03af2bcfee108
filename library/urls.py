from django.urls import path

from library import api, views

api_urlpatterns = [
    path("", api.anime_collection, name="anime-list"),
    path("search", api.search, name="anime-search"),
    path("missing", api.missing, name="anime-missing"),
    path("scan", api.scan_state, name="anime-scan"),
    path("rescan", api.rescan_all, name="anime-rescan"),
    path("unmatched", api.unmatched, name="anime-unmatched"),
    path("unmatched/attach", api.attach, name="anime-attach"),
    path("unmatched/attach-confident", api.attach_confident, name="anime-attach-confident"),
    path("unmatched/import", api.start_import, name="anime-import"),
    path("<slug:key>", api.anime_detail, name="anime-detail"),
    path("<slug:key>/rescan", api.rescan_series, name="anime-rescan-series"),
    path("<slug:key>/rename", api.rename_files, name="anime-rename"),
]

page_urlpatterns = [
    path("library/", views.library_page, name="library"),
    path("library/add", views.add_dialog, name="library-add"),
    path("library/scan", views.scan_panel, name="library-scan"),
    path("library/unmatched", views.unmatched_panel, name="library-unmatched"),
    path("library/import", views.start_import, name="library-import"),
    path("series/<slug:key>/", views.series_page, name="series"),
    path("series/<slug:key>/cover", views.series_cover, name="series-cover"),
    path(
        "series/<slug:key>/season/<int:season>/refresh",
        views.refresh_season,
        name="series-season-refresh",
    ),
    path("series/<slug:key>/rename", views.rename_panel, name="series-rename"),
]
