"""/api/anime against the fake index sites, with a real library folder."""

import json

import pytest

from library import signals
from library.models import Episode

# Transactional: adding a series loads its episodes after the commit (inline here).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]


def add(api, **body):
    return api.post("/api/anime/", body, format="json")


def episode(detail, season, number):
    for block in detail["seasons"]:
        if block["season"] == season:
            for item in block["episodes"]:
                if item["episode"] == number:
                    return item
    raise AssertionError(f"no S{season}E{number}")


def test_adding_a_series_creates_its_folder_data_file_and_episodes(
    api, aniworld_site, library_root
):
    response = add(api, key="attack-on-titan", site="aniworld.to")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["folder"] == "Attack on Titan (2013)"
    folder = library_root / "Attack on Titan (2013)"
    assert json.loads((folder / "data").read_text()) == {
        "key": "attack-on-titan",
        "name": "Attack on Titan",
        "site": "aniworld.to",
        "folder": "Attack on Titan (2013)",
    }
    detail = api.get("/api/anime/attack-on-titan").json()
    assert detail["state"] == "ready"
    assert [s["season"] for s in detail["seasons"]] == [0, 1, 2]
    first = episode(detail, 1, 1)
    assert first["title"] == "Dir, in 2000 Jahren"
    assert first["title_en"] == "To You, in 2000 Years"
    assert set(first["languages"]) == {"german-dub", "german-sub", "english-sub"}
    assert first["missing"] is True
    announced = episode(detail, 1, 3)
    assert announced["available"] is False
    assert announced["missing"] is False


def test_adding_announces_the_series_then_its_loaded_episodes(api, aniworld_site):
    heard = []

    def added(sender, series, **kwargs):
        heard.append(("added", series.key, Episode.objects.filter(series=series).count()))

    def loaded(sender, series, **kwargs):
        heard.append(("loaded", series.key, Episode.objects.filter(series=series).count()))

    signals.series_added.connect(added)
    signals.series_loaded.connect(loaded)
    try:
        add(api, key="attack-on-titan", site="aniworld.to")
    finally:
        signals.series_added.disconnect(added)
        signals.series_loaded.disconnect(loaded)

    assert [event[:2] for event in heard] == [
        ("added", "attack-on-titan"),
        ("loaded", "attack-on-titan"),
    ]
    assert heard[0][2] == 0
    assert heard[1][2] > 0


def test_a_pasted_episode_url_of_either_site_adds_the_series(api, aniworld_site, sto_site):
    url = f"{aniworld_site.url}/anime/stream/hells-paradise/staffel-1/episode-2"
    assert add(api, url=url).json()["key"] == "hells-paradise"
    assert add(api, url=f"{sto_site.url}/serie/dark/staffel-1/episode-1").json()["site"] == "s.to"


def test_a_pasted_url_of_a_mirror_with_a_path_prefix_adds_the_series(
    api, aniworld_site, monkeypatch
):
    aniworld_site.server.path_prefix = "/aw"
    monkeypatch.setenv("ANIWORLD_SITE_URL", f"{aniworld_site.url}/aw")

    response = add(api, url=f"{aniworld_site.url}/aw/anime/stream/hells-paradise/staffel-1")

    assert response.status_code == 201, response.json()
    assert response.json()["key"] == "hells-paradise"
    assert response.json()["provider_url"] == f"{aniworld_site.url}/aw/anime/stream/hells-paradise"


def test_adding_an_existing_key_is_409(api, aniworld_site):
    add(api, key="hells-paradise", site="aniworld.to")
    response = add(api, key="hells-paradise", site="aniworld.to")
    assert response.status_code == 409
    assert response.json()["error"] == "ALREADY_IN_LIBRARY"


def test_an_unknown_key_is_404(api, aniworld_site):
    response = add(api, key="no-such-show", site="aniworld.to")
    assert response.status_code == 404


def test_a_url_of_another_site_is_a_422(api):
    response = add(api, url="https://example.com/anime/x")
    assert response.status_code == 422


def test_adding_needs_a_library_directory(api, aniworld_site, monkeypatch):
    monkeypatch.delenv("ANIME_DIRECTORY")
    response = add(api, key="hells-paradise", site="aniworld.to")
    assert response.status_code == 409
    assert response.json()["error"] == "LIBRARY_NOT_CONFIGURED"


def test_a_bot_check_is_reported_as_such(api, aniworld_site):
    aniworld_site.serve_challenge(503)
    response = add(api, key="hells-paradise", site="aniworld.to")
    assert response.status_code == 503
    assert response.json()["error"] == "BOT_CHALLENGE"
    assert "browser check" in response.json()["message"]


def test_the_list_counts_episodes_and_filters_missing(api, aniworld_site, library_root):
    add(api, key="attack-on-titan", site="aniworld.to")
    add(api, key="hells-paradise", site="aniworld.to")
    season = library_root / "Hell's Paradise (2023)" / "Season 01"
    season.mkdir(parents=True)
    for number in (1, 2):
        (season / f"Hell's Paradise - S01E0{number} - x.mp4").write_bytes(b"video")
    api.post("/api/anime/hells-paradise/rescan", {"remote": False}, format="json")

    listing = api.get("/api/anime/").json()
    assert listing["count"] == 2
    by_key = {s["key"]: s for s in listing["results"]}
    assert by_key["hells-paradise"]["downloaded_count"] == 2
    assert by_key["hells-paradise"]["missing_count"] == 0
    assert by_key["attack-on-titan"]["missing_count"] == 4  # S1E1, S1E2, S2E1, film 1
    missing_only = api.get("/api/anime/?missing=true").json()["results"]
    assert [s["key"] for s in missing_only] == ["attack-on-titan"]
    assert [s["key"] for s in api.get("/api/anime/?search=hell").json()["results"]] == [
        "hells-paradise"
    ]
    ordered = api.get("/api/anime/?ordering=-name").json()["results"]
    assert [s["key"] for s in ordered] == ["hells-paradise", "attack-on-titan"]


def test_an_unknown_ordering_is_a_422(api):
    assert api.get("/api/anime/?ordering=password").status_code == 422


def test_the_list_needs_a_constant_number_of_queries(api, django_assert_max_num_queries):
    from library.models import Episode, Series

    def fill(count):
        for index in range(count):
            series = Series.objects.create(
                key=f"s-{count}-{index}", name=f"S{index}", folder=f"f{count}-{index}"
            )
            Episode.objects.bulk_create(
                Episode(series=series, season=1, number=n, language_mask=1) for n in range(1, 6)
            )

    fill(1)
    with django_assert_max_num_queries(12) as small:
        api.get("/api/anime/?page_size=100")
    fill(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        api.get("/api/anime/?page_size=100")


def test_language_preference_decides_what_counts_as_missing(api, aniworld_site, settings):
    from aniworld import config

    add(api, key="the-ogres-bride", site="aniworld.to")
    detail = api.get("/api/anime/the-ogres-bride").json()
    assert episode(detail, 1, 10)["missing"] is True  # german-sub is wanted by default
    config.store().update({"downloads": {"language_order": ["german-dub"]}})
    detail = api.get("/api/anime/the-ogres-bride").json()
    assert episode(detail, 1, 10)["missing"] is False


def test_an_episode_on_disk_in_a_worse_language_offers_an_upgrade(api, aniworld_site, library_root):
    add(api, key="attack-on-titan", site="aniworld.to")
    season = library_root / "Attack on Titan (2013)"
    (season / "Attack on Titan - S01E001 - (German Sub).mp4").write_bytes(b"v")
    api.post("/api/anime/attack-on-titan/rescan", {"remote": False}, format="json")
    first = episode(api.get("/api/anime/attack-on-titan").json(), 1, 1)
    assert first["is_downloaded"] is True
    assert first["downloaded_language"] == "german-sub"
    assert first["upgrade_available"] is True
    assert first["missing"] is False


def test_the_detail_of_an_unknown_series_is_404(api):
    response = api.get("/api/anime/nope")
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND"


def test_deleting_keeps_files_unless_asked(api, aniworld_site, library_root):
    add(api, key="hells-paradise", site="aniworld.to")
    assert api.delete("/api/anime/hells-paradise").status_code == 204
    assert (library_root / "Hell's Paradise (2023)").is_dir()
    add(api, key="hells-paradise", site="aniworld.to")
    assert api.delete("/api/anime/hells-paradise?delete_files=true").status_code == 204
    assert not (library_root / "Hell's Paradise (2023)").exists()
    assert api.get("/api/anime/hells-paradise").status_code == 404


def test_search_marks_what_is_in_the_library(api, aniworld_site, sto_site):
    add(api, key="hells-paradise", site="aniworld.to")
    results = api.get("/api/anime/search?q=hell&site=aniworld.to").json()
    assert {"key": "hells-paradise", "in_library": True}.items() <= results[0].items()
    assert set(results[0]) == {"key", "name", "site", "url", "year", "cover_url", "in_library"}
    both = api.get("/api/anime/search?q=dark").json()
    assert any(r["site"] == "s.to" and r["key"] == "dark" for r in both)


def test_search_needs_a_query_and_a_known_site(api):
    assert api.get("/api/anime/search").status_code == 422
    assert api.get("/api/anime/search?q=x&site=example.com").status_code == 422


def test_missing_groups_episodes_by_series(api, aniworld_site):
    add(api, key="hells-paradise", site="aniworld.to")
    body = api.get("/api/anime/missing").json()
    assert body["count"] == 2
    assert body["series"][0]["key"] == "hells-paradise"
    assert [e["episode"] for e in body["series"][0]["episodes"]] == [1, 2]


def test_a_failing_provider_keeps_the_previous_episode_list(api, aniworld_site):
    add(api, key="hells-paradise", site="aniworld.to")
    aniworld_site.serve_challenge(403)
    response = api.post("/api/anime/hells-paradise/rescan", {}, format="json")
    assert response.status_code == 202
    detail = api.get("/api/anime/hells-paradise").json()
    assert detail["state"] == "error"
    assert "browser check" in detail["error"]
    assert len(detail["seasons"][0]["episodes"]) == 2
    last = api.get("/api/anime/scan").json()["last"]
    assert last["status"] == "completed"
    assert "browser check" in last["errors"][0]


@pytest.mark.parametrize("key", ["../etc", "..%2F..%2Fetc", "a/b"])
def test_keys_that_are_not_slugs_are_not_found(api, key):
    assert api.get(f"/api/anime/{key}").status_code == 404
