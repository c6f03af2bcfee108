from django.urls import path

from nfo import api, views

api_urlpatterns = [
    path("missing", api.missing, name="nfo-missing"),
    path("batch", api.batch, name="nfo-batch"),
    path("repair", api.repair, name="nfo-repair"),
    path("<slug:key>", api.nfo_detail, name="nfo-detail"),
    path("<slug:key>/content", api.content, name="nfo-content"),
]

page_urlpatterns = [
    path("series/<slug:key>/poster.jpg", views.poster, name="series-poster"),
    path("series/<slug:key>/nfo", views.series_panel, name="series-nfo"),
    path("library/nfo-batch", views.batch_panel, name="library-nfo-batch"),
]
