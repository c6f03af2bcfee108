"""Filemoon (also on "Byse" domains): an encrypted API answer, or packed JavaScript.

Embed URLs end in ``/e/<code>`` or ``/d/<code>``. The current player asks
``<origin>/api/videos/<code>`` and gets ``{"playback": {"key_parts", "iv",
"payload", "iv2"?, "payload2"?}}``: the AES-256 key is the concatenation of the
base64url-decoded key parts that are 16 bytes long, ``payload`` is AES-GCM
ciphertext with the 16-byte tag at its end, ``iv`` its nonce; a second pair
``iv2``/``payload2`` is the spare. The plaintext is JSON naming the stream as
``sources: [{url, height}]`` (we take the highest), ``source`` or ``file``.

Older pages instead embed an ``iframe`` to the player, whose page carries the
sources inside Dean Edwards' packer: ``eval(function(p,a,c,k,e,d){…}('…',
<radix>,<count>,'w1|w2|…'.split('|')…))``. Unpacked, it holds
``sources:[{file:"…m3u8"}]``. The media server wants the embed page as Referer.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aniworld.hosters import Hoster
from aniworld.http import BROWSER_USER_AGENT

from .base import (
    ExtractionError,
    HosterChallenge,
    HosterExtractor,
    MediaSource,
    Page,
    find,
    media_kind,
    quoted,
)

EMBED_CODE = re.compile(r"/[ed]/(?P<code>[\w-]+)")
KEY_PART_BYTES = 16
IFRAME_SRC = r"<iframe\b[^>]*\bsrc\s*=\s*" + quoted(r"[^\"'\s>]+")
PACKED_CALL = re.compile(
    r"eval\(function\(p,a,c,k,e,[dr]\).*?\}\(\s*"
    r"'(?P<payload>(?:\\.|[^'\\])*)'\s*,\s*(?P<radix>\d+)\s*,\s*(?P<count>\d+)\s*,\s*"
    r"'(?P<words>(?:\\.|[^'\\])*)'\.split\(\s*'\|'\s*\)",
    re.DOTALL,
)
PACKER_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
FILE_VALUE = r"[\"']?\bfile\b[\"']?\s*:\s*" + quoted(r"[^\"'\s]+")
PLAYLIST_FILE = r"[\"']?\bfile\b[\"']?\s*:\s*" + quoted(r"[^\"'\s]*\.m3u8[^\"'\s]*")


def b64url_decode(text: str) -> bytes:
    """base64url (also plain base64), padding optional; ``ValueError`` when it is not."""
    cleaned = "".join(str(text).split()).replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not base64url: {exc}") from exc


def decrypt_playback(playback: dict[str, Any]) -> dict[str, Any]:
    """The plaintext JSON of a Byse ``playback`` object; ``ValueError`` when no pair decrypts."""
    parts = [b64url_decode(part) for part in playback.get("key_parts") or []]
    key = b"".join(part for part in parts if len(part) == KEY_PART_BYTES)
    if len(key) != 32:
        raise ValueError(f"the key parts give a {len(key)}-byte key, not AES-256's 32")
    cipher = AESGCM(key)
    problems = []
    for iv_field, payload_field in (("iv", "payload"), ("iv2", "payload2")):
        if not playback.get(iv_field) or not playback.get(payload_field):
            continue
        try:
            nonce = b64url_decode(playback[iv_field])
            plaintext = cipher.decrypt(nonce, b64url_decode(playback[payload_field]), None)
            data = json.loads(plaintext)
        except InvalidTag:
            problems.append(f"{payload_field} fails its authentication tag")
            continue
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(f"{payload_field}: {exc}")
            continue
        if isinstance(data, dict):
            return data
        problems.append(f"{payload_field} is not a JSON object")
    raise ValueError("; ".join(problems) or "the playback holds no iv/payload")


def stream_url(data: dict[str, Any]) -> str | None:
    """The stream in decrypted playback data: the highest of ``sources``, ``source`` or ``file``."""
    sources = [s for s in data.get("sources") or [] if isinstance(s, dict)]
    with_url = [s for s in sources if isinstance(s.get("url") or s.get("file"), str)]
    if with_url:
        best = max(with_url, key=lambda s: _height(s.get("height")))
        return best.get("url") or best.get("file")
    for key in ("source", "file"):
        if isinstance(data.get(key), str) and data[key].strip():
            return data[key]
    return None


def _height(value: Any) -> int:
    try:
        return int(str(value).rstrip("p"))
    except ValueError:
        return 0


def unpack(script: str) -> str | None:
    """The source code inside a packer ``eval(function(p,a,c,k,e,d)…)``, or None."""
    match = PACKED_CALL.search(script)
    if match is None:
        return None
    radix, count = int(match["radix"]), int(match["count"])
    if not 2 <= radix <= len(PACKER_DIGITS):
        raise ValueError(f"unsupported packer radix {radix}")
    payload = _js_unescape(match["payload"])
    words = _js_unescape(match["words"]).split("|")

    def word(found: re.Match[str]) -> str:
        token = found.group(0)
        index = _packer_number(token, radix)
        if index is None or index >= count or index >= len(words) or not words[index]:
            return token
        return words[index]

    return re.sub(r"\b\w+\b", word, payload)


def _packer_number(token: str, radix: int) -> int | None:
    value = 0
    for char in token:
        digit = PACKER_DIGITS.find(char)
        if digit < 0 or digit >= radix:
            return None
        value = value * radix + digit
    return value


def _js_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


class FilemoonExtractor(HosterExtractor):
    name = Hoster.FILEMOON

    def extract(self, embed_url: str) -> MediaSource:
        embed_url = self._absolute(embed_url)
        code = EMBED_CODE.search(urlsplit(embed_url).path)
        if code is None:
            raise self.error(
                f"Filemoon: {embed_url} is no /e/<code> or /d/<code> embed address", embed_url
            )
        link = Page(embed_url, "")
        try:
            return self._from_api(link, code["code"])
        except HosterChallenge:
            raise
        except ExtractionError as exc:
            api_error = exc
        try:
            return self._from_landing_page(self.fetch(embed_url), link, code["code"])
        except HosterChallenge:
            raise
        except ExtractionError as page_error:
            raise self.error(
                f"Filemoon: neither the API ({api_error.message}) nor the player page "
                f"({page_error.message}) gave a source",
                embed_url,
                retryable=api_error.retryable and page_error.retryable,
            ) from page_error

    def _from_landing_page(self, page: Page, link: Page, code: str) -> MediaSource:
        """The page the link ends on: a new (Byse) domain's player asks that domain's API;
        older pages carry the packed player."""
        if page.origin != link.origin:
            try:
                return self._from_api(page, code)
            except HosterChallenge:
                raise
            except ExtractionError:
                pass  # the packed player may still be there
        return self._from_player_page(page)

    def _from_api(self, embed: Page, code: str) -> MediaSource:
        """Ask the API on the embed page's origin, as the current player does."""
        api_url = f"{embed.origin}/api/videos/{code}"
        answer = self.fetch(api_url, referer=embed.url)
        try:
            playback = json.loads(answer.text)["playback"]
            data = decrypt_playback(playback)
        except (ValueError, KeyError, TypeError) as exc:
            raise self.error(f"Filemoon: unusable API answer ({exc})", api_url) from exc
        url = stream_url(data)
        if url is None:
            raise self.error("Filemoon: the decrypted playback names no source", api_url)
        return self._media(url, embed.url)

    def _from_player_page(self, page: Page) -> MediaSource:
        """Older pages: an iframe to the player (or the player itself), packed."""
        iframe = find(IFRAME_SRC, page.text)
        player = self.fetch(page.resolve(iframe), referer=page.url) if iframe else page
        try:
            unpacked = unpack(player.text)
        except ValueError as exc:
            raise self.error(f"Filemoon: {exc}", player.url) from exc
        if unpacked is None:
            raise self.no_source(player, "packed player JavaScript")
        url = find(PLAYLIST_FILE, unpacked) or find(FILE_VALUE, unpacked)
        if url is None:
            raise self.no_source(player, 'sources:[{file:"…"}] in the packed JavaScript')
        return self._media(player.resolve(url), page.url)

    def _media(self, url: str, embed_url: str) -> MediaSource:
        """Unlike most hosters, Filemoon's CDN wants the whole embed address as Referer."""
        absolute = Page(embed_url, "").resolve(url)
        return MediaSource(
            absolute, media_kind(absolute), {"User-Agent": BROWSER_USER_AGENT, "Referer": embed_url}
        )
