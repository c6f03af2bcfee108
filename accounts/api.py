"""/api/auth: setup, login (JWT), refresh, logout, status, password change."""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import UTC, datetime

from django.contrib.auth import logout as end_session
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import owner, revocation
from aniworld.api import validated
from aniworld.errors import AppError, ValidationFailed
from aniworld.request_origin import client_address

log = logging.getLogger("aniworld.auth")


class Unauthorized(AppError):
    status = 401
    code = "UNAUTHORIZED"


class SetupSerializer(serializers.Serializer):
    master_password = serializers.CharField(trim_whitespace=False, max_length=1024)
    anime_directory = serializers.CharField(required=False, allow_blank=True, max_length=4096)


class LoginSerializer(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False, max_length=1024)


class RefreshSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(max_length=4096)


class LogoutSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(required=False, max_length=4096)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(trim_whitespace=False, max_length=1024)
    new_password = serializers.CharField(trim_whitespace=False, max_length=1024)


TokenPairSerializer = inline_serializer(
    "TokenPair",
    {
        "access_token": serializers.CharField(),
        "refresh_token": serializers.CharField(),
        "token_type": serializers.CharField(),
        "expires_at": serializers.DateTimeField(),
    },
)
StatusSerializer = inline_serializer(
    "AuthStatus",
    {"configured": serializers.BooleanField(), "authenticated": serializers.BooleanField()},
)


def check_new_password(password: str, field: str) -> None:
    problems = owner.password_problems(password)
    if problems:
        raise ValidationFailed(
            "The password is too weak.", details={field: list(problems.values()), "rules": problems}
        )


def token_pair(user) -> dict:
    refresh = RefreshToken.for_user(user)
    # Precise to the microsecond, and copied into every access token refreshed from it.
    refresh[revocation.LOGIN_AT_CLAIM] = time.time()
    access = refresh.access_token
    return {
        "access_token": str(access),
        "refresh_token": str(refresh),
        "token_type": "bearer",
        "expires_at": datetime.fromtimestamp(access["exp"], tz=UTC).isoformat(),
    }


@extend_schema(request=SetupSerializer, responses={201: StatusSerializer})
@api_view(["POST"])
@permission_classes([AllowAny])
def setup(request):
    if owner.is_configured():
        raise owner.AlreadyConfigured("Aniworld is already set up.")
    data = validated(SetupSerializer, request)
    check_new_password(data["master_password"], "master_password")
    directory = data.get("anime_directory") or ""
    if directory:
        problem = owner.anime_directory_problem(directory)
        if problem:
            raise ValidationFailed(problem, details={"anime_directory": [problem]})
    owner.set_up(data["master_password"], anime_directory=directory or None)
    log.info("master password set up from %s", client_address(request))
    return Response({"configured": True, "authenticated": False}, status=status.HTTP_201_CREATED)


@extend_schema(request=LoginSerializer, responses={200: TokenPairSerializer})
@api_view(["POST"])
@permission_classes([AllowAny])
def login(request):
    data = validated(LoginSerializer, request)
    if not owner.verify_password(data["password"]):
        log.warning("auth failure: wrong master password from %s", client_address(request))
        raise Unauthorized("Wrong password.", code="INVALID_CREDENTIALS")
    log.info("login (token) from %s", client_address(request))
    return Response(token_pair(owner.owner_user()))


@extend_schema(
    request=RefreshSerializer,
    responses={200: inline_serializer("Refreshed", {"access_token": serializers.CharField()})},
)
@api_view(["POST"])
@permission_classes([AllowAny])
def refresh(request):
    data = validated(RefreshSerializer, request)
    try:
        token = RefreshToken(data["refresh_token"])
        if revocation.issued_before_revocation(token):
            raise TokenError("issued before the logins were revoked")
        access = token.access_token
    except TokenError:
        log.warning("auth failure: invalid refresh token from %s", client_address(request))
        raise Unauthorized("The refresh token is invalid, expired or revoked.") from None
    return Response(
        {
            "access_token": str(access),
            "token_type": "bearer",
            "expires_at": datetime.fromtimestamp(access["exp"], tz=UTC).isoformat(),
        }
    )


@extend_schema(request=LogoutSerializer, responses={200: StatusSerializer})
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def logout(request):
    data = validated(LogoutSerializer, request)
    if data.get("refresh_token"):
        # Already revoked or expired: the goal is reached either way.
        with contextlib.suppress(TokenError):
            RefreshToken(data["refresh_token"]).blacklist()
    end_session(request)
    return Response({"configured": True, "authenticated": False})


@extend_schema(responses={200: StatusSerializer})
@api_view(["GET"])
@permission_classes([AllowAny])
def auth_status(request):
    return Response(
        {
            "configured": owner.is_configured(),
            "authenticated": bool(request.user and request.user.is_authenticated),
        }
    )


@extend_schema(request=PasswordChangeSerializer, responses={200: StatusSerializer})
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def change_password(request):
    data = validated(PasswordChangeSerializer, request)
    if not owner.verify_password(data["old_password"]):
        log.warning("auth failure: wrong old password from %s", client_address(request))
        raise ValidationFailed(
            "The current password is wrong.", details={"old_password": ["Wrong password."]}
        )
    check_new_password(data["new_password"], "new_password")
    owner.set_master_password(data["new_password"])
    log.info("master password changed from %s", client_address(request))
    return Response({"configured": True, "authenticated": False})
