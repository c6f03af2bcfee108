from django.conf import settings
from django.urls import reverse

# The primary navigation of base.html: (route name, label).
NAVIGATION = [
    ("library", "Library"),
    ("queue", "Queue"),
    ("wanted", "Wanted"),
    ("history", "History"),
    ("calendar", "Calendar"),
    ("settings", "Settings"),
    ("system", "System"),
]


def app(request):
    return {"app_version": settings.VERSION}


def navigation(request):
    """``nav_links``: each item's name, label and url, and ``under`` when the page's
    path lies below it (base.html marks that item, or the one a view names as ``nav``)."""
    links = []
    for name, label in NAVIGATION:
        url = reverse(name)
        links.append(
            {"name": name, "label": label, "url": url, "under": request.path.startswith(url)}
        )
    return {"nav_links": links}
