"""A fake Filemoon (Byse) on 127.0.0.1 serving both player generations, as SITES.md
describes them:

- ``api``: ``GET /api/videos/<code>`` answers ``{"playback": {key_parts, iv, payload}}``
  where ``payload`` is real AES-256-GCM ciphertext (tag at the end) of
  ``{"sources": [{url, height}…]}``; the key parts include decoys that are not
  16 bytes long, which a correct client leaves out of the key;
- ``api_spare``: the same, but ``payload`` fails its tag and ``iv2``/``payload2``
  hold the working pair;
- ``moved``: the link's domain redirects its embed page to another (Byse) domain,
  whose own API answers; the old domain's API is gone;
- ``packed``: the API answers 404; the embed page (otherwise only a script's shell)
  holds an ``iframe`` to a player
  page on another origin whose sources sit inside Dean Edwards' packer, packed here
  by ``pack_js`` (a real packer, not a canned string).

The stream itself is served by the hoster world's CDN, which refuses requests whose
Referer is not the embed page.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections import Counter
from collections.abc import Callable
from typing import Literal

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.fakes.server import FakeServer, Reply, Request

FilemoonStyle = Literal["api", "api_spare", "moved", "packed"]
PACKER_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# What the real packer's decoder looks like; our client never runs it, only parses the call.
PACKER_FUNCTION = (
    "function(p,a,c,k,e,d){e=function(c){return(c<a?'':e(parseInt(c/a)))+((c=c%a)>35?"
    "String.fromCharCode(c+29):c.toString(36))};if(!''.replace(/^/,String)){while(c--)"
    "{d[e(c)]=k[c]||e(c)}k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};"
    "while(c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p}"
)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def encrypt_playback(plaintext: dict, *, spare_only: bool = False) -> dict:
    """What Byse's server sends: a fresh AES-256 key split into 16-byte parts (between
    decoys of other lengths), a 12-byte nonce, and ciphertext with the GCM tag appended."""
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(plaintext).encode(), None)
    playback = {
        "key_parts": [
            b64url(os.urandom(8)),
            b64url(key[:16]),
            b64url(os.urandom(24)),
            b64url(key[16:]),
        ],
        "iv": b64url(nonce),
        "payload": b64url(sealed),
    }
    if spare_only:
        # The first pair is damaged (its tag no longer matches); the spare pair works.
        damaged = bytearray(sealed)
        damaged[-1] ^= 0xFF
        playback.update(iv2=playback["iv"], payload2=playback["payload"], payload=b64url(damaged))
    return playback


def encode_number(number: int, radix: int) -> str:
    if number < radix:
        return PACKER_DIGITS[number]
    return encode_number(number // radix, radix) + PACKER_DIGITS[number % radix]


def pack_js(source: str, radix: int = 62) -> str:
    """Dean Edwards' packer: every word becomes its index (in base ``radix``) in a
    dictionary sorted by frequency; words encoding to themselves stay empty there."""
    counts = Counter(re.findall(r"\b\w+\b", source))
    words = sorted(counts, key=lambda word: (-counts[word], word))
    index = {word: position for position, word in enumerate(words)}
    packed = re.sub(r"\b\w+\b", lambda match: encode_number(index[match[0]], radix), source)
    keywords = ["" if encode_number(i, radix) == word else word for i, word in enumerate(words)]
    escaped = packed.replace("\\", "\\\\").replace("'", "\\'")
    return (
        f"eval({PACKER_FUNCTION}('{escaped}',{radix},{len(words)},"
        f"'{'|'.join(keywords)}'.split('|'),0,{{}}))"
    )


class FakeFilemoon:
    """The embed/API origin, the domain it may move to, and the packed player's origin."""

    CODE = "fm4q7zx1b2c3"

    def __init__(self, stream_url: str):
        self.stream_url = stream_url
        self.server = FakeServer()
        self.moved_to = FakeServer()
        self.player = FakeServer()
        self.style: FilemoonStyle = "api"
        for origin in self.origins:
            for pattern, handler in self.front_routes(origin):
                origin.route("GET", pattern, handler)
        self.player.route("GET", r"/p/(?P<code>\w+)", self._player)

    @property
    def origins(self) -> list[FakeServer]:
        """Where embed pages and the API live: the link's domain and the one it moves to."""
        return [self.server, self.moved_to]

    def front_routes(self, origin: FakeServer) -> list[tuple[str, Callable[[Request], Reply]]]:
        """The routes of an embed origin (the API and the embed page)."""
        return [
            (r"/api/videos/(?P<code>\w+)", lambda request: self._api(origin, request)),
            (r"/[ed]/(?P<code>\w+)", lambda request: self._embed(origin, request)),
        ]

    @property
    def servers(self) -> list[FakeServer]:
        return [*self.origins, self.player]

    @property
    def embed_url(self) -> str:
        """The link as the index site gives it."""
        return f"{self.server.url}/e/{self.CODE}"

    @property
    def landing_url(self) -> str:
        """The embed page the link ends on: the Referer the stream wants."""
        origin = self.moved_to if self.style == "moved" else self.server
        return f"{origin.url}/e/{self.CODE}"

    def _serves(self, origin: FakeServer) -> bool:
        return (origin is self.moved_to) == (self.style == "moved")

    def reset(self) -> None:
        self.style = "api"

    def _api(self, origin: FakeServer, request: Request) -> Reply:
        wrong_code = request.params["code"] != self.CODE
        if self.style == "packed" or wrong_code or not self._serves(origin):
            return Reply(404, json.dumps({"error": "not found"}), content_type="application/json")
        sources = {
            "sources": [
                {"url": f"{self.stream_url}?q=360", "height": 360},
                {"url": self.stream_url, "height": 1080},
                {"url": f"{self.stream_url}?q=720", "height": "720p"},
            ],
            "title": "Episode",
        }
        playback = encrypt_playback(sources, spare_only=self.style == "api_spare")
        return Reply(200, json.dumps({"playback": playback}), content_type="application/json")

    def _embed(self, origin: FakeServer, request: Request) -> Reply:
        code = request.params["code"]
        if code != self.CODE:
            return Reply(404, "<html><body>File was deleted</body></html>")
        if origin is self.server and self.style == "moved":
            return Reply(302, headers={"Location": f"{self.moved_to.url}/e/{code}"})
        if not self._serves(origin):
            return Reply(404, "<html><body>Not found</body></html>")
        if self.style != "packed":
            # The current player is a script that asks the API; the page holds nothing.
            return Reply(
                200,
                """<!DOCTYPE html><html><head><title>Byse</title>
<script type="module" crossorigin src="/assets/index-4f2a9c.js"></script></head>
<body><div id="app"></div></body></html>""",
            )
        return Reply(
            200,
            f"""<!DOCTYPE html><html><head><title>Filemoon</title></head><body>
<div class="player-wrap"><iframe src="{self.player.url}/p/{code}" frameborder="0"
  allowfullscreen></iframe></div></body></html>""",
        )

    def _player(self, request: Request) -> Reply:
        referer = request.headers.get("referer", "")
        if not any(referer.startswith(origin.url + "/") for origin in self.origins):
            return Reply(403, "Forbidden", content_type="text/plain")
        setup = (
            "var player=jwplayer('vplayer');player.setup({sources:[{file:\""
            + self.stream_url
            + "\"}],image:'https://img.example/thumb.jpg',width:'100%',height:'100%',"
            "stretching:'uniform',duration:'1440.00',preload:'metadata',androidhls:'true',"
            "primary:'html5',cast:{},skin:{name:'netflix',active:'#00b7ff'},"
            "captions:{color:'#FFFFFF',fontSize:16,backgroundOpacity:0},"
            "tracks:[],logo:{file:'',hide:'true',position:'top-right'},playbackRateControls:true,"
            "playbackRates:[0.5,0.75,1,1.25,1.5,2],qualityLabels:{'1080':'HD'}});"
            "player.on('ready',function(){jQuery('#loading').hide();});"
        )
        return Reply(
            200,
            f"""<!DOCTYPE html><html><head><title>Player</title></head><body>
<div id="vplayer"></div>
<script type="text/javascript">{pack_js(setup)}</script></body></html>""",
        )
