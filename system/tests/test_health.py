import pytest

pytestmark = pytest.mark.django_db


def test_health_is_public_and_reports_the_version(client, settings):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy", "version": settings.VERSION}


def detailed(client, status: int):
    """The detailed report, answered with ``status``: 200 when every check is ok, 503 when
    any is not. No worker cluster runs in the tests unless ``worker_cluster`` reports one."""
    response = client.get("/health/detailed")
    assert response.status_code == status, response.content
    assert response.json()["status"] == {200: "healthy", 503: "unhealthy"}[status]
    return response.json()["checks"]


def test_detailed_health_is_healthy_when_every_check_passes(owner_client, worker_cluster):
    checks = detailed(owner_client, 200)
    assert set(checks) == {
        "database",
        "disk",
        "library",
        "worker",
        "scheduler",
        "tmdb",
        "channel_layer",
    }
    assert {check["status"] for check in checks.values()} == {"ok"}
    assert checks["worker"]["message"] == f"worker cluster {worker_cluster.cluster_id} is Idle"


def test_detailed_health_is_unhealthy_when_no_worker_runs(owner_client):
    checks = detailed(owner_client, 503)
    assert checks["worker"] == {"status": "error", "message": "worker not running"}
    assert checks["scheduler"]["status"] == "error"
    assert {name for name, check in checks.items() if check["status"] != "ok"} == {
        "worker",
        "scheduler",
    }


def test_a_missing_library_directory_is_reported(
    owner_client, worker_cluster, tmp_path, monkeypatch
):
    monkeypatch.setenv("ANIME_DIRECTORY", str(tmp_path / "gone"))
    checks = detailed(owner_client, 503)
    assert checks["library"]["status"] == "error"
    assert "library directory missing" in checks["library"]["message"]


def test_a_writable_library_reports_its_free_space(owner_client, worker_cluster, library_root):
    checks = detailed(owner_client, 200)
    assert checks["library"]["status"] == "ok"
    assert "GB free" in checks["library"]["message"]


def test_detailed_health_needs_authentication(client, configured):
    response = client.get("/health/detailed")
    assert response.status_code == 401
    assert response.json()["error"] == "UNAUTHORIZED"


def test_detailed_health_accepts_a_bearer_token(api, worker_cluster):
    detailed(api, 200)
