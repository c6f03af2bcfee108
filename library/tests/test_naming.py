import os
from pathlib import PurePosixPath

import pytest

from library.naming import (
    MAX_NAME_BYTES,
    TemplateError,
    UnsafePathError,
    preview_names,
    render_episode_path,
    safe_join,
    sanitize_name,
    series_folder_name,
    validate_template,
)

DEFAULT_TEMPLATE = "Season {season}/{series} - S{season}E{episode} - {title}"


def render(template=DEFAULT_TEMPLATE, **overrides):
    values = {
        "series": "Attack on Titan",
        "year": 2013,
        "season": 1,
        "episode": 1,
        "title": "To You, in 2000 Years",
        "language": "german-dub",
        "padding": 2,
    }
    return render_episode_path(template, **{**values, **overrides})


# --- sanitize_name ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("進撃の巨人", "進撃の巨人"),
        ("Kein Anschluss unter dieser Nümmer", "Kein Anschluss unter dieser Nümmer"),
        ("JoJo's Bizarre Adventure", "JoJo's Bizarre Adventure"),
        ("Re:Zero kara Hajimeru Isekai Seikatsu", "Re-Zero kara Hajimeru Isekai Seikatsu"),
        ("Attack on Titan: The Final Season", "Attack on Titan - The Final Season"),
        ("Fate/Zero", "Fate-Zero"),
        ("Back\\Slash", "Back-Slash"),
        ('Oshi no Ko "Idol"', "Oshi no Ko Idol"),
        ("What?! <Really> *yes* | no", "What! Really yes no"),
        ("Steins;Gate", "Steins;Gate"),
        ("So many   spaces\tand\ttabs\n", "So many spaces and tabs"),
        ("Trailing dots...", "Trailing dots"),
        ("  . Leading dots and spaces", "Leading dots and spaces"),
        ("bell\x07and\x00null", "bell and null"),
    ],
)
def test_a_name_keeps_what_is_safe_and_loses_what_is_not(name, expected):
    assert sanitize_name(name) == expected


def test_decomposed_unicode_from_macos_is_composed():
    assert sanitize_name("Mu\u0308nchen") == "M\u00fcnchen"


@pytest.mark.parametrize("name", ["", "   ", "...", ".", "..", "???", "<>|*", "\x00\x01"])
def test_a_name_is_never_empty_dot_or_dot_dot(name):
    assert sanitize_name(name) == "Unnamed"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CON", "CON_"),
        ("con", "con_"),
        ("Nul", "Nul_"),
        ("COM1", "COM1_"),
        ("lpt9", "lpt9_"),
        ("AUX.mp4", "AUX_.mp4"),
        ("prn.tar.gz", "prn_.tar.gz"),
        ("CON .nfo", "CON_ .nfo"),
    ],
)
def test_reserved_windows_names_get_an_underscore_even_with_an_extension(name, expected):
    assert sanitize_name(name) == expected


@pytest.mark.parametrize("name", ["Conan", "COM10", "Console.mp4", "LPT", "Auxiliary"])
def test_names_that_only_start_like_reserved_names_stay_as_they_are(name):
    assert sanitize_name(name) == name


def test_a_long_name_is_cut_to_the_byte_limit():
    assert len(sanitize_name("x" * 500).encode()) == MAX_NAME_BYTES


def test_a_long_japanese_name_is_cut_on_a_character_boundary():
    name = sanitize_name("進撃の巨人" * 30)  # 3 bytes a character, 450 bytes
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert name == ("進撃の巨人" * 30)[: len(name)]


def test_a_cut_never_leaves_a_trailing_dot_or_space():
    name = sanitize_name("a" * 198 + " .bcd", max_bytes=200)
    assert name == "a" * 198


# --- series_folder_name ------------------------------------------------------------


def test_the_series_folder_is_the_name_and_the_year():
    assert series_folder_name("Attack on Titan", 2013) == "Attack on Titan (2013)"


def test_without_a_year_the_series_folder_is_the_name():
    assert series_folder_name("Naruto", None) == "Naruto"


def test_a_year_already_in_the_name_is_not_repeated():
    assert series_folder_name("Hunter x Hunter (2011)", 2011) == "Hunter x Hunter (2011)"


def test_the_series_folder_name_is_sanitised():
    assert series_folder_name("Re:Zero", 2016) == "Re-Zero (2016)"


def test_a_long_series_name_keeps_its_year():
    folder = series_folder_name("x" * 400, 2020)
    assert folder.endswith(" (2020)")
    assert len(folder.encode()) <= MAX_NAME_BYTES


# --- safe_join ----------------------------------------------------------------------


def test_a_path_inside_the_root_is_joined_and_resolved(tmp_path):
    assert safe_join(tmp_path, "Naruto (2002)", "Season 01/x.mp4") == (
        tmp_path.resolve() / "Naruto (2002)" / "Season 01" / "x.mp4"
    )


@pytest.mark.parametrize(
    "part",
    [
        "../outside",
        "Naruto/../../outside",
        "..",
        "..\\outside",
        "/etc/passwd",
        "\\\\server\\share",
        "C:\\Windows",
        "C:relative",
        "name\x00.mp4",
    ],
)
def test_keys_and_names_that_would_navigate_are_refused(tmp_path, part):
    with pytest.raises(UnsafePathError):
        safe_join(tmp_path, part)


def test_the_refusal_says_what_was_wrong(tmp_path):
    with pytest.raises(UnsafePathError, match=r"contains '\.\.'"):
        safe_join(tmp_path, "a/../../b")


def test_the_root_itself_is_refused_so_deleting_a_series_never_deletes_the_library(tmp_path):
    for parts in [(), ("",), (".",), ("a/..",)]:
        with pytest.raises(UnsafePathError):
            safe_join(tmp_path, *parts)


def test_a_symbolic_link_leading_out_of_the_root_is_refused(tmp_path):
    root = tmp_path / "library"
    outside = tmp_path / "elsewhere"
    root.mkdir()
    outside.mkdir()
    (root / "Sneaky").symlink_to(outside)
    with pytest.raises(UnsafePathError, match="not inside the library root"):
        safe_join(root, "Sneaky", "file.mp4")


def test_a_symbolic_link_staying_inside_the_root_is_allowed(tmp_path):
    (tmp_path / "Real").mkdir()
    (tmp_path / "Alias").symlink_to(tmp_path / "Real")
    assert safe_join(tmp_path, "Alias", "x.mp4") == tmp_path.resolve() / "Real" / "x.mp4"


def test_a_symbolic_link_loop_is_refused(tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(UnsafePathError):
        safe_join(tmp_path, "loop", "x")


def test_a_root_that_is_itself_a_symbolic_link_works(tmp_path):
    (tmp_path / "disk").mkdir()
    (tmp_path / "anime").symlink_to(tmp_path / "disk")
    assert safe_join(tmp_path / "anime", "Naruto") == tmp_path.resolve() / "disk" / "Naruto"


def test_unsafe_path_errors_are_value_errors():
    assert issubclass(UnsafePathError, ValueError)


# --- validate_template ----------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        DEFAULT_TEMPLATE,
        "{series} ({year})/Season {season}/{series} - S{season}E{episode} - {title} [{language}]",
        "S{season}E{episode}",
        "Season {season}/Episode {episode}/video",
        "{{literal braces}} S{season}E{episode}",
    ],
)
def test_good_templates_have_no_problems(template):
    assert validate_template(template) == []


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("{series} S{season}E{episode} {sesaon}", "Unknown token {sesaon}"),
        ("{} S{season}E{episode}", "Unknown token {}"),
        ("{series.upper} S{season}E{episode}", "Unknown token"),
        ("S{season}E{episode:03}", "Formatting inside {episode}"),
        ("S{season!r}E{episode}", "Formatting inside {season}"),
        ("S{season}E{episode", "unbalanced braces"),
        ("S{season}}E{episode}", "unbalanced braces"),
        ("/srv/anime/S{season}E{episode}", "relative"),
        ("C:\\anime\\S{season}E{episode}", "relative"),
        ("Season {season}\\S{season}E{episode}", "'/'"),
        ("../S{season}E{episode}", "'..'"),
        ("Season {season}/./S{season}E{episode}", "'..'"),
        ("Season {season}//S{season}E{episode}", "empty folder"),
        ("Season {season}/S{season}E{episode}/", "empty folder"),
        ("{series} - E{episode}", "needs {season}"),
        ("Season {season}/{series} - {title}", "needs {episode}"),
    ],
)
def test_bad_templates_are_explained(template, problem):
    problems = validate_template(template)
    assert any(problem in message for message in problems), problems


# --- render_episode_path --------------------------------------------------------------


def test_the_default_template_renders_the_designed_layout():
    assert render() == PurePosixPath(
        "Season 01/Attack on Titan - S01E01 - To You, in 2000 Years.mp4"
    )


def test_episode_padding_of_three_pads_the_episode_but_not_the_season():
    assert (
        render(padding=3, episode=7).name == "Attack on Titan - S01E007 - To You, in 2000 Years.mp4"
    )


def test_an_episode_number_longer_than_the_padding_is_kept_whole():
    assert render(episode=1071, padding=3).name.startswith("Attack on Titan - S01E1071 - ")


def test_films_are_season_zero_in_season_00():
    path = render(season=0, episode=2, title="Mugen Train")
    assert path == PurePosixPath("Season 00/Attack on Titan - S00E02 - Mugen Train.mp4")


def test_a_title_with_slashes_and_colons_stays_one_file_name():
    path = render(title="Part 1/2: The Beginning")
    assert path.parent == PurePosixPath("Season 01")
    assert path.name == "Attack on Titan - S01E01 - Part 1-2 - The Beginning.mp4"


def test_a_series_name_with_a_colon_is_sanitised_in_the_file_name():
    assert render(series="Re:Zero").name.startswith("Re-Zero - S01E01")


@pytest.mark.parametrize("title", ["", "   "])
def test_an_empty_title_drops_the_title_tail(title):
    assert render(title=title).name == "Attack on Titan - S01E01.mp4"


def test_an_empty_title_at_the_start_drops_the_separator_after_it():
    assert render("{title} - S{season}E{episode}", title="").name == "S01E01.mp4"


def test_empty_year_and_language_leave_no_empty_brackets():
    template = "{series} ({year})/Season {season}/S{season}E{episode} [{language}]"
    path = render(template, year=None, language=None)
    assert path == PurePosixPath("Attack on Titan/Season 01/S01E01.mp4")


def test_the_language_token_renders_a_readable_label():
    assert render("S{season}E{episode} ({language})").name == "S01E01 (German Dub).mp4"


def test_a_title_that_is_all_dots_cannot_make_a_hidden_or_parent_folder():
    path = render("{title}/S{season}E{episode}", title="..")
    assert path.parts == ("Unnamed", "S01E01.mp4")


def test_the_extension_is_appended_after_sanitising():
    assert render(ext=".mkv").suffix == ".mkv"


def test_a_very_long_title_keeps_the_file_name_within_the_file_system_limit():
    name = render(title="Long " * 100).name
    assert len(name.encode()) <= 255
    assert name.endswith(".mp4")


def test_rendering_an_invalid_template_raises_with_its_problems():
    with pytest.raises(TemplateError) as raised:
        render("{series} - {title}")
    assert any("needs {episode}" in problem for problem in raised.value.problems)


def test_a_padding_other_than_two_or_three_is_refused():
    with pytest.raises(ValueError, match="padding"):
        render(padding=4)


def test_every_rendered_path_is_relative_and_stays_inside_the_series_folder(tmp_path):
    path = render("{series}/{title}/S{season}E{episode}", series="../..", title="/etc/passwd")
    assert not path.is_absolute()
    assert safe_join(tmp_path, os.fspath(path)).is_relative_to(tmp_path.resolve())


# --- preview_names --------------------------------------------------------------------


def test_the_preview_shows_three_example_paths():
    names = preview_names(DEFAULT_TEMPLATE, 3)
    assert len(names) == 3
    assert names[0] == "Season 01/Attack on Titan - S01E001 - To You, in 2000 Years.mp4"
    assert all(":" not in name for name in names)


def test_the_preview_includes_a_film_in_season_00():
    assert any(name.startswith("Season 00/") for name in preview_names(DEFAULT_TEMPLATE, 2))


def test_the_preview_of_an_invalid_template_raises():
    with pytest.raises(TemplateError):
        preview_names("{nonsense}", 2)
