"""The repair scan, the batch it queues, and the start-up step, end to end.

django-q2 runs tasks inline in tests, so a queued batch is done when the call returns.
"""

import pytest
from django_q.models import Task
from lxml import etree

from aniworld.errors import AppError
from nfo import service
from nfo.models import Condition, NfoState
from nfo.progress import last_job
from nfo.repair import repair_library, start_repair_in_background
from nfo.tvshow_xml import parse_nfo

pytestmark = pytest.mark.django_db


def remove_tags(path, *tags):
    root = etree.fromstring(path.read_bytes())
    for tag in tags:
        for element in root.findall(tag):
            root.remove(element)
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def test_repair_restores_deleted_tags_and_truncated_files(
    aot, frieren_series, tmdb_key, library_root
):
    service.create_or_refresh(aot)
    service.create_or_refresh(frieren_series)
    titan_nfo = library_root / aot.folder / "tvshow.nfo"
    frieren_nfo = library_root / frieren_series.folder / "tvshow.nfo"
    remove_tags(titan_nfo, "plot", "genre", "actor")
    frieren_nfo.write_bytes(frieren_nfo.read_bytes()[:200])

    report = repair_library()

    assert report.checked == 2
    found = {item.key: item for item in report.incomplete}
    assert found["attack-on-titan"].missing_tags == ["plot", "genre", "actor"]
    assert found["frieren"].condition == "invalid"
    assert sorted(report.queued) == ["attack-on-titan", "frieren"]
    titan = parse_nfo(titan_nfo.read_bytes())
    assert titan.plot
    assert titan.genres
    assert titan.actors
    assert NfoState.objects.get(series=aot).complete
    assert NfoState.objects.get(series=frieren_series).condition == Condition.INCOMPLETE
    assert parse_nfo(frieren_nfo.read_bytes()).title.startswith("Frieren")


def test_repair_leaves_complete_files_and_what_tmdb_cannot_improve_alone(
    aot, frieren_series, tmdb_key
):
    service.create_or_refresh(aot)
    service.create_or_refresh(frieren_series)  # TMDB has no poster, fanart, rating
    before = len(tmdb_key.api_requests())

    report = repair_library()

    assert [item.key for item in report.incomplete] == ["frieren"]
    assert report.incomplete[0].action == "tmdb_has_no_more"
    assert report.queued == []
    assert len(tmdb_key.api_requests()) == before


def test_repair_does_not_retry_a_match_the_owner_must_choose(make_series, tmdb_key):
    series = make_series("unknown", "Ganz Unbekannt", 1999)
    with pytest.raises(AppError):
        service.create_or_refresh(series)
    before = len(tmdb_key.api_requests())

    report = repair_library()

    assert [(i.key, i.action) for i in report.incomplete] == [("unknown", "needs_match")]
    assert len(tmdb_key.api_requests()) == before


def test_series_whose_folder_is_gone_are_skipped(aot, make_series, tmdb_key, library_root):
    gone = make_series("gone", "Gone", 2001)
    (library_root / gone.folder).rmdir()

    report = repair_library()

    assert report.checked == 1
    assert [item.key for item in report.incomplete] == ["attack-on-titan"]


def test_repair_reports_its_progress_in_the_nfo_room(aot, tmdb_key, nfo_events):
    with nfo_events() as events:
        repair_library()

    assert {event["type"] for event in events} == {"nfo_progress"}
    assert {event["room"] for event in events} == {"nfo"}
    repair = [e["data"] for e in events if e["data"]["job"] == "repair"]
    assert next(d["stage"] for d in repair) == "started"
    assert repair[-1]["stage"] == "completed"
    assert repair[-1]["queued"] == ["attack-on-titan"]
    batch = [e["data"] for e in events if e["data"]["job"] == "batch"]
    assert batch[-1] == {
        "job": "batch",
        "stage": "completed",
        "total": 1,
        "done": 1,
        "written": ["attack-on-titan"],
        "failed": [],
    }
    assert last_job("repair")["stage"] == "completed"


def test_the_start_up_step_repairs_in_the_background_when_tmdb_and_library_are_set(
    aot, tmdb_key, library_root
):
    start_repair_in_background()

    assert (library_root / aot.folder / "tvshow.nfo").exists()
    assert (library_root / aot.folder / "poster.jpg").exists()


def test_the_start_up_step_does_nothing_without_a_tmdb_key(aot, fake_tmdb, library_root):
    start_repair_in_background()

    assert fake_tmdb.api_requests() == []
    assert not NfoState.objects.exists()


def test_the_start_up_step_does_nothing_without_a_library(db, tmdb_key, monkeypatch):
    monkeypatch.delenv("ANIME_DIRECTORY", raising=False)

    start_repair_in_background()

    assert not Task.objects.exists()
    assert tmdb_key.api_requests() == []


def test_the_start_up_step_only_queues_work(aot, tmdb_key, monkeypatch):
    queued = []
    monkeypatch.setattr("nfo.repair.async_task", lambda *a, **k: queued.append(a))

    start_repair_in_background()

    assert queued == [("nfo.tasks.repair_library",)]
    assert tmdb_key.api_requests() == []
