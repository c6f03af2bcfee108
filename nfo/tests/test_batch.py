"""Batches: one series after another, with nfo_progress events and a persisted state."""

import pytest

from aniworld.errors import ValidationFailed
from nfo import service
from nfo.progress import is_running, last_job
from nfo.repair import batch_keys, run_batch, start_batch
from nfo.tests.test_matching import add_show

pytestmark = pytest.mark.django_db


def test_a_batch_writes_each_series_and_reports_nfo_progress(
    aot, frieren_series, tmdb_key, library_root, nfo_events
):
    with nfo_events() as events:
        result = run_batch(["attack-on-titan", "frieren"])

    assert result == {"written": ["attack-on-titan", "frieren"], "failed": [], "aborted": False}
    assert (library_root / aot.folder / "tvshow.nfo").exists()
    assert (library_root / frieren_series.folder / "tvshow.nfo").exists()
    assert {event["type"] for event in events} == {"nfo_progress"}
    stages = [event["data"]["stage"] for event in events]
    assert stages[0] == "started"
    assert stages[-1] == "completed"
    assert set(stages) <= {"started", "progress", "completed"}
    assert events[0]["data"] == {"job": "batch", "stage": "started", "total": 2, "force": False}
    state = last_job("batch")
    assert state["stage"] == "completed"
    assert state["written"] == ["attack-on-titan", "frieren"]
    assert not is_running(state)


def test_one_failing_series_does_not_stop_the_batch(aot, frieren_series, tmdb_key):
    add_show(tmdb_key, 777, "Frieren und die Zauberin")

    result = run_batch(["frieren", "attack-on-titan"])

    assert result["written"] == ["attack-on-titan"]
    assert [(f["key"], f["code"]) for f in result["failed"]] == [("frieren", "TMDB_AMBIGUOUS")]
    assert last_job("batch")["failed"][0]["key"] == "frieren"


def test_a_rejected_key_stops_the_batch_at_the_first_series(
    aot, frieren_series, fake_tmdb, monkeypatch, nfo_events
):
    monkeypatch.setenv("TMDB_API_KEY", "f" * 32)

    with nfo_events() as events:
        result = run_batch(["attack-on-titan", "frieren"])

    assert result["aborted"] is True
    assert [f["key"] for f in result["failed"]] == ["attack-on-titan"]
    assert events[-1]["data"]["stage"] == "failed"
    assert "TMDB rejected the API key" in events[-1]["data"]["error"]


def test_without_keys_a_batch_covers_the_series_lacking_a_complete_nfo(
    aot, frieren_series, tmdb_key
):
    service.create_or_refresh(aot)

    assert batch_keys(None, force=False) == ["frieren"]
    service.create_or_refresh(frieren_series)  # TMDB cannot complete it
    assert batch_keys(None, force=False) == []
    assert batch_keys(None, force=True) == ["attack-on-titan", "frieren"]


def test_unknown_keys_are_refused_before_anything_is_queued(aot, tmdb_key):
    with pytest.raises(ValidationFailed) as raised:
        start_batch(["attack-on-titan", "nope"])

    assert raised.value.details == {"keys": ["unknown series: nope"]}
    assert last_job("batch") is None
