"""Doodstream: the media address is assembled by the player's JavaScript.

The embed page calls ``$.get('/pass_md5/…')``, which answers with a base
address, and carries a ``token=…``. The player then appends ten random letters
or digits and ``?token=<token>&expiry=<unix ms>``. Both the pass_md5 request
and the media request are refused without the embed page as Referer.
"""

from __future__ import annotations

import random
import string
import time

from aniworld.hosters import Hoster

from .base import HosterExtractor, MediaSource, find, quoted

PASS_MD5 = quoted(r"[^\"'\s]*/pass_md5/[^\"'\s]+")
TOKEN = r"[?&\"']token=(?P<value>[\w-]+)"
RANDOM_SUFFIX_ALPHABET = string.ascii_letters + string.digits


class DoodstreamExtractor(HosterExtractor):
    name = Hoster.DOODSTREAM

    def extract(self, embed_url: str) -> MediaSource:
        page = self.fetch(embed_url)
        pass_md5 = find(PASS_MD5, page.text)
        if pass_md5 is None:
            raise self.no_source(page, "the pass_md5 request")
        # The token is also the last part of the pass_md5 path; pages without
        # an explicit ``token=`` still work that way.
        token = find(TOKEN, page.text) or pass_md5.rstrip("/").rsplit("/", 1)[-1]
        answer = self.fetch(page.resolve(pass_md5), referer=page.url)
        base_url = answer.text.strip()
        if not base_url.startswith(("http://", "https://", "//")):
            raise self.error(
                f"Doodstream: pass_md5 answered {base_url[:60]!r} instead of an address",
                answer.url,
            )
        suffix = "".join(random.choices(RANDOM_SUFFIX_ALPHABET, k=10))
        expiry = int(time.time() * 1000)
        return self.media(f"{base_url}{suffix}?token={token}&expiry={expiry}", page)
