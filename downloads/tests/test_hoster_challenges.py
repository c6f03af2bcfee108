"""A bot check (Turnstile, ALTCHA, Cloudflare) in front of a hoster's page is told
apart from a changed layout: only a person can pass it, so it is not retried."""

import pytest

from downloads.hosters import HosterChallenge


@pytest.mark.parametrize("kind", ["turnstile", "altcha", "cloudflare"])
@pytest.mark.parametrize("hoster", ["VOE", "Vidoza", "Doodstream", "Vidmoly", "Filemoon"])
def test_a_bot_check_in_front_of_a_hoster_is_a_challenge_not_a_layout_change(
    extract, hosters, hoster, kind
):
    hosters.challenge(hoster, kind)

    with pytest.raises(HosterChallenge, match="browser check") as info:
        extract(hoster)

    assert info.value.retryable is False


def test_a_working_player_that_carries_check_widgets_is_read_normally(extract, serve):
    """Behind Cloudflare, ordinary pages carry its bot scripts; a player may embed a
    Turnstile widget for its comments. The source on the page is what counts."""
    url = serve(
        "<html><head><script src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'></script>"
        "</head><body><div class='cf-turnstile' data-sitekey='x'></div><script>"
        "var sources = {'hls': 'https://cdn.example/v/master.m3u8'};</script></body></html>"
    )

    assert extract("VOE", url).url == "https://cdn.example/v/master.m3u8"
