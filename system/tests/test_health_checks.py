"""Each detailed health check turns red for its own cause (and the page says which).

The tests of one check let a worker cluster report in (``worker_cluster``), so that
check alone decides between healthy (200) and unhealthy (503)."""

import pytest

from aniworld import config

pytestmark = pytest.mark.django_db


def checks(client, status: int):
    response = client.get("/health/detailed")
    assert response.status_code == status, response.content
    return response.json()["checks"]


def test_a_missing_library_directory_turns_the_library_check_red(
    owner_client, worker_cluster, library_root
):
    assert checks(owner_client, 200)["library"]["status"] == "ok"
    library_root.rmdir()
    library = checks(owner_client, 503)["library"]
    assert library["status"] == "error"
    assert library["message"] == f"library directory missing: {library_root}"


def test_a_read_only_library_directory_turns_the_library_check_red(
    owner_client, worker_cluster, read_only_dir, monkeypatch
):
    monkeypatch.setenv("ANIME_DIRECTORY", str(read_only_dir))
    library = checks(owner_client, 503)["library"]
    assert library["status"] == "error"
    assert library["message"] == f"library directory is read-only: {read_only_dir}"


def test_less_free_space_than_the_configured_minimum_is_low_disk_space(
    owner_client, worker_cluster, library_root
):
    config.store().update({"downloads": {"min_free_space_gb": 10**9}})
    found = checks(owner_client, 503)
    assert found["library"]["status"] == "error"
    assert found["library"]["message"].startswith("low disk space on the library")
    assert found["disk"]["status"] == "error"
    assert found["disk"]["message"].startswith("low disk space on the temp folder")
    config.store().update({"downloads": {"min_free_space_gb": 0}})
    found = checks(owner_client, 200)
    assert (found["library"]["status"], found["disk"]["status"]) == ("ok", "ok")


def test_no_worker_cluster_means_worker_not_running(owner_client):
    response = owner_client.get("/health/detailed")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {
        "status": "error",
        "message": "worker not running",
    }
