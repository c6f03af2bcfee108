"""Settings → "Change master password": old + new, the strength rules, other logins revoked."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from rest_framework.test import APIClient

from accounts import owner
from conftest import OWNER_PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Another-Horse-7"
HTMX = {"HTTP_HX_REQUEST": "true"}


def change(client, old=OWNER_PASSWORD, new=NEW_PASSWORD, confirm=None, **extra):
    return client.post(
        "/account/master-password",
        {"old_password": old, "new_password": new, "confirm_password": confirm or new},
        **extra,
    )


def field_errors(response) -> dict[str, list[str]]:
    soup = BeautifulSoup(response.content, "html.parser")
    return {
        ul["id"].removeprefix("id_").removesuffix("_error"): [li.get_text() for li in ul("li")]
        for ul in soup.select("ul.field-error")
    }


def test_the_settings_page_has_the_change_master_password_card(owner_client):
    page = BeautifulSoup(owner_client.get("/settings/").content, "html.parser")
    card = page.select_one("#section-master-password")
    assert card.select_one("h2").get_text() == "Change master password"
    names = [field["name"] for field in card.select("input[type=password]")]
    assert names == ["old_password", "new_password", "confirm_password"]
    assert card.select_one("input[name=csrfmiddlewaretoken]")


def test_changing_it_keeps_this_browser_in_and_logs_every_other_login_out(owner_client, configured):
    other_browser = Client()
    other_browser.force_login(configured)
    tokens = APIClient().post("/api/auth/login", {"password": OWNER_PASSWORD}, format="json").json()

    response = change(owner_client, **HTMX)

    assert response.status_code == 200
    assert "Master password changed" in response["HX-Trigger"]
    assert owner.verify_password(NEW_PASSWORD)
    assert not owner.verify_password(OWNER_PASSWORD)
    assert owner_client.get("/settings/").status_code == 200
    assert other_browser.get("/settings/").status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert api.get("/api/anime/").status_code == 401
    refresh = {"refresh_token": tokens["refresh_token"]}
    assert APIClient().post("/api/auth/refresh", refresh, format="json").status_code == 401


def test_a_wrong_current_password_changes_nothing(owner_client):
    response = change(owner_client, old="Not-The-Passw0rd", **HTMX)
    assert field_errors(response) == {"old_password": ["The current password is wrong."]}
    assert owner.verify_password(OWNER_PASSWORD)


def test_a_weak_new_password_is_refused_with_every_rule_it_breaks(owner_client):
    response = change(owner_client, new="weak", **HTMX)
    errors = field_errors(response)["new_password"]
    assert "The password needs at least 8 characters." in errors
    assert "The password needs a digit." in errors
    assert owner.verify_password(OWNER_PASSWORD)


def test_the_new_password_must_be_typed_twice_the_same(owner_client):
    response = change(owner_client, confirm="Another-Horse-8", **HTMX)
    assert field_errors(response) == {"confirm_password": ["The two new passwords differ."]}
    assert owner.verify_password(OWNER_PASSWORD)


def test_without_javascript_a_change_redirects_back_to_the_card(owner_client):
    response = change(owner_client)
    assert response.status_code == 302
    assert response["Location"] == "/settings/#section-master-password"
    assert owner.verify_password(NEW_PASSWORD)


def test_without_javascript_a_refused_change_is_a_422_page_with_the_errors(owner_client):
    response = change(owner_client, old="Not-The-Passw0rd")
    assert response.status_code == 422
    assert field_errors(response) == {"old_password": ["The current password is wrong."]}


def test_the_card_needs_a_login(configured, client):
    assert change(client).status_code == 302
    assert owner.verify_password(OWNER_PASSWORD)


def test_the_admin_has_no_django_password_change_and_points_to_the_settings(owner_client):
    admin = owner_client.get("/admin/").content.decode()
    assert "/settings/#section-master-password" in admin
    assert "/admin/password_change/" not in admin
    assert "/admin/auth/user/" not in admin
    redirected = owner_client.get("/admin/password_change/")
    assert redirected["Location"] == "/settings/#section-master-password"
    assert owner_client.get("/admin/auth/user/1/password/").status_code == 404
