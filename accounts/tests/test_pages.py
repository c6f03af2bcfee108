import pytest

from accounts import owner
from conftest import OWNER_PASSWORD

pytestmark = pytest.mark.django_db


def test_before_setup_every_page_redirects_to_setup(client):
    for page in ("/", "/library/", "/admin/", "/login/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"] == "/setup/"


def test_before_setup_the_api_answers_409_setup_required_except_auth(client):
    response = client.get("/api/schema/")
    assert response.status_code == 409
    assert response.json()["error"] == "SETUP_REQUIRED"
    assert client.get("/api/auth/status").json() == {"configured": False, "authenticated": False}


def test_the_setup_page_sets_the_password_and_logs_the_user_in(client):
    page = client.get("/setup/")
    assert page.status_code == 200
    assert b'name="master_password"' in page.content
    response = client.post(
        "/setup/", {"master_password": OWNER_PASSWORD, "confirm_password": OWNER_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/library/"
    assert owner.verify_password(OWNER_PASSWORD)
    assert client.get("/library/").status_code == 200


def test_an_htmx_setup_logs_the_user_in_and_sends_them_to_the_library(client):
    response = client.post(
        "/setup/",
        {"master_password": OWNER_PASSWORD, "confirm_password": OWNER_PASSWORD},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Redirect"] == "/library/"
    assert client.get("/api/auth/status").json() == {"configured": True, "authenticated": True}


def test_setup_errors_are_shown_inline_in_the_htmx_form(client):
    response = client.post(
        "/setup/",
        {"master_password": "weak", "confirm_password": "weak"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<form")
    assert "upper-case letter" in html
    assert not owner.is_configured()


def test_mismatched_passwords_are_refused(client):
    response = client.post(
        "/setup/", {"master_password": OWNER_PASSWORD, "confirm_password": OWNER_PASSWORD + "x"}
    )
    assert response.status_code == 422
    assert b"differ" in response.content


@pytest.mark.usefixtures("configured")
def test_after_setup_the_setup_page_redirects_to_login(client):
    response = client.get("/setup/")
    assert response["Location"] == "/login/"


@pytest.mark.usefixtures("configured")
def test_anonymous_pages_redirect_to_login_with_next(client):
    response = client.get("/library/?missing=true")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/library/%3Fmissing%3Dtrue"


@pytest.mark.usefixtures("configured")
def test_login_follows_a_same_site_next(client):
    response = client.post("/login/", {"password": OWNER_PASSWORD, "next": "/queue/"})
    assert response["Location"] == "/queue/"


@pytest.mark.usefixtures("configured")
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_login_ignores_a_next_that_leaves_the_site(client, target):
    response = client.post("/login/", {"password": OWNER_PASSWORD, "next": target})
    assert response["Location"] == "/"


@pytest.mark.usefixtures("configured")
def test_an_htmx_login_redirects_through_hx_redirect(client):
    response = client.post("/login/", {"password": OWNER_PASSWORD}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "/"


@pytest.mark.usefixtures("configured")
def test_a_wrong_password_shows_an_inline_error(client):
    response = client.post("/login/", {"password": "nope"})
    assert response.status_code == 401
    assert b"Wrong password." in response.content


def test_logout_ends_the_session(owner_client):
    assert owner_client.get("/library/").status_code == 200
    response = owner_client.post("/logout/")
    assert response["Location"] == "/login/"
    assert owner_client.get("/library/").status_code == 302


def test_pages_send_security_headers(owner_client):
    response = owner_client.get("/library/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.usefixtures("configured")
def test_cookies_are_secure_over_https(client):
    response = client.post("/login/", {"password": OWNER_PASSWORD}, secure=True)
    assert response.cookies["sessionid"]["secure"] is True


@pytest.mark.usefixtures("configured")
def test_cookies_are_not_marked_secure_over_plain_http(client):
    response = client.post("/login/", {"password": OWNER_PASSWORD})
    assert not response.cookies["sessionid"]["secure"]
