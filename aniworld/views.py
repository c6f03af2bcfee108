from django.shortcuts import redirect, render
from django.views.defaults import page_not_found
from django.views.defaults import server_error as defaults_server_error


def home(request):
    return redirect("/library/")


def not_found(request, exception):
    return page_not_found(request, exception, template_name="errors/404.html")


def server_error(request):
    return defaults_server_error(request, template_name="errors/500.html")


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
