"""Bringing an existing library: other tools' layouts, hard names, NFOs, against the fake index."""

import asyncio
import json
import os
import subprocess

import imageio_ffmpeg
import pytest
from channels.layers import get_channel_layer
from django.core.management import call_command

from aniworld.http import reset_clients
from aniworld.progress import group_name
from library import signals
from library.models import ScanRun, Series
from library.scanning import create_scan_run
from tests.fakes.media import video_encoder
from tests.fakes.tmdb import FAKE_API_KEY, FakeTmdb

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]


def make_folder(root, name, files=(), nfo=None):
    folder = root / name
    folder.mkdir(parents=True)
    for relative in files:
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"video")
    if nfo is not None:
        (folder / "tvshow.nfo").write_text(nfo)
    return folder


def snapshot(root):
    """Every path under the root with its size and modification time."""
    return {
        (
            path,
            os.stat(os.path.join(path, name)).st_size,
            os.stat(os.path.join(path, name)).st_mtime_ns,
        )
        for path, _, names in os.walk(root)
        for name in names
    }


@pytest.fixture
def existing_library(library_root):
    """A library made by hand and by other tools, none of it known to us yet."""
    # AniWorld-Downloader's default layout, with the IMDb id in the folder name.
    make_folder(
        library_root,
        "Re Zero Kara (2016) [imdbid-tt5607616]",
        ["Season 1/Re Zero Kara S01E001.mkv", "Season 1/Re Zero Kara S01E002.mkv"],
    )
    # The issue's folder: no id, a title the site's literal search cannot find.
    make_folder(library_root, "Re Zero Kara (2020)", ["Season 01/S01E001 - Das Ende.mkv"])
    # AniLoader: "Title (Year) [imdbid]/Season 01/S01E001 - Title.mkv".
    make_folder(
        library_root,
        "Kimetsu no Yaiba (2019) [tt9335498]",
        ["Season 01/S01E001 - Grausamkeit.mkv"],
    )
    # Sonarr: "Series (Year)/Season 01/Series - S01E01 - Title.mkv", and an NFO with ids.
    make_folder(
        library_root,
        "Shingeki no Kyojin",
        ["Season 01/Shingeki no Kyojin - S01E01 - To You.mkv"],
        nfo='<tvshow><title>Angriff der Titanen</title><uniqueid type="imdb">tt2560140</uniqueid></tvshow>',
    )
    # The seed's flat layout, with the language in the name.
    make_folder(library_root, "Hells Paradise", ["Hells Paradise - S01E001 - (German Dub).mp4"])
    # Exact title and year, on s.to.
    make_folder(library_root, "Dark (2017)", ["Season 01/Dark - S01E01 - Geheimnisse.mkv"])
    # Nothing on either site.
    make_folder(library_root, "My Holiday Videos", ["clip.mp4"])
    return library_root


@pytest.fixture(scope="module")
def tmdb_server():
    with FakeTmdb() as fake:
        yield fake


@pytest.fixture
def tmdb_key(tmdb_server, settings, monkeypatch):
    """The fake TMDB, with its key configured for the installation."""
    tmdb_server.reset()
    reset_clients()
    settings.TMDB_API_URL = tmdb_server.api_url
    settings.TMDB_IMAGE_URL = tmdb_server.image_url
    monkeypatch.setenv("TMDB_API_KEY", FAKE_API_KEY)
    yield tmdb_server
    reset_clients()


def unmatched_by_folder(api):
    response = api.get("/api/anime/unmatched")
    assert response.status_code == 200
    return {entry["folder"]: entry for entry in response.json()}


def test_folders_are_matched_by_imdb_id_title_and_year(
    api, aniworld_site, sto_site, existing_library
):
    folders = unmatched_by_folder(api)
    assert len(folders) == 7

    assert {folder: entry["episodes"] for folder, entry in folders.items()} == {
        "Re Zero Kara (2016) [imdbid-tt5607616]": 2,
        "Re Zero Kara (2020)": 1,
        "Kimetsu no Yaiba (2019) [tt9335498]": 1,
        "Shingeki no Kyojin": 1,
        "Hells Paradise": 1,
        "Dark (2017)": 1,
        "My Holiday Videos": 0,
    }
    by_id = folders["Re Zero Kara (2016) [imdbid-tt5607616]"]
    assert by_id["matches"][0]["key"] == "rezero-starting-life-in-another-world"
    assert by_id["matches"][0]["confidence"] == 1.0
    assert by_id["reason"] == "IMDb id tt5607616 matches"
    assert by_id["confident"] is True

    # The issue's example: found through its longest word, ranked first, but to be chosen.
    issue = folders["Re Zero Kara (2020)"]
    assert issue["matches"][0]["key"] == "rezero-starting-life-in-another-world"
    assert 0.3 < issue["confidence"] < 0.9
    assert "year differs (2016)" in issue["reason"]
    assert issue["confident"] is False

    aniloader = folders["Kimetsu no Yaiba (2019) [tt9335498]"]
    assert aniloader["matches"][0]["key"] == "demon-slayer-kimetsu-no-yaiba"
    assert aniloader["confident"] is True

    # The NFO's IMDb id finds the series under its German title's search.
    nfo = folders["Shingeki no Kyojin"]
    assert nfo["matches"][0]["key"] == "attack-on-titan"
    assert nfo["reason"] == "IMDb id tt2560140 matches"

    # Equally sure on both sites, but the same series (one IMDb id): still confident.
    apostrophe = folders["Hells Paradise"]
    assert [(m["site"], m["key"], m["confidence"]) for m in apostrophe["matches"]] == [
        ("aniworld.to", "hells-paradise", 0.9),
        ("s.to", "hells-paradise-jigokuraku", 0.9),
    ]
    assert apostrophe["matches"][0]["imdb_id"] == "tt13911628"
    assert apostrophe["confident"] is True

    assert folders["My Holiday Videos"]["matches"] == []
    assert folders["My Holiday Videos"]["confidence"] is None


def test_matches_come_most_confident_first(api, aniworld_site, sto_site, existing_library):
    dark = unmatched_by_folder(api)["Dark (2017)"]
    assert [(m["site"], m["key"]) for m in dark["matches"]] == [
        ("s.to", "dark"),
        ("aniworld.to", "dark-gathering"),
    ]
    confidences = [m["confidence"] for m in dark["matches"]]
    assert confidences == sorted(confidences, reverse=True)
    assert dark["matches"][0]["reason"] == "title 100 % similar, year matches"
    assert dark["matches"][1]["confident"] is False


def test_a_tmdb_id_in_the_nfo_is_mapped_to_imdb_through_tmdb(
    api, aniworld_site, sto_site, library_root, tmdb_key
):
    make_folder(
        library_root,
        "Attack (2013)",
        nfo='<tvshow><title>Attack</title><uniqueid type="tmdb">1429</uniqueid></tvshow>',
    )
    entry = unmatched_by_folder(api)["Attack (2013)"]
    assert entry["matches"][0]["key"] == "attack-on-titan"
    assert entry["reason"] == "IMDb id tt2560140 matches"


def test_a_second_folder_of_the_same_series_is_not_attached_but_shown_as_a_duplicate(
    api, aniworld_site, sto_site, library_root, capsys
):
    make_folder(library_root, "Dark (2017)")
    make_folder(library_root, "Dark [2017]")
    call_command("import_library", "--dry-run", "--attach-confident")
    out = capsys.readouterr().out
    assert "would attach 1" in out
    assert "1 of a series already in the library" in out

    response = api.post("/api/anime/unmatched/attach-confident", {}, format="json")
    assert [r["folder"] for r in response.json()["results"]] == ["Dark (2017)"]
    left = unmatched_by_folder(api)["Dark [2017]"]
    assert left["matches"][0]["in_library"] is True
    assert left["confident"] is False


def test_matches_found_while_a_site_was_down_are_not_kept(
    api, aniworld_site, sto_site, library_root
):
    make_folder(library_root, "Dark (2017)")
    aniworld_site.serve_challenge(503)
    sites = [m["site"] for m in unmatched_by_folder(api)["Dark (2017)"]["matches"]]
    assert sites == ["s.to"]
    aniworld_site.serve_challenge(None)
    sites = [m["site"] for m in unmatched_by_folder(api)["Dark (2017)"]["matches"]]
    assert sites == ["s.to", "aniworld.to"]


def test_each_query_is_asked_once_per_import(aniworld_site, sto_site, library_root):
    make_folder(library_root, "Dark (2017)")
    make_folder(library_root, "Dark [2017]")
    call_command("import_library", "--dry-run")
    searches = [r for r in sto_site.server.requests if r.path == "/api/search/suggest"]
    assert [r.arg("term") for r in searches] == ["Dark"]


def test_a_dry_run_changes_nothing(aniworld_site, sto_site, existing_library, capsys):
    before = snapshot(existing_library)
    call_command("import_library", "--dry-run", "--attach-confident")
    out = capsys.readouterr().out
    assert snapshot(existing_library) == before
    assert not Series.objects.exists()
    assert not ScanRun.objects.exists()
    assert "would attach" in out
    assert "Dry run: nothing was changed." in out
    assert "7 folder(s): 5 confident, would attach 5" in out


def test_import_library_attaches_the_confident_matches_and_prints_a_table(
    aniworld_site, sto_site, existing_library, capsys
):
    call_command("import_library", "--attach-confident")
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("Folder"))
    assert header.split() == ["Folder", "Episodes", "Best", "match", "Confidence", "Why", "Outcome"]
    dark = next(line for line in lines if line.startswith("Dark (2017)"))
    assert dark.split("  ")[0] == "Dark (2017)"
    assert "Dark (s.to)" in dark
    assert "100 %" in dark
    assert "title 100 % similar, year matches" in dark
    # Its (2016) folder was attached first: this one is a second folder of that series.
    row = next(line for line in lines if line.startswith("Re Zero Kara (2020)"))
    assert row.rstrip().endswith("series already in the library")
    assert (
        "7 folder(s): 5 confident, attached 5, 0 to choose by hand, 1 without a match, "
        "1 of a series already in the library" in out
    )

    assert sorted(Series.objects.values_list("key", "folder")) == [
        ("attack-on-titan", "Shingeki no Kyojin"),
        ("dark", "Dark (2017)"),
        ("demon-slayer-kimetsu-no-yaiba", "Kimetsu no Yaiba (2019) [tt9335498]"),
        ("hells-paradise", "Hells Paradise"),
        ("rezero-starting-life-in-another-world", "Re Zero Kara (2016) [imdbid-tt5607616]"),
    ]
    data = json.loads((existing_library / "Dark (2017)" / "data").read_text())
    assert data == {"key": "dark", "name": "Dark", "site": "s.to", "folder": "Dark (2017)"}
    # The files stay where they are, and each layout's episodes are on disk.
    rezero = Series.objects.get(key="rezero-starting-life-in-another-world")
    assert sorted(rezero.episodes.filter(is_downloaded=True).values_list("season", "number")) == [
        (1, 1),
        (1, 2),
    ]
    assert rezero.episodes.get(number=1).file_path == (
        "Re Zero Kara (2016) [imdbid-tt5607616]/Season 1/Re Zero Kara S01E001.mkv"
    )
    hells = Series.objects.get(key="hells-paradise").episodes.get(season=1, number=1)
    assert (hells.is_downloaded, hells.downloaded_language) == (True, "german-dub")
    run = ScanRun.objects.get()
    assert (run.kind, run.status, run.total, run.done) == ("import", "completed", 7, 7)
    assert run.summary["attached"] == 5


def test_attach_confident_attaches_in_one_call_and_leaves_the_rest(
    api, aniworld_site, sto_site, existing_library
):
    dry = api.post("/api/anime/unmatched/attach-confident", {"dry_run": True}, format="json")
    assert dry.status_code == 200
    assert dry.json()["attached"] == 0
    assert {r["outcome"] for r in dry.json()["results"]} == {"would attach"}
    assert not Series.objects.exists()

    added, loaded = [], []

    def heard_added(sender, series, **kwargs):
        added.append(series.key)

    def heard_loaded(sender, series, **kwargs):
        loaded.append(series.key)

    signals.series_added.connect(heard_added)
    signals.series_loaded.connect(heard_loaded)
    try:
        response = api.post("/api/anime/unmatched/attach-confident", {}, format="json")
    finally:
        signals.series_added.disconnect(heard_added)
        signals.series_loaded.disconnect(heard_loaded)
    assert response.status_code == 200
    assert response.json()["attached"] == 5
    left = unmatched_by_folder(api)
    assert sorted(left) == ["My Holiday Videos", "Re Zero Kara (2020)"]
    attached = sorted(Series.objects.values_list("key", flat=True))
    assert sorted(added) == sorted(loaded) == attached


def test_the_import_runs_in_the_background_with_scan_progress(
    api, aniworld_site, sto_site, existing_library
):
    response = api.post("/api/anime/unmatched/import", {}, format="json")
    assert response.status_code == 202
    assert response.json()["kind"] == "import"
    last = api.get("/api/anime/scan").json()["last"]
    assert last["kind"] == "import"
    assert last["summary"]["folders"] == 7
    assert last["summary"]["attached"] == 0
    assert not Series.objects.exists()
    # The matches it found are what the unmatched list now answers with, without asking again.
    aniworld_site.server.requests.clear()
    assert unmatched_by_folder(api)["Dark (2017)"]["matches"][0]["key"] == "dark"
    assert aniworld_site.server.requests == []


def tagged_video(path, audio, subtitles=None):
    """A real one-second video whose audio (and subtitle) streams carry language tags."""
    path.parent.mkdir(parents=True, exist_ok=True)
    inputs = ["-f", "lavfi", "-i", "testsrc=duration=1:size=64x48:rate=5",
              "-f", "lavfi", "-i", "sine=duration=1"]  # fmt: skip
    maps = ["-map", "0:v", "-map", "1:a"]
    tags = ["-metadata:s:a:0", f"language={audio}"]
    if subtitles:
        srt = path.with_suffix(".srt")
        srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nHallo\n")
        inputs += ["-i", str(srt)]
        maps += ["-map", "2:s"]
        tags += ["-metadata:s:s:0", f"language={subtitles}", "-c:s", "srt"]
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y", *inputs, *maps,
         *video_encoder(), "-c:a", "aac", *tags, "-shortest", str(path)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    if subtitles:
        srt.unlink()


def test_a_language_is_read_from_the_audio_tags_when_the_names_have_none(
    api, aniworld_site, library_root
):
    folder = library_root / "Hell's Paradise (2023)"
    tagged_video(folder / "Season 01" / "Hell's Paradise - S01E01 - Insel.mkv", "jpn", "ger")
    tagged_video(folder / "Season 01" / "Hell's Paradise - S01E02 - Schein.mkv", "jpn", "ger")
    response = api.post(
        "/api/anime/unmatched/attach",
        {"folder": "Hell's Paradise (2023)", "key": "hells-paradise", "site": "aniworld.to"},
        format="json",
    )
    assert response.status_code == 201
    episodes = Series.objects.get().episodes.order_by("number")
    assert [(e.number, e.is_downloaded, e.downloaded_language) for e in episodes] == [
        (1, True, "german-sub"),
        (2, True, "german-sub"),
    ]


def test_an_import_run_reports_live_progress_in_the_scan_room(
    api, aniworld_site, sto_site, existing_library
):
    layer = get_channel_layer()
    loop = asyncio.new_event_loop()
    channel = loop.run_until_complete(layer.new_channel())
    loop.run_until_complete(layer.group_add(group_name("scan"), channel))
    try:
        api.post("/api/anime/unmatched/import", {"attach_confident": True}, format="json")

        async def drain():
            events = []
            while True:
                try:
                    message = await asyncio.wait_for(layer.receive(channel), 0.2)
                except TimeoutError:
                    return events
                events.append(message["event"])

        events = loop.run_until_complete(drain())
    finally:
        loop.close()
    types = [event["type"] for event in events]
    assert types[0] == "scan_started"
    assert types[-1] == "scan_completed"
    assert "scan_progress" in types
    assert all(event["data"]["kind"] == "import" for event in events)
    assert events[-1]["data"]["summary"]["attached"] == 5
    assert Series.objects.count() == 5


def test_an_imdb_id_the_index_knows_under_another_title_is_found_through_tmdbs_titles(
    api, aniworld_site, sto_site, library_root, tmdb_key
):
    make_folder(library_root, "Angriff [tt2560140]")
    entry = unmatched_by_folder(api)["Angriff [tt2560140]"]
    assert entry["matches"][0]["key"] == "attack-on-titan"
    assert entry["reason"] == "IMDb id tt2560140 matches"


def test_a_folder_named_by_its_imdb_id_alone_is_found_through_tmdb(
    api, aniworld_site, sto_site, library_root, tmdb_key
):
    make_folder(library_root, "[tt2560140]")
    entry = unmatched_by_folder(api)["[tt2560140]"]
    assert entry["matches"][0]["key"] == "attack-on-titan"
    assert entry["confident"] is True


def test_without_tmdb_such_folders_find_nothing(api, aniworld_site, sto_site, library_root):
    make_folder(library_root, "Angriff [tt2560140]")
    make_folder(library_root, "[tt2560140]")
    folders = unmatched_by_folder(api)
    assert folders["Angriff [tt2560140]"]["matches"] == []
    assert folders["[tt2560140]"]["matches"] == []


def test_an_import_while_a_scan_runs_is_409_and_bad_input_422(api, library_root):
    create_scan_run()
    response = api.post("/api/anime/unmatched/import", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "SCAN_RUNNING"
    response = api.post(
        "/api/anime/unmatched/attach-confident", {"dry_run": "perhaps"}, format="json"
    )
    assert response.status_code == 422
    assert "dry_run" in response.json()["details"]
    assert api.get("/api/anime/nope/rename").status_code == 404
