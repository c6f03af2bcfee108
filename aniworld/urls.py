from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, reverse
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.urls import api_urlpatterns as auth_api
from accounts.urls import page_urlpatterns as auth_pages
from aniworld import views
from connect.urls import api_urlpatterns as connect_api
from connect.urls import page_urlpatterns as connect_pages
from downloads.urls import api_urlpatterns as queue_api
from downloads.urls import hosters_api_urlpatterns as hosters_api
from downloads.urls import page_urlpatterns as queue_pages
from episode_calendar.urls import api_urlpatterns as calendar_api
from episode_calendar.urls import page_urlpatterns as calendar_pages
from history.urls import api_urlpatterns as history_api
from history.urls import page_urlpatterns as history_pages
from library.urls import api_urlpatterns as anime_api
from library.urls import page_urlpatterns as library_pages
from nfo.urls import api_urlpatterns as nfo_api
from nfo.urls import page_urlpatterns as nfo_pages
from system import health
from system.settings_urls import api_urlpatterns as settings_api
from system.settings_urls import page_urlpatterns as settings_pages


def admin_login(request):
    """The admin uses our login page (one owner, one password)."""
    next_url = request.GET.get("next", reverse("admin:index"))
    return redirect(f"{reverse('login')}?next={next_url}")


def admin_password_change(request):
    """The password that logs in is the master password, changed on the Settings page."""
    return redirect(f"{reverse('settings')}#section-master-password")


urlpatterns = [
    path("", views.home, name="home"),
    # Pages that name no icon (the browsable API, the admin) make browsers ask for this.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("health", health.health, name="health"),
    path("health/detailed", health.health_detailed, name="health-detailed"),
    path("api/", views.api_root, name="api-root"),
    path("api/auth/", include(auth_api)),
    path("api/anime/", include(anime_api)),
    path("api/queue/", include(queue_api)),
    path("api/", include(hosters_api)),
    path("api/", include(settings_api)),
    path("api/nfo/", include(nfo_api)),
    path("api/connect/", include(connect_api)),
    path("api/history", include(history_api)),
    path("api/", include(calendar_api)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/login/", admin_login),
    path("admin/password_change/", admin_password_change),
    path("admin/", admin.site.urls),
    *auth_pages,
    *library_pages,
    *queue_pages,
    *settings_pages,
    *nfo_pages,
    *connect_pages,
    *history_pages,
    *calendar_pages,
]

handler404 = "aniworld.views.not_found"
handler500 = "aniworld.views.server_error"
