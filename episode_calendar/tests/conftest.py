"""A small library with air dates: what the calendar tests read."""

from datetime import date, timedelta

import pytest

from nfo.models import EpisodeMetadata
from tests.factories import make_episode, make_series


def air(series, season, episode, day, name="", overview="", index_title=None, downloaded=False):
    """TMDB's air date for an episode; ``index_title`` also puts it in the index's list."""
    if index_title is not None:
        make_episode(
            series, season, episode, title=index_title, is_downloaded=downloaded,
            file_path=f"{series.folder}/S{season:02d}E{episode:02d}.mp4" if downloaded else "",
        )  # fmt: skip
    return EpisodeMetadata.objects.create(
        series=series, season=season, episode=episode, tmdb_season=season, tmdb_episode=episode,
        name=name, overview=overview, air_date=day,
    )  # fmt: skip


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def airing(db, today):
    """Frieren: one downloaded, one aired but missing, one not aired yet (not on the index)."""
    frieren = make_series("frieren", "Frieren")
    titan = make_series("attack-on-titan", "Attack on Titan", folder="AoT")
    air(
        frieren, 1, 1, today - timedelta(days=7), "Folge 1", index_title="Das Ende", downloaded=True
    )
    air(frieren, 1, 2, today, "Folge 2", "Plot, mit; Zeichen\nund Zeilen.", index_title="")
    air(frieren, 1, 3, today + timedelta(days=7), "Die dritte")
    air(titan, 4, 30, today, "Das Ende der Welt", index_title="Finale")
    air(titan, 4, 1, date(2020, 12, 7), "Früher")
    return {"frieren": frieren, "titan": titan}
