"""VOE: the most common hoster, and the one that changes its page most often.

The player page hides its sources in ``<script type="application/json">``: a
one-element JSON array (sometimes a bare string) holding an obfuscated string.
Undoing the obfuscation gives JSON with ``source`` (HLS) and often
``direct_access_url`` (mp4). Older pages carry a plain ``'hls': '…'`` instead,
and the first page of a link is often only a JavaScript redirect to the
current mirror domain.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re

from aniworld.hosters import Hoster

from .base import HosterExtractor, MediaSource, Page, find, quoted

JUNK_TOKENS = ("@$", "^^", "~@", "%?", "*~", "!!", "#&")
# A link redirects to its mirror once, rarely twice; more is a loop.
MAX_MIRROR_HOPS = 2

JSON_SCRIPT = re.compile(
    r"<script\b[^>]*\btype\s*=\s*[\"']?application/json[\"']?[^>]*>(.*?)</script\s*>",
    re.IGNORECASE | re.DOTALL,
)
HLS_VARIABLE = r"[\"']?\bhls\b[\"']?\s*:\s*" + quoted(r"[^\"'\s]+")
URL_VALUE = r"[^\"'\s<>]+"
MIRROR_REDIRECTS = (
    r"\blocation(?:\.href)?\s*=\s*" + quoted(URL_VALUE),
    r"\blocation\.(?:replace|assign)\(\s*" + quoted(URL_VALUE) + r"\s*\)",
)


def decode_voe_payload(encoded: str) -> dict:
    """Undo VOE's obfuscation; raise ``ValueError`` when ``encoded`` is not VOE data."""
    text = codecs.encode(encoded.strip(), "rot13")
    for junk in JUNK_TOKENS:
        text = text.replace(junk, "")
    try:
        shifted = b64decode(text).decode("utf-8")
        unshifted = "".join(chr(ord(char) - 3) for char in shifted)
        payload = json.loads(b64decode(unshifted[::-1]))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a VOE payload: {exc}") from exc
    if not isinstance(payload, dict):
        raise ValueError("the VOE payload is not a JSON object")
    return payload


def b64decode(text: str) -> bytes:
    """Strict base64, forgiving only whitespace and missing padding."""
    text = "".join(text.split())
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def encoded_candidates(script_body: str) -> list[str]:
    """The strings inside a JSON script: ``["…"]``, ``"…"`` or the bare text."""
    body = script_body.strip()
    try:
        value = json.loads(body)
    except json.JSONDecodeError:
        return [body.strip("\"'")] if body else []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


class VoeExtractor(HosterExtractor):
    name = Hoster.VOE

    def extract(self, embed_url: str) -> MediaSource:
        page = self.fetch(embed_url)
        for hop in range(MAX_MIRROR_HOPS + 1):
            source = self._encoded_source(page) or self._hls_variable(page)
            if source:
                return self.media(source, page)
            mirror = self._mirror_redirect(page)
            if mirror is None:
                raise self.no_source(page, "encoded sources, 'hls' or a mirror redirect")
            if hop == MAX_MIRROR_HOPS:
                raise self.error(
                    f"VOE: still redirecting after {MAX_MIRROR_HOPS} mirror hops ({page.url})",
                    page.url,
                )
            page = self.fetch(page.resolve(mirror))
        raise AssertionError("unreachable")

    def _encoded_source(self, page: Page) -> str | None:
        for script_body in JSON_SCRIPT.findall(page.text):
            for encoded in encoded_candidates(script_body):
                try:
                    payload = decode_voe_payload(encoded)
                except ValueError:
                    continue
                # ``source`` is the HLS stream the player uses; the mp4 is a spare.
                for key in ("source", "direct_access_url"):
                    value = payload.get(key)
                    if isinstance(value, str) and value.strip():
                        return value
        return None

    def _hls_variable(self, page: Page) -> str | None:
        value = find(HLS_VARIABLE, page.text)
        if value is None or "://" in value or value.startswith("/"):
            return value
        # Some pages ship the address base64-encoded and decode it with atob().
        try:
            decoded = b64decode(value).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded if "://" in decoded else None

    def _mirror_redirect(self, page: Page) -> str | None:
        for pattern in MIRROR_REDIRECTS:
            url = find(pattern, page.text)
            if url:
                return url
        return None
