"""Vidmoly: the player's sources hold ``file:"…m3u8…"``; its CDN checks the Referer."""

from __future__ import annotations

from aniworld.hosters import Hoster

from .base import HosterExtractor, MediaSource, find, quoted

PLAYLIST_FILE = r"[\"']?\bfile\b[\"']?\s*:\s*" + quoted(r"[^\"'\s]*\.m3u8[^\"'\s]*")


class VidmolyExtractor(HosterExtractor):
    name = Hoster.VIDMOLY

    def extract(self, embed_url: str) -> MediaSource:
        page = self.fetch(embed_url)
        url = find(PLAYLIST_FILE, page.text)
        if url is None:
            raise self.no_source(page, 'a file:"….m3u8" source')
        return self.media(url, page)
