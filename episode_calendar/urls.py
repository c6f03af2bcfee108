from django.urls import path

from episode_calendar import api, views

api_urlpatterns = [path("calendar", api.calendar, name="calendar-api")]

page_urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
    path("feed/calendar.ics", views.calendar_feed, name="calendar-feed"),
    path("settings/api-key/regenerate", views.regenerate_api_key, name="settings-api-key"),
]
