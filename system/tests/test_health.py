import pytest

pytestmark = pytest.mark.django_db


def test_health_is_public_and_reports_the_version(client, settings):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy", "version": settings.VERSION}


def detailed(client):
    response = client.get("/health/detailed")
    assert response.status_code in (200, 503), response.content
    return response, response.json()["checks"]


def test_detailed_health_reports_each_check(owner_client):
    _, checks = detailed(owner_client)
    assert set(checks) == {
        "database",
        "disk",
        "library",
        "worker",
        "scheduler",
        "tmdb",
        "channel_layer",
    }
    assert checks["database"]["status"] == "ok"
    assert checks["disk"]["status"] == "ok"
    assert checks["channel_layer"]["status"] == "ok"


def test_detailed_health_is_unhealthy_when_no_worker_runs(owner_client):
    response, checks = detailed(owner_client)
    assert checks["worker"] == {"status": "error", "message": "worker not running"}
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"


def test_a_missing_library_directory_is_reported(owner_client, tmp_path, monkeypatch):
    monkeypatch.setenv("ANIME_DIRECTORY", str(tmp_path / "gone"))
    _, checks = detailed(owner_client)
    assert checks["library"]["status"] == "error"
    assert "library directory missing" in checks["library"]["message"]


def test_a_writable_library_reports_its_free_space(owner_client, library_root):
    _, checks = detailed(owner_client)
    assert checks["library"]["status"] == "ok"
    assert "GB free" in checks["library"]["message"]


def test_detailed_health_needs_authentication(client, configured):
    response = client.get("/health/detailed")
    assert response.status_code == 401
    assert response.json()["error"] == "UNAUTHORIZED"


def test_detailed_health_accepts_a_bearer_token(api):
    assert api.get("/health/detailed").status_code in (200, 503)
