"""Vidoza: the player script lists its files under ``sourcesCode:``; each has a ``src``."""

from __future__ import annotations

import re

from aniworld.hosters import Hoster

from .base import HosterExtractor, MediaSource, find, quoted

SOURCES_CODE = re.compile(r"\bsourcesCode[\"']?\s*:", re.IGNORECASE)
SOURCE_URL = r"[\"']?\bsrc\b[\"']?\s*:\s*" + quoted(r"[^\"'\s]+")


class VidozaExtractor(HosterExtractor):
    name = Hoster.VIDOZA

    def extract(self, embed_url: str) -> MediaSource:
        page = self.fetch(embed_url)
        sources = SOURCES_CODE.search(page.text)
        if sources is None:
            raise self.no_source(page, "sourcesCode")
        url = find(SOURCE_URL, page.text[sources.end() :])
        if url is None:
            raise self.no_source(page, "a src in sourcesCode")
        return self.media(url, page)
