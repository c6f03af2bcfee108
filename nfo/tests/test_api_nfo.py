"""/api/nfo against the fake TMDB, with a real library folder."""

import pytest

from nfo.models import MatchStatus, NfoState
from nfo.tests.test_matching import add_show
from nfo.tvshow_xml import parse_nfo

pytestmark = pytest.mark.django_db

STATE_FIELDS = {"exists", "complete", "missing_tags", "path", "updated_at", "tmdb_id"}


def test_the_state_of_a_series_without_nfo(api, aot, library_root):
    response = api.get("/api/nfo/attack-on-titan")

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= STATE_FIELDS
    assert (body["exists"], body["complete"], body["missing_tags"]) == (False, False, [])
    assert body["condition"] == "missing"
    assert body["path"] == str((library_root / aot.folder / "tvshow.nfo").resolve())
    assert body["tmdb_id"] is None
    assert body["match"] == {"status": "unmatched", "message": "", "candidates": []}


def test_posting_creates_the_nfo_and_answers_its_state(api, aot, tmdb_key, library_root):
    response = api.post("/api/nfo/attack-on-titan", {}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["exists"], body["complete"], body["missing_tags"]) == (True, True, [])
    assert body["tmdb_id"] == 1429
    assert body["match"]["status"] == "matched"
    assert "poster.jpg" in body["artwork"]["written"]
    assert (library_root / aot.folder / "poster.jpg").exists()
    assert NfoState.objects.get(series=aot).complete
    assert api.get("/api/nfo/attack-on-titan").json()["complete"] is True


def test_a_tmdb_id_set_by_hand_wins(api, aot, tmdb_key, library_root):
    response = api.post("/api/nfo/attack-on-titan", {"tmdb_id": 209867}, format="json")

    assert response.status_code == 200
    assert response.json()["tmdb_id"] == 209867
    assert response.json()["match"]["status"] == "manual"
    nfo = parse_nfo((library_root / aot.folder / "tvshow.nfo").read_bytes())
    assert nfo.uniqueid("tmdb") == "209867"
    again = api.post("/api/nfo/attack-on-titan", {"force": True}, format="json").json()
    assert again["tmdb_id"] == 209867  # a refresh keeps the owner's choice


def test_an_ambiguous_match_is_a_409_with_the_candidates(api, frieren_series, tmdb_key):
    add_show(tmdb_key, 777, "Frieren und die Zauberin")

    response = api.post("/api/nfo/frieren", {}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "TMDB_AMBIGUOUS"
    assert {c["id"] for c in body["details"]["candidates"]} == {209867, 777}
    state = api.get("/api/nfo/frieren").json()
    assert state["match"]["status"] == MatchStatus.AMBIGUOUS


def test_no_tmdb_key_is_a_409_that_says_so(api, aot, fake_tmdb):
    response = api.post("/api/nfo/attack-on-titan", {}, format="json")

    assert response.status_code == 409
    assert response.json()["error"] == "TMDB_NOT_CONFIGURED"
    assert "TMDB API key" in response.json()["message"]


def test_a_rejected_key_is_a_502_and_the_health_check_turns_red(api, aot, fake_tmdb, monkeypatch):
    monkeypatch.setenv("TMDB_API_KEY", "0" * 32)

    response = api.post("/api/nfo/attack-on-titan", {"force": True}, format="json")

    assert response.status_code == 502
    assert response.json()["error"] == "TMDB_AUTH"
    assert "rejected the API key" in response.json()["message"]
    assert api.get("/api/nfo/attack-on-titan").json()["error_code"] == "TMDB_AUTH"
    health = api.get("/health/detailed").json()["checks"]["tmdb"]
    assert (health["status"], health["message"]) == ("error", "TMDB key rejected")


def test_invalid_input_is_a_422(api, aot, tmdb_key):
    response = api.post("/api/nfo/attack-on-titan", {"tmdb_id": "abc"}, format="json")

    assert response.status_code == 422
    assert "tmdb_id" in response.json()["details"]


def test_an_unknown_series_is_a_404(api, library_root):
    assert api.get("/api/nfo/nope").status_code == 404
    assert api.post("/api/nfo/nope", {}, format="json").status_code == 404
    assert api.get("/api/nfo/nope/content").status_code == 404


def test_the_content_is_the_xml_itself(api, aot, tmdb_key, library_root):
    api.post("/api/nfo/attack-on-titan", {}, format="json")

    response = api.get("/api/nfo/attack-on-titan/content", HTTP_ACCEPT="application/xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response.content == (library_root / aot.folder / "tvshow.nfo").read_bytes()
    assert response.content.startswith(b"<?xml")


def test_content_without_a_file_is_a_json_404_whatever_was_accepted(api, aot):
    for accept in ("application/json", "application/xml"):
        response = api.get("/api/nfo/attack-on-titan/content", HTTP_ACCEPT=accept)

        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"] == "NFO_MISSING"


def test_missing_lists_series_lacking_a_complete_nfo(
    api, aot, frieren_series, tmdb_key, library_root
):
    api.post("/api/nfo/attack-on-titan", {}, format="json")
    (library_root / frieren_series.folder / "tvshow.nfo").write_text("not xml")

    body = api.get("/api/nfo/missing").json()

    assert body["count"] == 1
    assert body["checked"] == 2
    [entry] = body["series"]
    assert (entry["key"], entry["condition"]) == ("frieren", "invalid")


def test_a_batch_is_accepted_and_runs_in_the_background(
    api, aot, frieren_series, tmdb_key, library_root
):
    response = api.post("/api/nfo/batch", {"keys": ["frieren"]}, format="json")

    assert response.status_code == 202
    assert response.json() == {"job": "batch", "queued": 1, "keys": ["frieren"], "force": False}
    assert (library_root / frieren_series.folder / "tvshow.nfo").exists()
    assert not (library_root / aot.folder / "tvshow.nfo").exists()
    everything = api.post("/api/nfo/batch", {}, format="json").json()
    assert everything["keys"] == ["attack-on-titan"]


def test_a_batch_refuses_unknown_keys_and_a_missing_tmdb_key(api, aot, monkeypatch, tmdb_key):
    response = api.post("/api/nfo/batch", {"keys": ["nope"]}, format="json")
    assert response.status_code == 422
    assert response.json()["details"] == {"keys": ["unknown series: nope"]}

    monkeypatch.delenv("TMDB_API_KEY")
    assert api.post("/api/nfo/batch", {}, format="json").json()["error"] == "TMDB_NOT_CONFIGURED"


def test_repair_is_accepted_and_reports_what_it_queued(api, aot, tmdb_key, library_root):
    response = api.post("/api/nfo/repair", {}, format="json")

    assert response.status_code == 202
    body = response.json()
    assert body["job"] == "repair"
    assert body["checked"] == 1
    assert body["queued"] == ["attack-on-titan"]
    assert (library_root / aot.folder / "tvshow.nfo").exists()


def test_the_library_list_filters_series_lacking_an_nfo(api, aot, frieren_series, tmdb_key):
    api.post("/api/nfo/attack-on-titan", {}, format="json")

    keys = [s["key"] for s in api.get("/api/anime/?nfo=missing").json()["results"]]

    assert keys == ["frieren"]
    assert api.get("/api/anime/?nfo=bogus").status_code == 422


def test_the_schema_describes_the_nfo_routes(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for route in ("/api/nfo/{key}", "/api/nfo/{key}/content", "/api/nfo/missing"):
        assert route in paths
    assert "/api/nfo/batch" in paths
    assert "/api/nfo/repair" in paths
