"""What nfo lends the library when it starts: the NFO after a series loaded, and the
tvshow.nfo and TMDB readers of folder matching."""

import pytest

from library import matching, signals
from library.models import Series
from nfo.folder_ids import read_nfo_ids, tmdb_ids
from nfo.service import create_or_refresh
from nfo.tvshow import TvShowNfo
from nfo.tvshow_xml import to_xml

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr("nfo.service.async_task", lambda *a, **k: calls.append(a))
    return calls


def test_a_loaded_series_without_an_nfo_gets_one_queued(aot, tmdb_key, queued):
    signals.series_loaded.send_robust(sender=Series, series=aot)

    assert queued == [("nfo.tasks.create_nfo", aot.id)]
    assert tmdb_key.api_requests() == []


def test_a_loaded_series_with_a_complete_nfo_is_left_alone(aot, tmdb_key, queued):
    create_or_refresh(aot)

    signals.series_loaded.send_robust(sender=Series, series=aot)

    assert queued == []


def test_without_a_tmdb_key_nothing_is_queued(aot, queued, monkeypatch):
    monkeypatch.delenv("TMDB_API_KEY", raising=False)

    signals.series_loaded.send_robust(sender=Series, series=aot)

    assert queued == []


def test_nfo_registers_its_readers_for_folder_matching():
    assert matching.id_readers.read_nfo is read_nfo_ids
    assert matching.id_readers.tmdb is tmdb_ids


def test_the_nfo_reader_gives_titles_year_and_ids_as_written():
    nfo = TvShowNfo(title="Angriff der Titanen", originaltitle="Shingeki", year=2013)
    ids = read_nfo_ids(
        to_xml(nfo).replace(b"</tvshow>", b'<uniqueid type="imdb">TT2560140</uniqueid></tvshow>')
    )

    assert ids == matching.NfoIds("Angriff der Titanen", "Shingeki", 2013, "TT2560140", "")


def test_without_a_tmdb_key_there_are_no_tmdb_lookups(db, monkeypatch):
    monkeypatch.delenv("TMDB_API_KEY", raising=False)
    assert tmdb_ids() is None
