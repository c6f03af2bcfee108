"""Who may reach what: rate limits, the setup redirect, login for pages, security headers."""

from __future__ import annotations

import logging
from urllib.parse import quote

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from accounts import api_key, owner
from accounts.ratelimit import ANONYMOUS_LIMIT, LOGIN_LIMIT, SETUP_LIMIT, hit
from accounts.revocation import RevocableJWTAuthentication
from aniworld.api import error_response
from aniworld.request_origin import client_address

log = logging.getLogger("aniworld.auth")

PUBLIC_API_PATHS = frozenset(
    {"/api/auth/status", "/api/auth/setup", "/api/auth/login", "/api/auth/refresh"}
)
# Pages and routes a visitor reaches without logging in. /feed/ checks the API key itself.
PUBLIC_PREFIXES = ("/login/", "/setup/", "/health", "/static/", "/favicon.ico", "/feed/")
# Where a password is tried, and the budget each counts against.
PASSWORD_LIMITS = {
    "/api/auth/login": LOGIN_LIMIT,
    "/login/": LOGIN_LIMIT,
    "/api/auth/password": LOGIN_LIMIT,
    "/account/master-password": LOGIN_LIMIT,
    "/api/auth/setup": SETUP_LIMIT,
    "/setup/": SETUP_LIMIT,
}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "connect-src 'self' ws: wss:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The DRF browsable API and the admin ship inline scripts of their own.
THIRD_PARTY_UI_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/api"


def routed(path: str) -> bool:
    """Whether a route answers ``path`` (an unknown one is a 404, set up or not)."""
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def authenticated_by_token(request) -> bool:
    """True when the request carries a valid JWT access token."""
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return False
    try:
        return RevocableJWTAuthentication().authenticate(request) is not None
    except (InvalidToken, TokenError):
        return False
    except Exception:  # a broken header must never break the request
        return False


def is_authenticated(request) -> bool:
    return (
        request.user.is_authenticated
        or authenticated_by_token(request)
        or (is_api(request.path) and api_key.is_valid(api_key.key_of(request)))
    )


def too_many_requests(request, retry_after: int) -> HttpResponse:
    log.warning(
        "rate limit exceeded by %s on %s %s", client_address(request), request.method, request.path
    )
    if is_api(request.path) or request.path.startswith("/health"):
        response = error_response(
            429,
            request,
            message=f"Too many requests; try again in {retry_after} seconds.",
            details={"retry_after": retry_after},
        )
    else:
        response = HttpResponse(
            f"Too many requests; try again in {retry_after} seconds.",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    response["Retry-After"] = str(retry_after)
    return response


class AccessMiddleware:
    """Runs after authentication: rate limits, then setup, then login for pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if request.method == "POST" and path in PASSWORD_LIMITS:
            wait = hit(PASSWORD_LIMITS[path], client_address(request))
            if wait:
                return too_many_requests(request, wait)
        authenticated = is_authenticated(request)
        if not authenticated:
            wait = hit(ANONYMOUS_LIMIT, client_address(request))
            if wait:
                return too_many_requests(request, wait)

        if not owner.is_configured():
            if path.startswith("/api/auth/") or path.startswith(("/health", "/static/", "/setup/")):
                return self.get_response(request)
            if is_api(path) and not routed(path):
                return self.get_response(request)  # the 404 in the error shape
            if is_api(path):
                return error_response(
                    409,
                    request,
                    code="SETUP_REQUIRED",
                    message="Aniworld is not set up yet: choose a master password first.",
                )
            return HttpResponseRedirect(reverse("setup"))

        if not authenticated and not is_api(path) and not path.startswith(PUBLIC_PREFIXES):
            return HttpResponseRedirect(f"{reverse('login')}?next={quote(request.get_full_path())}")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy, and secure cookies when served over HTTPS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        third_party = request.path.startswith("/admin/") or (
            is_api(request.path) and "html" in response.get("Content-Type", "")
        )
        response.setdefault(
            "Content-Security-Policy",
            THIRD_PARTY_UI_POLICY if third_party else CONTENT_SECURITY_POLICY,
        )
        if request.is_secure():
            for cookie in response.cookies.values():
                cookie["secure"] = True
        return response
