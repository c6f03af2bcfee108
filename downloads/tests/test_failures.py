"""A failed download explains itself in words: a headline, then each hoster tried
with its language as the pages name it and its reason."""

from __future__ import annotations

import pytest

from aniworld import config
from downloads.failures import attempt_line, failure_message, read_failure
from library.models import Episode
from tests.factories import add_series, queue_episode
from tests.fakes.world import connect


def test_a_failure_reads_back_as_headline_hosters_and_reasons():
    message = failure_message(
        "Every hoster failed.",
        [
            attempt_line("VOE", "english-dub", "HTTP 404 from\nthe embed page"),
            attempt_line("Vidoza", "german-sub", "no video source (the page changed?)"),
            attempt_line("VOE", "german-dub", "timed out"),
            attempt_line("", "german-dub", "not a known hoster"),
        ],
    )
    assert message.splitlines()[1] == "VOE (English dub): HTTP 404 from the embed page"

    failure = read_failure(message)

    assert failure.headline == "Every hoster failed."
    assert failure.hosters == ["VOE", "Vidoza", "pasted link"]
    assert failure.reasons[1] == {
        "hoster": "Vidoza",
        "language": "German subtitles",
        "reason": "no video source (the page changed?)",
    }
    assert failure.other == []


def test_a_one_line_failure_is_only_a_headline():
    failure = read_failure("Could not read the episode page: HTTP 503")
    assert failure.headline == "Could not read the episode page: HTTP 503"
    assert failure.hosters == failure.reasons == failure.other == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("library_root")
def test_s_to_english_dub_is_english_dub_on_the_page_and_in_the_failure(
    api, owner_client, sto_site, hosters
):
    connect(sto_site, hosters)
    hosters.break_page("VOE")
    hosters.remove_page("Vidoza")
    config.store().update({"downloads": {"language_order": ["english-dub"]}})
    add_series(api, "dark", "s.to")
    assert "english-dub" in Episode.objects.get(series__key="dark", season=1, number=1).languages
    assert "English dub" in owner_client.get("/series/dark/").content.decode()

    item = queue_episode(api, 1, 1, key="dark")

    assert item.status == "failed"
    failure = read_failure(item.error)
    assert failure.hosters == ["VOE", "Vidoza"]
    assert {reason["language"] for reason in failure.reasons} == {"English dub"}
    assert "sub" not in item.error.lower()
