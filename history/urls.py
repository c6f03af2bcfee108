from django.urls import path

from history import api, views

api_urlpatterns = [path("", api.history_list, name="history-api")]

page_urlpatterns = [
    path("history/", views.history_page, name="history"),
    path("history/series/<str:key>", views.series_panel, name="history-series"),
]
