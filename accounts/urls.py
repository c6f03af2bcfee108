from django.urls import path

from accounts import api, views

api_urlpatterns = [
    path("status", api.auth_status, name="auth-status"),
    path("setup", api.setup, name="auth-setup"),
    path("login", api.login, name="auth-login"),
    path("refresh", api.refresh, name="auth-refresh"),
    path("logout", api.logout, name="auth-logout"),
    path("password", api.change_password, name="auth-password"),
]

page_urlpatterns = [
    path("setup/", views.setup_page, name="setup"),
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_page, name="logout"),
    path("account/master-password", views.change_master_password, name="master-password"),
]
