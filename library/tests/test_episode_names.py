import pytest

from aniworld.languages import Language
from library.episode_names import ParsedEpisode, is_video_name, parse_episode_file
from library.naming import render_episode_path


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Season 01/Attack on Titan - S01E01 - To You.mp4", (1, 1, None)),
        ("attack.on.titan.s02e05.1080p.mkv", (2, 5, None)),
        ("ONE PIECE - S01E1071 - Luffy.mp4", (1, 1071, None)),
        ("Naruto - S01E001 - (German Dub).mp4", (1, 1, "german-dub")),
        ("Naruto - S03E120 - (German Sub).mp4", (3, 120, "german-sub")),
        ("Frieren - S01E04 - (English Sub).mkv", (1, 4, "english-sub")),
        ("Frieren - S01E04 - (English Dub).mkv", (1, 4, "english-dub")),
        ("Show.S01E05.GerDub.1080p.mkv", (1, 5, "german-dub")),
        ("Show - S02E05-E06 - Double.mkv", (2, 5, None)),
        ("Show - S1 E7.avi", (1, 7, None)),
        ("Show - 3x07.m4v", (3, 7, None)),
        ("a/b/c/d/Show S04E02.webm", (4, 2, None)),
        ("Season 1/Disc 2/Episode 05.mkv", (1, 5, None)),
        ("Staffel 2/Folge 11.mp4", (2, 11, None)),
        ("Season 00/Show - S00E02 - Film.mp4", (0, 2, None)),
        ("Filme/Demon Slayer - Film 1.mp4", (0, 1, None)),
        ("Specials/Show - S01E03.mkv", (0, 3, None)),
        ("Season 2/07.mkv", (2, 7, None)),
        ("[SubsPlease] Frieren - 05 (1080p) [ABC123].mkv", (1, 5, None)),
        ("Naruto - 135.mkv", (1, 135, None)),
    ],
)
def test_episode_files_are_recognised(path, expected):
    assert parse_episode_file(path) == ParsedEpisode(*expected)


@pytest.mark.parametrize(
    "path",
    [
        "Show - S01E01.mp4.part",
        "Show - S01E01.mp4.ytdl",
        "Show - S01E01.mp4.tmp",
        "Show - S01E01.mp4.part-Frag12",
        "Show - S01E01.part.mp4",
        "Show - S01E01.temp.mkv",
        ".Show - S01E01.mp4",
        ".hidden/Show - S01E01.mp4",
        "Show - S01E01.nfo",
        "Show - S01E01.srt",
        "Show - S01E01.jpg",
        "data",
        "Bonus/Show 1920x1080.mp4",
        "random clip.mp4",
    ],
)
def test_partial_hidden_and_non_video_files_are_no_episodes(path):
    assert parse_episode_file(path) is None


def test_a_tag_inside_a_word_is_no_episode_tag():
    assert parse_episode_file("Famous01E02 remix - S03E04.mp4") == ParsedEpisode(3, 4, None)


def test_windows_separators_in_a_relative_path_are_understood():
    assert parse_episode_file("Season 00\\Show - S00E01.mp4") == ParsedEpisode(0, 1, None)


@pytest.mark.parametrize(
    "name", ["x.mp4", "x.MKV", "x.avi", "x.m4v", "x.webm", "x.ts", "x.mov", "x.wmv", "x.flv"]
)
def test_every_video_extension_counts(name):
    assert is_video_name(name)


@pytest.mark.parametrize("padding", [2, 3])
@pytest.mark.parametrize("season", [0, 1, 12])
def test_every_name_we_render_is_read_back(padding, season):
    path = render_episode_path(
        "Season {season}/{series} - S{season}E{episode} - {title} ({language})",
        series="Re:Zero",
        year=2016,
        season=season,
        episode=7,
        title="Part 1/2: 1x05 the S09E09 trap",
        language="english-sub",
        padding=padding,
    )
    assert parse_episode_file(path) == ParsedEpisode(season, 7, "english-sub")


@pytest.mark.parametrize("language", list(Language))
def test_every_language_we_name_a_file_in_is_read_back(language):
    path = render_episode_path(
        "{series} - S{season}E{episode} - {language}",
        series="Frieren",
        year=2023,
        season=1,
        episode=4,
        title="",
        language=language,
        padding=2,
    )
    assert path.name == f"Frieren - S01E04 - {language.file_label}.mp4"
    assert parse_episode_file(path).language is language
