from django.urls import path

from connect import api, views

api_urlpatterns = [path("test", api.test_targets, name="connect-test")]

page_urlpatterns = [
    path("settings/connect/", views.settings_panel, name="connect-settings"),
    path("settings/connect/servers", views.media_servers_action, name="connect-servers"),
    path("settings/connect/notify", views.notifications_action, name="connect-notify"),
    path("system/connect", views.system_panel, name="connect-system"),
]
