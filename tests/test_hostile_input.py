"""Hostile input at the API: path traversal, oversized and malformed bodies, huge
lists, odd characters. Every answer is a clear 4xx in the error contract's shape,
and nothing is written outside the library (or anywhere, when refused)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.conf import settings

from downloads.models import DownloadItem
from library import tasks
from library.models import Series
from tests.factories import queue_episode

pytestmark = pytest.mark.django_db

SERIES_KEY = "attack-on-titan"
ERROR_KEYS = {"success", "error", "message", "details", "request_id"}

TRAVERSING_KEYS = [
    "..",
    "../etc",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e",
    "%2e%2e%2f%2e%2e%2fetc",
    "%252e%252e%252f",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "%00",
    "attack-on-titan%00",
    "..%5C..%5Cwindows",
    "C:%5Cwindows",
]
# Folder names and the answer: 422 for a name that is not one folder inside the library
# (a path, a way out, the root itself, a link leading outside), 404 for a plain name no
# folder there has (``~`` is not expanded, ``%2e%2e`` not decoded: names like any other).
TRAVERSING_FOLDERS = [
    ("..", 422),
    (".", 422),
    ("../outside", 422),
    ("../../etc", 422),
    ("Attack on Titan/../../outside", 422),
    ("/etc", 422),
    ("/tmp", 422),
    ("~", 404),
    ("~/x", 404),
    ("..\\outside", 422),
    ("C:\\Windows", 422),
    ("%2e%2e", 404),
    ("x\x00y", 422),
    ("linked-outside", 422),
    ("", 422),
]
TRAVERSING_TEMPLATES = [
    "../x/{series} - S{season}E{episode}",
    "Season {season}/../../{episode} {season}",
    "/etc/{season}{episode}",
    "\\\\server\\share\\{season}{episode}",
    "C:\\x\\{season}{episode}",
    "{series}/..\\..\\{season}{episode}",
    "./{season}/{episode}",
]
TRAVERSING_BACKUP_NAMES = [
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2fcanary",
    "../canary",
    "/etc/passwd",
    "aniworld-backup-20260101-000000.zip%2F..%2F..%2Fcanary",
    "aniworld-backup-20260101-000000.zip%00",
]


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["success"] is False
    assert body["message"]
    assert body["request_id"] == response["X-Request-ID"]
    return body


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


@pytest.fixture
def series(series, api):
    """The shared series, loaded again, and one episode queued (queue stopped): the
    things the paths of the routes name."""
    tasks.refresh_series(Series.objects.get(key=SERIES_KEY).id)
    api.post("/api/queue/stop")
    return {
        "key": SERIES_KEY,
        "item_id": queue_episode(api, 1, 1, key=SERIES_KEY).id,
        "name": "aniworld-backup-20260101-000000.zip",
    }


def body_routes(existing: dict) -> list[tuple[str, str]]:
    """(method, path) of every POST, PUT and PATCH operation of the served schema, its
    path parameters naming things that exist."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    routes = []
    for template, item in document["paths"].items():
        for method in ("post", "put", "patch"):
            if method in item:
                routes.append((method, template.format(**existing)))
    assert len(routes) > 15
    return routes


def send(api, method: str, path: str, body: bytes | str, content_type: str):
    return getattr(api, method)(path, body, content_type=content_type)


# --- path traversal -----------------------------------------------------------


@pytest.mark.parametrize("key", TRAVERSING_KEYS)
def test_traversal_in_a_series_key_is_a_404_and_touches_nothing(api, series, library_root, key):
    before = files_under(library_root.parent)
    for method, path in [
        ("get", f"/api/anime/{key}"),
        ("delete", f"/api/anime/{key}?delete_files=true"),
        ("post", f"/api/anime/{key}/rescan"),
        ("get", f"/api/nfo/{key}"),
        ("post", f"/api/nfo/{key}"),
        ("get", f"/api/nfo/{key}/content"),
    ]:
        assert_error(getattr(api, method)(path), 404)
    assert files_under(library_root.parent) == before
    assert list(Series.objects.values_list("key", flat=True)) == [SERIES_KEY]


@pytest.mark.parametrize("key", ["..", "../../etc", "/etc/passwd", "a\x00b", "a/../b", "é"])
def test_traversal_in_a_series_key_in_a_body_is_a_422(api, series, library_root, key):
    before = files_under(library_root.parent)
    for path, body in [
        ("/api/anime/", {"key": key, "site": "aniworld.to"}),
        ("/api/anime/unmatched/attach", {"folder": "x", "key": key, "site": "aniworld.to"}),
        ("/api/queue/add", {"series_key": key, "episodes": [{"season": 1, "episode": 1}]}),
        ("/api/nfo/batch", {"keys": [key]}),
    ]:
        assert_error(api.post(path, body, format="json"), 422)
    assert files_under(library_root.parent) == before
    assert DownloadItem.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://aniworld.to/anime/stream/%2e%2e",
        "https://aniworld.to/anime/stream/..%2F..%2Fetc",
        "https://aniworld.to/anime/stream/%00",
        "https://s.to/serie/%2e%2e%2f%2e%2e",
        "https://s.to/serie/stream/..%5C..%5Cx",
        "https://[aniworld.to/anime/stream/x",
    ],
)
def test_a_pasted_url_smuggling_a_key_is_a_422(api, world, library_root, url):
    body = assert_error(api.post("/api/anime/", {"url": url}, format="json"), 422)
    assert "url" in body["details"]
    assert not Series.objects.exists()
    assert files_under(library_root) == []


@pytest.mark.parametrize(("folder", "status"), TRAVERSING_FOLDERS)
def test_traversal_in_a_folder_name_never_attaches_outside_the_library(
    api, world, library_root, folder, status
):
    outside = library_root.parent / "outside"
    outside.mkdir()
    (library_root / "Attack on Titan").mkdir()
    (library_root / "linked-outside").symlink_to(outside, target_is_directory=True)
    before = files_under(library_root.parent)

    response = api.post(
        "/api/anime/unmatched/attach",
        {"folder": folder, "key": SERIES_KEY, "site": "aniworld.to"},
        format="json",
    )

    assert_error(response, status)
    assert files_under(library_root.parent) == before
    assert not Series.objects.exists()


def test_the_real_unmatched_folder_still_attaches(api, world, library_root):
    (library_root / "Attack on Titan").mkdir()
    response = api.post(
        "/api/anime/unmatched/attach",
        {"folder": "Attack on Titan", "key": SERIES_KEY, "site": "aniworld.to"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (library_root / "Attack on Titan" / "data").is_file()


@pytest.mark.parametrize("template", TRAVERSING_TEMPLATES)
def test_a_naming_template_leaving_the_series_folder_is_refused(owner_client, template):
    response = owner_client.patch(
        "/api/config",
        {"downloads": {"naming_template": template}},
        content_type="application/json",
    )
    body = assert_error(response, 422)
    assert "downloads.naming_template" in body["details"]
    from aniworld import config

    assert config.current()["downloads"]["naming_template"] != template


@pytest.mark.parametrize("name", TRAVERSING_BACKUP_NAMES)
def test_traversal_in_a_backup_name_is_refused_and_deletes_nothing(
    owner_client, name, settings, tmp_path
):
    settings.BACKUP_DIR = tmp_path / "data" / "backups"
    settings.BACKUP_DIR.mkdir(parents=True)
    canary = tmp_path / "data" / "canary"
    canary.write_text("still here")
    config_before = settings.ANIWORLD_CONFIG_FILE.read_bytes()

    restore = owner_client.post(
        f"/api/config/backups/{name}/restore", "{}", content_type="application/json"
    )
    delete = owner_client.delete(f"/api/config/backups/{name}")

    # 404: no route takes a name with a slash (decoded or not); no backup has the others.
    assert_error(restore, 404)
    assert_error(delete, 404)
    assert canary.read_text() == "still here"
    assert settings.ANIWORLD_CONFIG_FILE.read_bytes() == config_before


# --- bodies -------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_on_every_route(api, series):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    big_json = json.dumps({"padding": "x" * limit})
    big_form = "padding=" + "x" * limit
    for method, path in body_routes(series):
        for body, content_type in [
            (big_json, "application/json"),
            (big_form, "application/x-www-form-urlencoded"),
        ]:
            body_shape = assert_error(send(api, method, path, body, content_type), 413)
            assert body_shape["error"] == "PAYLOAD_TOO_LARGE", (method, path)
    assert Series.objects.count() == 1
    assert DownloadItem.objects.count() == 1


def test_a_body_over_the_limit_is_a_413_before_logging_in(client, configured):
    body = json.dumps({"password": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    assert_error(client.post("/api/auth/login", body, content_type="application/json"), 413)


def test_too_many_form_fields_is_a_400_not_a_500(api, series):
    count = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    fields = "&".join(f"item_ids={n}" for n in range(1, count + 1))
    response = api.post(
        "/api/queue/reorder", fields, content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 400)


@pytest.mark.parametrize(
    "body",
    [
        "{oops",
        '{"key": "attack-on-titan",}',
        "[1, 2",
        "nul",
        '{"a": 1}}',
        b"\xff\xfe{}",
        "{'a': 1}",
    ],
)
def test_malformed_json_is_a_400_on_every_route(api, series, body):
    for method, path in body_routes(series):
        response = send(api, method, path, body, "application/json")
        assert assert_error(response, 400)["error"] == "BAD_REQUEST", (method, path)
    assert Series.objects.count() == 1
    assert list(DownloadItem.objects.values_list("status", flat=True)) == ["pending"]


def test_a_garbled_multipart_body_is_a_422_for_what_it_lacks(api, series):
    """The parser keeps what it could read of the cut-off body, which names no episodes."""
    response = api.post(
        "/api/queue/add",
        b'--xyz\r\nContent-Disposition: form-data; name="series_key"\r\n\r\nattack',
        content_type="multipart/form-data; boundary=xyz",
    )
    assert assert_error(response, 422)["details"] == {
        "episodes": ["List episodes, or set all_missing to true."]
    }
    assert DownloadItem.objects.count() == 1


@pytest.mark.parametrize("count", [5001, 30_000])
def test_a_huge_episode_list_is_refused_quickly_and_queues_nothing(api, series, count):
    episodes = [{"season": 1, "episode": n} for n in range(count)]
    started = time.monotonic()
    response = api.post(
        "/api/queue/add", {"series_key": SERIES_KEY, "episodes": episodes}, format="json"
    )
    # 422, not 413: even 30 000 episodes fit in the body size limit; the list is too long.
    body = assert_error(response, 422)
    assert time.monotonic() - started < 5
    assert body["details"] == {"episodes": ["5000 episodes at most at once."]}
    assert DownloadItem.objects.count() == 1


def test_a_huge_reorder_list_is_refused(api, series):
    response = api.post("/api/queue/reorder", {"item_ids": list(range(1, 20_002))}, format="json")
    body = assert_error(response, 422)  # within the body size limit, over the list's
    assert body["details"] == {"item_ids": ["Ensure this field has no more than 10000 elements."]}


HUGE = 10**40  # more than any database integer holds


# In a body the number is a field's invalid value (422); in the path or the page it
# names an item or page that does not exist (404).
@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("post", "/api/nfo/{key}", {"tmdb_id": HUGE}, 422),
        ("post", "/api/queue/reorder", {"item_ids": [HUGE]}, 422),
        (
            "post",
            "/api/queue/add",
            {"series_key": SERIES_KEY, "episodes": [{"season": 1, "episode": HUGE}]},
            422,
        ),
        ("patch", f"/api/queue/{HUGE}", {"priority": "high"}, 404),
        ("post", f"/api/queue/{HUGE}/retry", {}, 404),
        ("get", f"/api/anime/?page={HUGE}", None, 404),
    ],
)
def test_a_number_too_big_for_the_database_is_a_4xx(api, series, method, path, body, status):
    response = getattr(api, method)(path.format(**series), body, format="json")
    assert_error(response, status)


# --- odd characters -----------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "進撃の巨人",
        "Attack on Titan 🗡️🔥",
        "👨‍👩‍👧‍👦",
        "\uff34\uff49\uff54\uff41\uff4e",  # fullwidth "Titan"
        "\u202eAttack\u202c",
        "Titan\u200b",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%00",
        "ﷺ" * 60,
        "Attack\ton\nTitan",
    ],
)
@pytest.mark.parametrize("site", ["", "aniworld.to", "s.to"])
def test_unicode_and_emoji_in_a_search_are_answered(api, world, sto_site, query, site):
    params = {"q": query, **({"site": site} if site else {})}
    response = api.get("/api/anime/search", params)
    assert response.status_code == 200, response.content[:300]
    assert isinstance(response.json(), list)


@pytest.mark.parametrize("query", ["a\x00b", "\x00", "Titan\x1b[31m", "x\x7f", "\x08\x08"])
@pytest.mark.parametrize("path", ["/api/anime/search?q={}", "/api/anime/?search={}"])
def test_control_characters_in_a_search_are_a_422(api, world, sto_site, query, path):
    from urllib.parse import quote

    response = api.get(path.format(quote(query)))
    body = assert_error(response, 422)
    assert set(body["details"]) & {"q", "search"}


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "x" * 201])
def test_an_empty_or_endless_search_is_a_422(api, world, query):
    assert_error(api.get("/api/anime/search", {"q": query}), 422)


def test_the_library_search_finds_unicode_names(api, series):
    Series.objects.filter(key=SERIES_KEY).update(name="進撃の巨人 🗡️")
    for search in ["進撃", "🗡️", "巨人 🗡️"]:
        results = api.get("/api/anime/", {"search": search}).json()["results"]
        assert [r["key"] for r in results] == [SERIES_KEY], search


def test_odd_characters_in_a_request_id_are_not_echoed(api):
    response = api.get("/api/queue/status", HTTP_X_REQUEST_ID="<script>\r\nX-Evil: 1")
    assert response.status_code == 200
    assert "<" not in response["X-Request-ID"]
    assert "X-Evil" not in response
