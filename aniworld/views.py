"""Site-wide views: the home redirect, the API root, error pages."""

from django.shortcuts import redirect, render
from django.views.defaults import page_not_found
from django.views.defaults import server_error as defaults_server_error
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.reverse import reverse


def home(request):
    return redirect("library")


# The browsable API's front page: where each part of the API starts.
API_SECTIONS = {
    "auth": "auth-status",
    "anime": "anime-list",
    "queue": "queue-status",
    "config": "config",
    "scheduler": "scheduler",
    "nfo": "nfo-missing",
    "schema": "api-schema",
    "docs": "api-docs",
}


@extend_schema(exclude=True)
@api_view(["GET"])
def api_root(request):
    return Response(
        {section: reverse(name, request=request) for section, name in API_SECTIONS.items()}
    )


def not_found(request, exception):
    return page_not_found(request, exception, template_name="errors/404.html")


def server_error(request):
    return defaults_server_error(request, template_name="errors/500.html")


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
