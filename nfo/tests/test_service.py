"""create_or_refresh and inspect: the NFO on disk, the artwork, and the recorded state."""

import pytest
from django.utils import timezone

from nfo import service
from nfo.models import Condition, MatchStatus, NfoState
from nfo.repair import RepairAction, repair_action
from nfo.service import TmdbNotConfigured, create_or_refresh, inspect
from nfo.tests.test_matching import add_show
from nfo.tmdb import TmdbAuthError, TmdbNotFound
from nfo.tvshow import TvShowNfo, UniqueId
from nfo.tvshow_xml import parse_nfo, to_xml
from system.health import check_tmdb
from tests.fakes.tmdb import FAKE_API_KEY

pytestmark = pytest.mark.django_db

TITAN_ARTWORK = {
    "poster.jpg",
    "fanart.jpg",
    "clearlogo.png",
    "season-specials-poster.jpg",
    "season01-poster.jpg",
    "season04-poster.jpg",
}


def folder_of(series, library_root):
    return library_root / series.folder


def test_creating_writes_a_complete_nfo_and_artwork_and_records_it(aot, tmdb_key, library_root):
    state = create_or_refresh(aot)

    folder = folder_of(aot, library_root)
    nfo = parse_nfo((folder / "tvshow.nfo").read_bytes())
    assert nfo.title == "Angriff der Titanen"
    assert nfo.uniqueid("tmdb") == "1429"
    assert nfo.mpaa == "FSK 16"
    assert nfo.dateadded == timezone.localtime(aot.created_at).strftime("%Y-%m-%d %H:%M:%S")
    assert {path.name for path in folder.iterdir()} >= TITAN_ARTWORK
    state.refresh_from_db()
    assert (state.exists, state.complete, state.missing_tags) == (True, True, [])
    assert state.condition == Condition.COMPLETE
    assert state.tmdb_id == 1429
    assert state.match_status == MatchStatus.MATCHED
    assert set(state.artwork["written"]) == TITAN_ARTWORK
    assert state.written_at is not None
    assert (state.last_error, state.error_code) == ("", "")
    aot.refresh_from_db()
    assert aot.tmdb_id == 1429


def test_a_refresh_keeps_dateadded_and_artwork_unless_forced(aot, tmdb_key, library_root):
    create_or_refresh(aot)
    path = folder_of(aot, library_root) / "tvshow.nfo"
    nfo = TvShowNfo(title="Old", dateadded="2001-02-03 04:05:06")
    path.write_bytes(to_xml(nfo))

    state = create_or_refresh(aot)

    assert parse_nfo(path.read_bytes()).dateadded == "2001-02-03 04:05:06"
    assert set(state.artwork["kept"]) == TITAN_ARTWORK
    assert state.artwork["written"] == []
    forced = create_or_refresh(aot, force=True)
    assert set(forced.artwork["written"]) == TITAN_ARTWORK


def test_a_series_tmdb_knows_little_about_is_written_but_stays_incomplete(
    frieren_series, tmdb_key, library_root
):
    state = create_or_refresh(frieren_series)

    assert state.exists
    assert not state.complete
    assert {"mpaa", "thumb:poster", "fanart"} <= set(state.missing_tags)
    assert state.tmdb_gaps == state.missing_tags
    assert set(state.artwork["unavailable"]) >= {"poster.jpg", "fanart.jpg"}
    assert repair_action(state) == RepairAction.NOTHING_MORE
    nfo = parse_nfo((folder_of(frieren_series, library_root) / "tvshow.nfo").read_bytes())
    assert nfo.plot.startswith("The elf mage Frieren")  # no German overview: English


def test_a_rejected_key_is_recorded_clearly_and_turns_the_health_check_red(
    aot, fake_tmdb, monkeypatch
):
    monkeypatch.setenv("TMDB_API_KEY", "0" * 32)

    with pytest.raises(TmdbAuthError):
        create_or_refresh(aot)

    state = NfoState.objects.get(series=aot)
    assert state.error_code == "TMDB_AUTH"
    assert "TMDB rejected the API key" in state.last_error
    assert check_tmdb()["status"] == "error"
    assert check_tmdb()["message"] == "TMDB key rejected"


def test_the_health_check_is_green_without_a_key_and_after_a_good_call(aot, fake_tmdb, monkeypatch):
    assert check_tmdb() == {
        "status": "ok",
        "message": "no TMDB key configured: NFO files and artwork are not written",
    }
    monkeypatch.setenv("TMDB_API_KEY", "0" * 32)
    with pytest.raises(TmdbAuthError):
        create_or_refresh(aot)
    monkeypatch.setenv("TMDB_API_KEY", FAKE_API_KEY)
    assert check_tmdb()["message"] == "TMDB key configured, not used yet"  # a new key
    create_or_refresh(aot)
    assert check_tmdb() == {"status": "ok", "message": "the last TMDB call succeeded"}
    requests = len(fake_tmdb.api_requests())
    check_tmdb()
    assert len(fake_tmdb.api_requests()) == requests  # the check itself never calls TMDB


def test_without_a_key_nothing_is_asked_of_tmdb(aot, fake_tmdb):
    with pytest.raises(TmdbNotConfigured) as raised:
        create_or_refresh(aot)

    assert (raised.value.status, raised.value.code) == (409, "TMDB_NOT_CONFIGURED")
    assert fake_tmdb.api_requests() == []


def test_an_ambiguous_match_is_recorded_with_its_candidates_and_writes_nothing(
    frieren_series, tmdb_key, library_root
):
    add_show(tmdb_key, 777, "Frieren und die Zauberin")

    with pytest.raises(service.AppError) as raised:
        create_or_refresh(frieren_series)

    assert raised.value.code == "TMDB_AMBIGUOUS"
    state = NfoState.objects.get(series=frieren_series)
    assert state.match_status == MatchStatus.AMBIGUOUS
    assert {c["id"] for c in state.match_candidates} == {209867, 777}
    assert state.needs_owner
    assert not (folder_of(frieren_series, library_root) / "tvshow.nfo").exists()


def test_an_id_set_by_hand_that_tmdb_does_not_know_is_dropped(aot, tmdb_key):
    service.set_manual_tmdb_id(aot, 4242)

    with pytest.raises(TmdbNotFound):
        create_or_refresh(aot)

    state = NfoState.objects.get(series=aot)
    assert (state.match_status, state.tmdb_id) == (MatchStatus.ERROR, None)
    assert "no series with id 4242" in state.match_message
    assert create_or_refresh(aot).tmdb_id == 1429  # matched afresh by IMDb id


def test_a_missing_series_folder_is_a_clear_409(aot, tmdb_key, library_root):
    (library_root / aot.folder).rmdir()

    with pytest.raises(service.SeriesFolderMissing) as raised:
        create_or_refresh(aot)
    assert raised.value.status == 409


def test_inspect_reads_the_file_without_calling_tmdb(aot, tmdb_key, library_root):
    nfo = TvShowNfo(title="Attack on Titan", year=2013, plot="Walls.", dateadded="2020-01-01")
    (folder_of(aot, library_root) / "tvshow.nfo").write_bytes(to_xml(nfo))

    state = inspect(aot)

    assert (state.exists, state.complete, state.condition) == (True, False, Condition.INCOMPLETE)
    assert "genre" in state.missing_tags
    assert "plot" not in state.missing_tags
    assert tmdb_key.api_requests() == []
    assert NfoState.objects.get(series=aot).missing_tags == state.missing_tags


def test_inspect_finds_a_truncated_file_unreadable_and_a_missing_one(aot, library_root):
    assert inspect(aot).condition == Condition.MISSING
    (folder_of(aot, library_root) / "tvshow.nfo").write_bytes(b"<?xml version='1.0'?>\n<tvshow><ti")

    state = inspect(aot)

    assert state.condition == Condition.INVALID
    assert "not valid XML" in state.parse_error
    assert repair_action(state) == RepairAction.QUEUE


def test_a_third_party_nfo_shows_its_tmdb_id_until_we_match(aot, library_root):
    nfo = TvShowNfo(title="AoT", uniqueids=[UniqueId("tmdb", "1429", True)])
    (folder_of(aot, library_root) / "tvshow.nfo").write_bytes(to_xml(nfo))

    assert inspect(aot).tmdb_id == 1429
