"""Episode metadata: TMDB's episodes under our numbers, episode NFOs, season posters."""

import os
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from aniworld.library_root import library_root as configured_root
from downloads.models import Status
from downloads.signals import episode_placed
from library.models import Episode
from nfo import service
from nfo.episode_nfo import EpisodeNfo, parse_episode_nfo, to_xml
from nfo.episodes import refresh_matched_series
from nfo.models import EpisodeMetadata
from nfo.repair import repair_library
from nfo.tmdb import TmdbClient, TmdbUnavailable
from system import scheduler
from tests.factories import make_episode, make_item, make_season
from tests.fakes.tmdb_shows import weekly_episodes

pytestmark = pytest.mark.django_db

# As the fake index lists Attack on Titan: films, three episodes of season 1, one of 2.
INDEX_EPISODES = {(0, 1): "Teil 1: Pfeil und Bogen", (1, 1): "Dir, in 2000 Jahren",
                  (1, 2): "An jenem Tag", (1, 3): "Ein Licht", (2, 1): ""}  # fmt: skip


def add_episodes(series, library_root, on_disk=()):
    """The index's episodes in the database; those in ``on_disk`` with a file."""
    for (season, number), title in INDEX_EPISODES.items():
        relative = ""
        if (season, number) in on_disk:
            relative = f"{series.folder}/Season {season:02d}/{series.name} - S{season:02d}E{number:02d}.mp4"
            (library_root / relative).parent.mkdir(parents=True, exist_ok=True)
            (library_root / relative).write_bytes(b"not really a video")
        make_episode(
            series, season, number, title=title,
            title_en="That Day" if (season, number) == (1, 2) else "",
            is_downloaded=bool(relative), file_path=relative,
        )  # fmt: skip


def nfo_of(library_root, episode: Episode) -> EpisodeNfo:
    episode.refresh_from_db()
    video = library_root / episode.file_path
    return parse_episode_nfo(video.with_suffix(".nfo").read_bytes())


def episode(series, season, number) -> Episode:
    return Episode.objects.get(series=series, season=season, number=number)


def test_a_refresh_stores_air_dates_under_our_numbers(aot, tmdb_key, library_root):
    add_episodes(aot, library_root)

    service.create_or_refresh(aot)

    stored = EpisodeMetadata.objects.get(series=aot, season=1, episode=2)
    assert stored.air_date == date(2013, 4, 14)
    assert (stored.tmdb_season, stored.tmdb_episode, stored.tmdb_id) == (1, 2, 14291002)
    assert stored.overview == "Told only in English."
    assert stored.runtime == 24
    # TMDB's announced episodes are kept too, for the calendar.
    assert EpisodeMetadata.objects.filter(series=aot, season=4).count() == 30


def test_a_refresh_writes_the_nfo_of_every_downloaded_episode(aot, tmdb_key, library_root):
    add_episodes(aot, library_root, on_disk={(1, 2), (0, 1)})

    service.create_or_refresh(aot)

    nfo = nfo_of(library_root, episode(aot, 1, 2))
    assert nfo.title == "An jenem Tag"  # the index's title, as in the file name
    assert nfo.originaltitle == "That Day"
    assert nfo.showtitle == "Attack on Titan"
    assert (nfo.season, nfo.episode) == (1, 2)
    assert nfo.aired == "2013-04-14"
    assert nfo.plot == "Told only in English."
    assert nfo.runtime == 24
    assert nfo.tmdb_id == "14291002"
    assert nfo.thumb.endswith("/original/still-1429-1-2.jpg")
    assert nfo_of(library_root, episode(aot, 0, 1)).aired == "2013-07-07"
    # Episodes without a file get no NFO.
    assert not list((library_root / aot.folder).glob("Season 01/*S01E01*.nfo"))


def test_season_posters_follow_our_seasons(aot, tmdb_key, library_root):
    add_episodes(aot, library_root, on_disk={(1, 2)})

    state = service.create_or_refresh(aot)

    folder = library_root / aot.folder
    assert (folder / "season01-poster.jpg").is_file()
    assert (folder / "season-specials-poster.jpg").is_file()
    assert "season02-poster.jpg" in state.artwork["unavailable"]  # TMDB has none


def test_one_long_season_of_ours_gets_tmdbs_split_seasons(frieren_series, tmdb_key, library_root):
    show = tmdb_key.shows[209867]
    show.episodes = {
        1: weekly_episodes(209867, 1, 12, date(2023, 9, 29)),
        2: weekly_episodes(209867, 2, 16, date(2024, 1, 5)),
    }
    show.data["seasons"] = [
        {"season_number": 1, "name": "Staffel 1", "air_date": "2023-09-29", "episode_count": 12,
         "poster_path": None},
        {"season_number": 2, "name": "Staffel 2", "air_date": "2024-01-05", "episode_count": 16,
         "poster_path": None},
    ]  # fmt: skip
    make_season(frieren_series, 1, range(1, 29))

    service.create_or_refresh(frieren_series)

    thirteenth = EpisodeMetadata.objects.get(series=frieren_series, season=1, episode=13)
    assert (thirteenth.tmdb_season, thirteenth.tmdb_episode) == (2, 1)
    assert thirteenth.air_date == date(2024, 1, 5)
    assert not EpisodeMetadata.objects.filter(series=frieren_series, season=2).exists()


def test_tmdb_failing_for_the_episodes_keeps_the_tvshow_nfo(
    aot, tmdb_key, library_root, monkeypatch
):
    add_episodes(aot, library_root, on_disk={(1, 2)})

    def unavailable(self, tv_id, number):
        raise TmdbUnavailable("TMDB is having trouble (HTTP 503).")

    monkeypatch.setattr(TmdbClient, "season", unavailable)

    state = service.create_or_refresh(aot)

    assert state.complete
    assert not EpisodeMetadata.objects.filter(series=aot).exists()


class TestAfterADownload:
    def place(self, ep, replaced=""):
        """Announce ``ep`` as the worker does after placing it (every receiver runs)."""
        ep.refresh_from_db()
        item = make_item(
            ep, status=Status.COMPLETED, file_path=ep.file_path, upgrade=bool(replaced)
        )
        path = configured_root() / ep.file_path if ep.file_path else None
        return episode_placed.send_robust(
            sender=None, item=item, episode=ep, path=path, replaced=replaced
        )

    def test_the_nfo_is_written_from_stored_data_without_asking_tmdb(
        self, aot, tmdb_key, library_root
    ):
        add_episodes(aot, library_root)
        service.create_or_refresh(aot)
        relative = f"{aot.folder}/Season 01/x - S01E03.mp4"
        (library_root / relative).parent.mkdir(parents=True, exist_ok=True)
        (library_root / relative).write_bytes(b"video")
        Episode.objects.filter(series=aot, season=1, number=3).update(
            is_downloaded=True, file_path=relative
        )
        tmdb_key.server.requests.clear()

        previous_umask = os.umask(0o077)  # a service's private umask
        try:
            results = self.place(episode(aot, 1, 3))
        finally:
            os.umask(previous_umask)

        assert [r for _, r in results if isinstance(r, Exception)] == []
        assert nfo_of(library_root, episode(aot, 1, 3)).aired == "2013-04-21"
        assert tmdb_key.api_requests() == []
        # A media server running as another user reads it, like the video beside it.
        sidecar = (library_root / relative).with_suffix(".nfo")
        assert sidecar.stat().st_mode & 0o777 == 0o644

    def test_without_stored_data_tmdb_is_asked_in_the_background(self, aot, tmdb_key, library_root):
        add_episodes(aot, library_root, on_disk={(1, 2)})

        self.place(episode(aot, 1, 2))  # tasks run inline in tests

        nfo = nfo_of(library_root, episode(aot, 1, 2))
        assert (nfo.tmdb_id, nfo.aired) == ("14291002", "2013-04-14")
        assert (library_root / aot.folder / "tvshow.nfo").is_file()

    def test_an_episode_without_a_german_title_takes_the_english_one(
        self, aot, tmdb_key, library_root
    ):
        add_episodes(aot, library_root, on_disk={(1, 2)})
        Episode.objects.filter(series=aot, season=1, number=2).update(title="")

        self.place(episode(aot, 1, 2))

        assert nfo_of(library_root, episode(aot, 1, 2)).title == "That Day"

    def test_without_a_tmdb_key_the_index_titles_still_make_an_nfo(self, aot, library_root):
        add_episodes(aot, library_root, on_disk={(1, 2)})

        self.place(episode(aot, 1, 2))

        nfo = nfo_of(library_root, episode(aot, 1, 2))
        assert (nfo.title, nfo.season, nfo.episode, nfo.tmdb_id) == ("An jenem Tag", 1, 2, "")

    def test_an_upgrade_under_a_new_name_takes_the_old_nfo_away(self, aot, library_root):
        add_episodes(aot, library_root, on_disk={(1, 2)})
        old = episode(aot, 1, 2)
        self.place(old)
        old_nfo = (library_root / old.file_path).with_suffix(".nfo")
        assert old_nfo.is_file()
        (library_root / old.file_path).unlink()  # the worker removed the old video
        new_relative = f"{aot.folder}/Season 01/Attack on Titan - S01E02 - German Dub.mkv"
        (library_root / new_relative).write_bytes(b"better")
        Episode.objects.filter(id=old.id).update(file_path=new_relative)

        self.place(old, replaced=old.file_path)

        assert not old_nfo.exists()
        assert (library_root / new_relative).with_suffix(".nfo").is_file()


class TestRepair:
    @pytest.fixture
    def written(self, aot, tmdb_key, library_root):
        add_episodes(aot, library_root, on_disk={(1, 1), (1, 2), (0, 1)})
        service.create_or_refresh(aot)
        return aot

    def test_missing_and_broken_episode_nfos_are_rewritten(self, written, library_root):
        first = (library_root / episode(written, 1, 1).file_path).with_suffix(".nfo")
        second = (library_root / episode(written, 1, 2).file_path).with_suffix(".nfo")
        first.unlink()
        second.write_bytes(b"<episodedetails><title>cut")

        report = repair_library()

        files = report.episode_files[written.key]
        assert (len(files.missing_nfo), len(files.incomplete_nfo)) == (1, 1)
        assert parse_episode_nfo(first.read_bytes()).tmdb_id == "14291001"
        assert parse_episode_nfo(second.read_bytes()).tmdb_id == "14291002"

    def test_an_nfo_whose_video_is_gone_is_removed_and_other_nfos_are_not(
        self, written, library_root
    ):
        gone = episode(written, 1, 1)
        (library_root / gone.file_path).unlink()
        Episode.objects.filter(id=gone.id).update(is_downloaded=False, file_path="")
        orphan = (library_root / gone.file_path).with_suffix(".nfo")
        someone_elses = library_root / written.folder / "Season 01" / "notes.nfo"
        someone_elses.write_bytes(b"<movie><title>mine</title></movie>")
        odd_format = library_root / written.folder / "Season 01" / "Bonus - S01E09.m2ts"
        odd_format.write_bytes(b"a video the scanner does not read")
        odd_format.with_suffix(".nfo").write_bytes(to_xml(EpisodeNfo(title="Bonus")))

        repair_library()

        assert not orphan.exists()
        assert someone_elses.is_file()
        assert odd_format.with_suffix(".nfo").is_file()
        assert (library_root / episode(written, 1, 2).file_path).with_suffix(".nfo").is_file()

    def test_a_lost_season_poster_is_fetched_again(self, written, library_root, tmdb_key):
        poster = library_root / written.folder / "season01-poster.jpg"
        poster.unlink()

        report = repair_library()

        assert written.key in report.queued
        assert poster.is_file()  # the batch runs inline in tests

    def test_complete_files_are_left_alone(self, written, library_root):
        nfo = (library_root / episode(written, 1, 2).file_path).with_suffix(".nfo")
        before = nfo.stat().st_mtime_ns

        report = repair_library()

        assert report.episode_files == {}
        assert report.queued == []
        assert nfo.stat().st_mtime_ns == before

    def test_the_repair_api_reports_and_fixes_episode_files(self, written, library_root, api):
        nfo = (library_root / episode(written, 1, 2).file_path).with_suffix(".nfo")
        nfo.unlink()

        response = api.post("/api/nfo/repair")

        assert response.status_code == 202
        files = response.json()["episode_files"][written.key]
        assert (files["missing_nfo"], files["incomplete_nfo"]) == (1, 0)
        assert parse_episode_nfo(nfo.read_bytes()).aired == "2013-04-14"

    def test_the_command_lists_and_fixes_episode_files(self, written, library_root):

        nfo = (library_root / episode(written, 1, 2).file_path).with_suffix(".nfo")
        nfo.unlink()
        out = StringIO()

        call_command("repair_nfo", stdout=out)

        assert "1 episode NFO(s) missing" in out.getvalue()
        assert nfo.is_file()


def test_the_daily_refresh_picks_up_changed_air_dates(aot, tmdb_key, library_root):
    add_episodes(aot, library_root, on_disk={(1, 2)})
    service.create_or_refresh(aot)
    tmdb_key.shows[1429].episodes[1][1]["air_date"] = "2013-04-15"

    result = refresh_matched_series()

    assert result == {"refreshed": [aot.key], "failed": {}}
    assert EpisodeMetadata.objects.get(series=aot, season=1, episode=2).air_date == date(
        2013, 4, 15
    )
    assert nfo_of(library_root, episode(aot, 1, 2)).aired == "2013-04-15"


def test_the_daily_rescan_queues_the_air_date_refresh(aot, tmdb_key, library_root, monkeypatch):
    add_episodes(aot, library_root, on_disk={(1, 2)})
    service.create_or_refresh(aot)
    tmdb_key.shows[1429].episodes[1][1]["air_date"] = "2013-04-16"
    monkeypatch.setattr("library.scanning.run_scan", lambda scan_id: None)

    outcome = scheduler.rescan_library()

    assert outcome.result["air_dates_refresh"] is True
    assert EpisodeMetadata.objects.get(series=aot, season=1, episode=2).air_date == date(
        2013, 4, 16
    )
