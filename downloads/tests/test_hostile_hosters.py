"""Hosters that misbehave, every one of them at once: the item fails with a reason
naming each hoster, and nothing but the series' ``data`` file is in the library.

Attack on Titan S01E01 is offered by VOE (HLS), Vidoza (mp4) and Doodstream (mp4),
S02E01 by Vidmoly (HLS): between them every extractor and both kinds of media.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from aniworld.languages import label_of
from downloads.models import DownloadItem
from tests.factories import queue_episode
from tests.fakes.server import Reply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]

AOT = "Attack on Titan (2013)"
HOSTERS_OF = {
    (1, 1, "german-dub"): ["VOE", "Vidoza", "Doodstream"],
    (2, 1, "german-sub"): ["Vidmoly"],
}
EPISODES = [pytest.param(code, id=f"S{code[0]:02d}E{code[1]:02d}") for code in HOSTERS_OF]


def download(api, season: int, episode: int, language: str) -> DownloadItem:
    """Queue one episode in one language; the worker runs before the call returns."""
    return queue_episode(api, season, episode, language=language)


def assert_failed_cleanly(api, item: DownloadItem, code: tuple, library_root) -> list[str]:
    """The item failed, naming each hoster; nothing in the library or Temp. Returns the
    reason given for each hoster."""
    assert item.status == "failed", item.error
    headline, *reasons = item.error.splitlines()
    assert headline == "Every hoster failed."
    language = label_of(code[2])
    assert [r.split(": ", 1)[0] for r in reasons] == [f"{h} ({language})" for h in HOSTERS_OF[code]]
    assert item.file_path == ""
    files = sorted(p.relative_to(library_root).as_posix() for p in library_root.rglob("*"))
    assert files == [AOT, f"{AOT}/data"]
    assert list(settings.TEMP_DIR.iterdir()) == []
    [failed] = api.get("/api/queue/status").json()["failed"]
    assert failed["id"] == item.id
    assert failed["error"] == item.error
    return reasons


@pytest.fixture
def truncated_streams(hosters, tmp_path):
    """Every stream cut short with a consistent length: the mp4 (the fake's own switch)
    and each HLS segment, which keeps only its first 80 % (whole TS packets)."""
    hosters.truncate_media()
    serve_media = hosters._media
    cut = tmp_path / "cut-segments"
    cut.mkdir()

    def media(request, content_type, file=None):
        if file is None or file.suffix != ".ts":
            return serve_media(request, content_type, file)
        data = file.read_bytes()
        short = cut / file.name
        short.write_bytes(data[: len(data) * 8 // 10 // 188 * 188])
        return Reply(file=short, content_type=content_type)

    hosters._media = media
    yield hosters
    del hosters._media


@pytest.mark.parametrize("code", EPISODES)
def test_html_instead_of_video_from_every_hoster(api, series, hosters, library_root, code):
    hosters.serve_html_instead_of_video()
    item = download(api, *code)
    for reason in assert_failed_cleanly(api, item, code, library_root):
        assert "a web page instead of a video" in reason, reason


@pytest.mark.parametrize("code", EPISODES)
def test_truncated_media_from_every_hoster(api, series, truncated_streams, library_root, code):
    item = download(api, *code)
    for reason in assert_failed_cleanly(api, item, code, library_root):
        assert "is cut off" in reason or "is damaged" in reason, reason


@pytest.mark.parametrize("code", EPISODES)
def test_endless_redirects_at_every_hoster(api, series, hosters, library_root, code):
    for hoster in ("VOE", "Vidoza", "Doodstream", "Vidmoly"):
        hosters.redirect_forever(hoster)
    item = download(api, *code)
    for reason in assert_failed_cleanly(api, item, code, library_root):
        assert "redirect" in reason, reason


def test_a_hoster_that_behaves_again_delivers_on_retry(api, series, hosters, library_root):
    hosters.serve_html_instead_of_video()
    item = download(api, 1, 1, "german-dub")
    assert item.status == "failed"
    hosters.reset()

    response = api.post(f"/api/queue/{item.id}/retry")

    assert response.status_code == 200, response.json()
    item.refresh_from_db()
    assert item.status == "completed", item.error
    assert (library_root / item.file_path).is_file()
