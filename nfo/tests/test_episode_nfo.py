"""The <episodedetails> file: what it holds, how it reads back, where it goes."""

from pathlib import Path

import pytest
from lxml import etree

from nfo.episode_nfo import (
    EpisodeNfo,
    is_episode_nfo,
    missing_tags,
    parse_episode_nfo,
    sidecar_path,
    to_xml,
)
from nfo.tvshow import NfoParseError

FULL = EpisodeNfo(
    title="An jenem Tag",
    originaltitle="That Day",
    showtitle="Attack on Titan",
    season=1,
    episode=2,
    aired="2013-04-14",
    plot='Eren & Mikasa <fliehen> "hinter" die Mauer.',
    runtime=24,
    tmdb_id="14291002",
    thumb="https://image.tmdb.org/t/p/original/still.jpg",
)


def test_it_writes_every_tag_kodi_and_jellyfin_read():
    root = etree.fromstring(to_xml(FULL))

    assert root.tag == "episodedetails"
    assert [child.tag for child in root] == [
        "title", "originaltitle", "showtitle", "season", "episode",
        "aired", "plot", "runtime", "uniqueid", "thumb",
    ]  # fmt: skip
    uniqueid = root.find("uniqueid")
    assert (uniqueid.get("type"), uniqueid.text) == ("tmdb", "14291002")
    assert root.findtext("plot") == FULL.plot


def test_what_is_written_reads_back_the_same():
    assert parse_episode_nfo(to_xml(FULL)) == FULL


def test_empty_fields_are_left_out():
    root = etree.fromstring(to_xml(EpisodeNfo(title="X", season=0, episode=1)))

    assert [child.tag for child in root] == ["title", "season", "episode"]
    assert root.findtext("season") == "0"


def test_a_file_without_tmdb_data_lacks_the_tmdb_id():
    assert missing_tags(FULL) == []
    assert missing_tags(EpisodeNfo(title="X", showtitle="Y", season=1, episode=2)) == [
        "uniqueid:tmdb"
    ]
    assert missing_tags(EpisodeNfo()) == [
        "title",
        "showtitle",
        "season",
        "episode",
        "uniqueid:tmdb",
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"<episodedetails><title>cut", "not valid XML"),
        (b"<tvshow><title>x</title></tvshow>", "not <episodedetails>"),
    ],
)
def test_unreadable_files_say_why(data, reason):
    with pytest.raises(NfoParseError, match=reason):
        parse_episode_nfo(data)


def test_the_nfo_sits_beside_its_video_under_the_same_name():
    video = Path("/lib/Show/Season 01/Show - S01E02 - Mr. Smith.mp4")

    assert sidecar_path(video) == Path("/lib/Show/Season 01/Show - S01E02 - Mr. Smith.nfo")


def test_only_episode_nfos_count_as_such(tmp_path):
    (tmp_path / "a.nfo").write_bytes(to_xml(FULL))
    (tmp_path / "b.nfo").write_bytes(b"<movie><title>x</title></movie>")
    (tmp_path / "c.nfo").write_bytes(b"https://www.imdb.com/title/tt0000001/")

    assert [is_episode_nfo(tmp_path / name) for name in ("a.nfo", "b.nfo", "c.nfo", "d.nfo")] == [
        True, False, False, False,
    ]  # fmt: skip
