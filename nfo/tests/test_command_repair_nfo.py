"""`manage.py repair_nfo [--dry-run]`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from nfo import service
from nfo.models import NfoState
from nfo.tests.test_repair import remove_tags
from nfo.tvshow_xml import parse_nfo

pytestmark = pytest.mark.django_db


def repair_nfo(*args) -> str:
    out = StringIO()
    call_command("repair_nfo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def broken_titan(aot, tmdb_key, library_root):
    """Attack on Titan with a tvshow.nfo that lost its plot and genres."""
    service.create_or_refresh(aot)
    path = library_root / aot.folder / "tvshow.nfo"
    remove_tags(path, "plot", "genre")
    return path


def test_a_dry_run_lists_what_is_incomplete_and_changes_nothing(
    broken_titan, frieren_series, tmdb_key
):
    before = broken_titan.read_bytes()
    requests = len(tmdb_key.api_requests())
    states = list(NfoState.objects.values())

    output = repair_nfo("--dry-run")

    assert "Attack on Titan (attack-on-titan): missing plot, genre" in output
    assert "Frieren (frieren): no tvshow.nfo" in output
    assert "2 of 2 series lack a complete tvshow.nfo; nothing changed (dry run)." in output
    assert broken_titan.read_bytes() == before
    assert len(tmdb_key.api_requests()) == requests
    assert list(NfoState.objects.values()) == states
    assert not NfoState.objects.filter(series=frieren_series).exists()


def test_without_dry_run_it_fixes_them_inline_and_says_so(broken_titan, frieren_series):
    output = repair_nfo()

    assert "repairing 2." in output
    assert "fixed attack-on-titan: complete" in output
    assert "fixed frieren: written, TMDB has no data for" in output
    nfo = parse_nfo(broken_titan.read_bytes())
    assert nfo.plot
    assert nfo.genres
    assert NfoState.objects.get(series__key="attack-on-titan").complete


def test_a_complete_library_is_reported_as_such(aot, tmdb_key):
    service.create_or_refresh(aot)

    assert repair_nfo() == "All 1 tvshow.nfo files are complete.\n"


def test_fixing_needs_a_tmdb_key(aot, library_root):
    with pytest.raises(CommandError, match="No TMDB API key"):
        repair_nfo()
    assert "nothing changed" in repair_nfo("--dry-run")


def test_without_a_library_it_says_what_to_set(db):
    with pytest.raises(CommandError, match="library directory"):
        repair_nfo("--dry-run")
