"""The one owner of an installation and the master password that guards it.

The password hash lives in ``data/config.json`` under
``other.master_password_hash`` (the seed's format). A Django user named
``owner`` mirrors it, so sessions, JWTs and the admin site work as usual;
``set_master_password`` keeps both in step. Changing the password revokes
every login (``revoke_all_logins``): refresh tokens (blacklist), sessions,
access tokens (issued before the revocation time), open WebSockets.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.models import Session
from django.db import transaction
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import revocation
from aniworld import config
from aniworld.errors import Conflict
from aniworld.library_root import library_root_problem

log = logging.getLogger("aniworld.auth")

OWNER_USERNAME = "owner"
MIN_PASSWORD_LENGTH = 8

PASSWORD_RULES = (
    (
        "min_length",
        f"at least {MIN_PASSWORD_LENGTH} characters",
        lambda p: len(p) >= MIN_PASSWORD_LENGTH,
    ),
    ("uppercase", "an upper-case letter", lambda p: any(c.isupper() for c in p)),
    ("lowercase", "a lower-case letter", lambda p: any(c.islower() for c in p)),
    ("digit", "a digit", lambda p: any(c.isdigit() for c in p)),
    (
        "special",
        "a special character (not a letter or digit)",
        lambda p: bool(re.search(r"[^\w\s]|_", p)),
    ),
)


def password_problems(password: str) -> dict[str, str]:
    """Every rule the password breaks, as ``{rule: "needs …"}``."""
    return {
        rule: f"The password needs {description}."
        for rule, description, passes in PASSWORD_RULES
        if not passes(password)
    }


def stored_hash() -> str | None:
    return config.current()["other"]["master_password_hash"]


def is_configured() -> bool:
    return bool(stored_hash())


def verify_password(password: str) -> bool:
    hashed = stored_hash()
    return bool(hashed) and check_password(password, hashed)


def owner_user():
    """The Django user that stands for the owner, matching the stored hash."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=OWNER_USERNAME,
        defaults={"is_staff": True, "is_superuser": True},
    )
    hashed = stored_hash()
    if hashed and user.password != hashed:
        # config.json is the source of truth (it may have been restored or edited).
        user.password = hashed
        user.save(update_fields=["password"])
    return user


def anime_directory_problem(path: str) -> str | None:
    """Why ``path`` cannot be the library root, or None when it can."""
    if not path.strip():
        return "The library directory must not be empty."
    directory = Path(path).expanduser()
    if not directory.is_absolute():
        return "The library directory must be an absolute path."
    problem = library_root_problem(directory)
    if problem:
        return problem
    if not os.access(directory, os.W_OK | os.X_OK):
        return "The library directory is not writable."
    return None


class AlreadyConfigured(Conflict):
    code = "ALREADY_CONFIGURED"


def set_up(password: str, *, anime_directory: str | None = None) -> None:
    """The first master password. Stored only when none is, checked under the config
    file's lock: of two setups at once one wins, the other gets ``AlreadyConfigured``."""
    try:
        config.store().update(
            _password_patch(password, anime_directory),
            only_if=lambda raw: not (raw.get("other") or {}).get("master_password_hash"),
        )
    except config.UpdateRefused:
        raise AlreadyConfigured("Aniworld is already set up.") from None
    revoke_all_logins()


def set_master_password(password: str, *, anime_directory: str | None = None) -> None:
    """Store a new master password (and optionally the library root); revoke old logins."""
    config.store().update(_password_patch(password, anime_directory))
    revoke_all_logins()


def _password_patch(password: str, anime_directory: str | None) -> dict:
    other: dict[str, str] = {"master_password_hash": make_password(password)}
    if anime_directory:
        other["anime_directory"] = str(Path(anime_directory).expanduser())
    return {"other": other}


@transaction.atomic
def revoke_all_logins() -> None:
    """End every login: refresh tokens blacklisted, sessions deleted, access tokens
    issued until now refused (``revocation``), open WebSockets told to check theirs."""
    user = owner_user()
    for token in OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False):
        BlacklistedToken.objects.get_or_create(token=token)
    Session.objects.all().delete()
    revocation.record_now()
    transaction.on_commit(revocation.announce)
