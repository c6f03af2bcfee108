"""Full library scans: re-attaching folders, unmatched folders, attach, commands."""

import json

import pytest
from django.core.management import call_command

from library.models import Series
from tests.factories import add_series

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]


def make_folder(root, name, files=(), data=None):
    folder = root / name
    folder.mkdir(parents=True)
    for relative in files:
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"video")
    if data is not None:
        (folder / "data").write_text(json.dumps(data))
    return folder


def test_a_full_scan_re_attaches_folders_through_their_data_files(api, aniworld_site, library_root):
    make_folder(
        library_root,
        "Hells Paradise",
        ["Season 01/Hell's Paradise - S01E01 - Tödliche Insel.mkv", "poster.jpg"],
        data={
            "key": "hells-paradise",
            "name": "Hell's Paradise",
            "site": "aniworld.to",
            "folder": "Hells Paradise",
        },
    )
    response = api.post("/api/anime/rescan", {}, format="json")
    assert response.status_code == 202
    series = Series.objects.get(key="hells-paradise")
    assert series.folder == "Hells Paradise"
    assert series.state == "ready"
    downloaded = {(e.season, e.number): e.is_downloaded for e in series.episodes.all()}
    assert downloaded == {(1, 1): True, (1, 2): False}
    last = api.get("/api/anime/scan").json()["last"]
    assert last["summary"]["series"] == 1
    assert last["summary"]["episodes_on_disk"] == 1


def test_a_deleted_file_is_missing_again_after_a_scan(api, aniworld_site, library_root):
    add_series(api, "hells-paradise")
    episode_file = library_root / "Hell's Paradise (2023)" / "Hell's Paradise - S01E02.mp4"
    episode_file.write_bytes(b"v")
    call_command("scan", "--no-remote")
    assert Series.objects.get().episodes.get(number=2).is_downloaded
    episode_file.unlink()
    call_command("scan", "--no-remote")
    assert not Series.objects.get().episodes.get(number=2).is_downloaded


def test_folders_without_a_data_file_are_listed_with_matches_and_can_be_attached(
    api, aniworld_site, sto_site, library_root
):
    make_folder(library_root, "Attack on Titan (2013)", ["S01E01.mp4"])
    unmatched = api.get("/api/anime/unmatched").json()
    assert [u["folder"] for u in unmatched] == ["Attack on Titan (2013)"]
    assert unmatched[0]["matches"][0]["key"] == "attack-on-titan"

    response = api.post(
        "/api/anime/unmatched/attach",
        {"folder": "Attack on Titan (2013)", "key": "attack-on-titan", "site": "aniworld.to"},
        format="json",
    )
    assert response.status_code == 201
    assert (library_root / "Attack on Titan (2013)" / "data").exists()
    assert api.get("/api/anime/unmatched").json() == []
    detail = api.get("/api/anime/attack-on-titan").json()
    first = next(e for e in detail["seasons"][1]["episodes"] if e["episode"] == 1)
    assert first["is_downloaded"] is True


@pytest.mark.parametrize(
    ("folder", "status"),
    [("../outside", 422), ("/etc", 422), ("Attack/../../x", 422), ("missing", 404)],
)
def test_attach_refuses_folders_outside_the_library_or_absent(api, aniworld_site, folder, status):
    response = api.post(
        "/api/anime/unmatched/attach",
        {"folder": folder, "key": "attack-on-titan", "site": "aniworld.to"},
        format="json",
    )
    assert response.status_code == status  # 422: not a folder of the library; 404: none there
    assert not Series.objects.exists()


def test_a_second_scan_while_one_runs_is_409(api):
    from library.scanning import create_scan_run

    create_scan_run()
    response = api.post("/api/anime/rescan", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "SCAN_RUNNING"
    assert api.get("/api/anime/scan").json()["running"]["status"] == "running"


def test_an_interrupted_scan_is_marked_failed_at_start():
    from library.models import ScanRun
    from library.scanning import create_scan_run, recover_interrupted_scans

    run = create_scan_run()
    recover_interrupted_scans()
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.errors == ["interrupted by a restart"]
    assert ScanRun.objects.filter(status="running").count() == 0


def test_the_scan_command_prints_a_summary(aniworld_site, library_root, capsys):
    make_folder(
        library_root,
        "Attack on Titan (2013)",
        ["Season 01/Attack on Titan - S01E01.mp4"],
        data={
            "key": "attack-on-titan",
            "name": "Attack on Titan",
            "site": "aniworld.to",
            "folder": "Attack on Titan (2013)",
        },
    )
    make_folder(library_root, "Unknown Show", ["S01E01.mp4"])
    call_command("scan")
    out = capsys.readouterr().out
    assert "Scanned 1 series: 1 episodes on disk" in out
    assert "unmatched: Unknown Show" in out


def test_import_legacy_reads_data_files_without_asking_the_sites(library_root, capsys):
    make_folder(
        library_root,
        "Dark (2017)",
        ["Dark - S01E001 - (German Dub).mp4"],
        data={"key": "dark", "name": "Dark", "site": "s.to", "folder": "Dark (2017)"},
    )
    call_command("import_legacy")
    assert "Imported 1 series" in capsys.readouterr().out
    episode = Series.objects.get(key="dark").episodes.get()
    assert (episode.season, episode.number, episode.downloaded_language) == (1, 1, "german-dub")
