import json
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import close_old_connections
from rest_framework.test import APIClient

from accounts import owner
from aniworld import config

pytestmark = pytest.mark.django_db
STRONG = "Str0ng-Password"


@pytest.fixture
def anon():
    return APIClient()


def test_setup_stores_a_pbkdf2_hash_in_config_json_and_answers_201(anon):
    response = anon.post("/api/auth/setup", {"master_password": STRONG}, format="json")
    assert response.status_code == 201
    assert response.json() == {"configured": True, "authenticated": False}
    stored = json.loads(settings.ANIWORLD_CONFIG_FILE.read_text())["other"]["master_password_hash"]
    assert stored.startswith("pbkdf2_sha256$")
    assert STRONG not in settings.ANIWORLD_CONFIG_FILE.read_text()


def test_the_owner_user_matches_the_stored_hash_and_can_open_the_admin(anon, client):
    anon.post("/api/auth/setup", {"master_password": STRONG}, format="json")
    user = owner.owner_user()
    assert user.check_password(STRONG)
    assert user.is_superuser
    client.post("/login/", {"password": STRONG})
    assert client.get("/admin/").status_code == 200


def test_setup_is_refused_with_409_once_a_password_exists(anon):
    anon.post("/api/auth/setup", {"master_password": STRONG}, format="json")
    response = anon.post("/api/auth/setup", {"master_password": "Other-Passw0rd"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "ALREADY_CONFIGURED"
    assert owner.verify_password(STRONG)


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Sh0rt-x", "min_length"),
        ("no-upper-case-1", "uppercase"),
        ("NO-LOWER-CASE-1", "lowercase"),
        ("No-Digits-Here", "digit"),
        ("NoSpecial1234", "special"),
    ],
)
def test_each_password_rule_is_named_in_a_422(anon, password, rule):
    response = anon.post("/api/auth/setup", {"master_password": password}, format="json")
    assert response.status_code == 422
    assert list(response.json()["details"]["rules"]) == [rule]
    assert not owner.is_configured()


def test_every_broken_rule_is_listed_at_once(anon):
    response = anon.post("/api/auth/setup", {"master_password": "abc"}, format="json")
    assert set(response.json()["details"]["rules"]) == {
        "min_length",
        "uppercase",
        "digit",
        "special",
    }


def test_a_given_library_directory_is_created_and_stored(anon, tmp_path):
    target = tmp_path / "new" / "anime"
    response = anon.post(
        "/api/auth/setup",
        {"master_password": STRONG, "anime_directory": str(target)},
        format="json",
    )
    assert response.status_code == 201
    assert target.is_dir()
    saved = json.loads(settings.ANIWORLD_CONFIG_FILE.read_text())["other"]["anime_directory"]
    assert saved == str(target)


@pytest.mark.parametrize("directory", ["relative/path", "/proc/not-creatable/anime"])
def test_an_unusable_library_directory_is_a_422_with_the_reason(anon, directory):
    response = anon.post(
        "/api/auth/setup",
        {"master_password": STRONG, "anime_directory": directory},
        format="json",
    )
    assert response.status_code == 422
    assert response.json()["details"]["anime_directory"]
    assert not owner.is_configured()


def test_a_file_in_place_of_the_library_directory_is_refused(anon, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    response = anon.post(
        "/api/auth/setup",
        {"master_password": STRONG, "anime_directory": str(blocker)},
        format="json",
    )
    assert response.status_code == 422


@pytest.mark.django_db(transaction=True)
def test_of_parallel_setups_exactly_one_wins_and_its_password_is_the_one_that_works():
    passwords = [f"Str0ng-Password-{n}" for n in range(12)]
    start = threading.Barrier(len(passwords))

    def set_up(password):
        start.wait()
        try:
            owner.set_up(password)
            return password
        except owner.AlreadyConfigured:
            return None
        finally:
            close_old_connections()

    with ThreadPoolExecutor(len(passwords)) as pool:
        winners = [p for p in pool.map(set_up, passwords) if p]
    assert len(winners) == 1
    assert [p for p in passwords if owner.verify_password(p)] == winners


def test_a_setup_that_finds_a_password_stored_meanwhile_is_a_409_and_changes_nothing(anon):
    # The first check passed (no password yet); another process stores one before the write.
    config_store = config.store()
    real_update = config_store.update

    def update_after_another_setup(patch, **kwargs):
        real_update({"other": {"master_password_hash": make_password("Other-Passw0rd")}})
        return real_update(patch, **kwargs)

    with mock.patch.object(config_store, "update", update_after_another_setup):
        response = anon.post("/api/auth/setup", {"master_password": STRONG}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "ALREADY_CONFIGURED"
    assert owner.verify_password("Other-Passw0rd")
    assert not owner.verify_password(STRONG)


def test_a_library_directory_inside_the_temp_dir_is_refused(anon):
    inside = settings.TEMP_DIR / "anime"
    response = anon.post(
        "/api/auth/setup",
        {"master_password": STRONG, "anime_directory": str(inside)},
        format="json",
    )
    assert response.status_code == 422
    (reason,) = response.json()["details"]["anime_directory"]
    assert reason.startswith(f"The library directory overlaps the temp dir {settings.TEMP_DIR}")
    assert not inside.exists()
    assert not owner.is_configured()
