"""Renaming a series' files to our naming template: preview, apply, never overwrite."""

import pytest

from library.models import Episode
from library.renaming import move_without_overwriting
from library.signals import episode_renamed
from tests.factories import make_episode, make_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def sonarr_series(library_root):
    """A series attached from a Sonarr folder: its files keep Sonarr's names."""
    folder = library_root / "Attack on Titan (2013)"
    (folder / "Season 1").mkdir(parents=True)
    series = make_series(
        "attack-on-titan", "Attack on Titan", year=2013, folder=folder.name, state="ready"
    )
    for number, title, language in (
        (1, "Dir, in 2000 Jahren", "german-dub"),
        (2, "An jenem Tag", ""),
    ):
        name = f"Season 1/Attack.on.Titan.S01E0{number}.1080p.mkv"
        (folder / name).write_bytes(b"episode %d" % number)
        make_episode(
            series,
            1,
            number,
            language_mask=0,
            title=title,
            is_downloaded=True,
            file_path=f"{folder.name}/{name}",
            downloaded_language=language,
        )
    return series


def test_the_preview_lists_old_and_new_paths_and_changes_nothing(api, sonarr_series, library_root):
    response = api.get("/api/anime/attack-on-titan/rename")
    assert response.status_code == 200
    assert response.json() == {
        "key": "attack-on-titan",
        "count": 2,
        "renames": [
            {
                "season": 1,
                "episode": 1,
                "old": "Attack on Titan (2013)/Season 1/Attack.on.Titan.S01E01.1080p.mkv",
                "new": "Attack on Titan (2013)/Season 01/Attack on Titan - S01E01 - Dir, in 2000 Jahren.mkv",
                "problem": "",
                "sidecars": [],
            },
            {
                "season": 1,
                "episode": 2,
                "old": "Attack on Titan (2013)/Season 1/Attack.on.Titan.S01E02.1080p.mkv",
                "new": "Attack on Titan (2013)/Season 01/Attack on Titan - S01E02 - An jenem Tag.mkv",
                "problem": "",
                "sidecars": [],
            },
        ],
    }
    assert (
        library_root / "Attack on Titan (2013)/Season 1/Attack.on.Titan.S01E01.1080p.mkv"
    ).exists()


def test_applying_renames_the_files_records_them_and_announces_it(api, sonarr_series, library_root):
    announced = []

    def receiver(sender, episode, old_path, new_path, **kwargs):
        announced.append((old_path, new_path))

    episode_renamed.connect(receiver)
    try:
        response = api.post("/api/anime/attack-on-titan/rename")
    finally:
        episode_renamed.disconnect(receiver)
    assert response.status_code == 200
    assert len(response.json()["renamed"]) == 2
    new = "Attack on Titan (2013)/Season 01/Attack on Titan - S01E01 - Dir, in 2000 Jahren.mkv"
    assert (library_root / new).read_bytes() == b"episode 1"
    assert not (library_root / "Attack on Titan (2013)" / "Season 1").exists()
    assert Episode.objects.get(number=1).file_path == new
    assert announced == [
        ("Attack on Titan (2013)/Season 1/Attack.on.Titan.S01E01.1080p.mkv", new),
        (
            "Attack on Titan (2013)/Season 1/Attack.on.Titan.S01E02.1080p.mkv",
            "Attack on Titan (2013)/Season 01/Attack on Titan - S01E02 - An jenem Tag.mkv",
        ),
    ]
    assert api.get("/api/anime/attack-on-titan/rename").json()["count"] == 0


def test_an_existing_file_is_never_overwritten(api, sonarr_series, library_root):
    taken = (
        library_root
        / "Attack on Titan (2013)/Season 01/Attack on Titan - S01E02 - An jenem Tag.mkv"
    )
    taken.parent.mkdir()
    taken.write_bytes(b"somebody else's file")
    preview = api.get("/api/anime/attack-on-titan/rename").json()
    assert preview["count"] == 1
    assert preview["renames"][1]["problem"] == "another file already has the new name"
    result = api.post("/api/anime/attack-on-titan/rename").json()
    assert [r["episode"] for r in result["renamed"]] == [1]
    assert [r["episode"] for r in result["refused"]] == [2]
    assert taken.read_bytes() == b"somebody else's file"
    assert Episode.objects.get(number=2).file_path.endswith("Attack.on.Titan.S01E02.1080p.mkv")


def test_a_file_appearing_at_the_target_is_not_overwritten(tmp_path):
    source, target = tmp_path / "a.mkv", tmp_path / "b.mkv"
    source.write_bytes(b"a")
    target.write_bytes(b"b")
    with pytest.raises(FileExistsError):
        move_without_overwriting(source, target)
    assert (source.read_bytes(), target.read_bytes()) == (b"a", b"b")


def test_the_series_page_previews_and_applies_the_renames(
    owner_client, sonarr_series, library_root
):
    preview = owner_client.get("/series/attack-on-titan/rename").content.decode()
    assert "Rename files: 2 files, see the list" in preview
    assert "Attack.on.Titan.S01E01.1080p.mkv" in preview
    done = owner_client.post("/series/attack-on-titan/rename", HTTP_HX_REQUEST="true")
    assert "Renamed 2 files" in done.content.decode()
    assert Episode.objects.get(number=2).file_path.endswith(
        "Attack on Titan - S01E02 - An jenem Tag.mkv"
    )


def test_subtitles_and_info_files_named_after_the_video_move_along(
    api, sonarr_series, library_root
):
    season = library_root / "Attack on Titan (2013)" / "Season 1"
    (season / "Attack.on.Titan.S01E01.1080p.de.srt").write_text("1\n")
    (season / "Attack.on.Titan.S01E01.1080p.nfo").write_text("<episodedetails/>")
    first = api.get("/api/anime/attack-on-titan/rename").json()["renames"][0]
    new_stem = "Attack on Titan (2013)/Season 01/Attack on Titan - S01E01 - Dir, in 2000 Jahren"
    assert first["sidecars"] == [
        {"old": "Attack on Titan (2013)/Season 1/Attack.on.Titan.S01E01.1080p.de.srt",
         "new": f"{new_stem}.de.srt"},
        {"old": "Attack on Titan (2013)/Season 1/Attack.on.Titan.S01E01.1080p.nfo",
         "new": f"{new_stem}.nfo"},
    ]  # fmt: skip
    api.post("/api/anime/attack-on-titan/rename")
    assert (library_root / f"{new_stem}.de.srt").read_text() == "1\n"
    assert (library_root / f"{new_stem}.nfo").exists()
    assert not season.exists()
