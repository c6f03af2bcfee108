"""A fake world of video hosters on 127.0.0.1, for extractor and download tests.

Each hoster's embed pages live on their own ``FakeServer`` (so each has its own
origin, as the real ones do), VOE has a second "mirror domain", and one CDN
server serves the media of all of them:

- VOE: the obfuscated ``<script type="application/json">`` sources (encoded by
  ``encode_voe_payload``, the inverse of the real decoding) pointing at an HLS
  stream and an mp4; ``voe_style`` switches to the bare-string form, the plain
  ``'hls': '…'`` form or a JavaScript redirect to the mirror;
- Vidoza: ``sourcesCode: [{src: "…mp4"}]``, the mp4 served with Range support;
- Doodstream: ``$.get('/pass_md5/…')`` and ``token=…``; pass_md5 and the media
  answer 403 without the embed page as Referer;
- Vidmoly: ``sources: [{file:"…m3u8"}]``; playlists and segments need the Referer;
- Filemoon: both generations (encrypted API, packed player), see ``tests.fakes.filemoon``;
  its playlists and segments need the embed page as Referer.

``dood_on_mirror()`` moves Doodstream to a mirror domain (the embed address answers
with a redirect there; pass_md5 and media then want the mirror as Referer);
``challenge(hoster, "turnstile"|"altcha"|"cloudflare")`` puts a bot check in front
of a hoster's embed page.

Switches break things on purpose: ``break_page``, ``remove_page`` (404),
``fail_page`` (503), ``redirect_forever``, ``serve_html_instead_of_video``,
``truncate_media``, ``cut_media_once`` (then fine on resume), ``remove_media``
(404) and ``fail_media`` (503); ``slow_media`` serves media slowly (a real
download's pace, so progress events have time to flow); ``serve_media_playlist``
replaces the HLS media playlist (a hostile one naming other addresses or files).
"""

from __future__ import annotations

import base64
import codecs
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from tests.fakes.challenges import CHALLENGE_PAGES, ChallengeKind
from tests.fakes.filemoon import FakeFilemoon
from tests.fakes.media import MediaSet
from tests.fakes.server import FakeServer, Reply, Request

VOE_JUNK_TOKENS = ("@$", "^^", "~@", "%?", "*~", "!!", "#&")
DOOD_TOKEN = "kc9xy8zqr1wd"

PageFault = Literal["broken", "missing", "unavailable", "redirect_loop"]
MediaFault = Literal["html", "truncated", "cut", "missing", "unavailable"]
VoeStyle = Literal["array", "string", "hls_variable", "mirror"]
NOT_FOUND_PAGE = "<!DOCTYPE html><html><body><h1>File Not Found</h1></body></html>"
BROKEN_PAGE = """<!DOCTYPE html><html><head><title>Watch</title></head>
<body><div id="player"></div><script src="/js/player.min.js"></script>
<script>var player = new Player('#player'); player.init();</script></body></html>"""
HTML_INSTEAD_OF_VIDEO = (
    "<!DOCTYPE html><html><head><title>Please wait</title></head>"
    "<body>Too many downloads, try again later.</body></html>"
)


def encode_voe_payload(payload: dict) -> str:
    """What VOE's server does: the exact inverse of the player's decoding."""
    inner = base64.b64encode(json.dumps(payload).encode()).decode()
    shifted = "".join(chr(ord(char) + 3) for char in inner[::-1])
    outer = base64.b64encode(shifted.encode()).decode()
    with_junk = "".join(
        char + (VOE_JUNK_TOKENS[index // 9 % len(VOE_JUNK_TOKENS)] if index % 9 == 8 else "")
        for index, char in enumerate(outer)
    )
    return codecs.encode(with_junk, "rot13")


class HosterWorld:
    def __init__(self, media: MediaSet):
        self.media = media
        self.cdn = FakeServer()
        self.voe = FakeServer()
        self.voe_mirror = FakeServer()
        self.vidoza = FakeServer()
        self.dood = FakeServer()
        self.dood_mirror = FakeServer()
        self.vidmoly = FakeServer()
        self.filemoon = FakeFilemoon(f"{self.cdn.url}/filemoon/hls/master.m3u8")
        self._lock = threading.Lock()
        self.reset()
        self._install_routes()

    # -- lifecycle -------------------------------------------------------------

    @property
    def servers(self) -> list[FakeServer]:
        return [
            self.cdn,
            self.voe,
            self.voe_mirror,
            self.vidoza,
            self.dood,
            self.dood_mirror,
            self.vidmoly,
            *self.filemoon.servers,
        ]

    @property
    def host_ports(self) -> list[str]:
        """Every fake's ``host:port``: private, so the app must be told to trust them."""
        return [server.url.removeprefix("http://") for server in self.servers]

    def start(self) -> HosterWorld:
        for server in self.servers:
            server.start()
        return self

    def stop(self) -> None:
        # Each server takes up to half a second to notice a shutdown; wait for all at once.
        stoppers = [threading.Thread(target=server.stop) for server in self.servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()

    def __enter__(self) -> HosterWorld:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        self.voe_style: VoeStyle = "array"
        self.page_faults: dict[str, PageFault] = {}
        self.media_fault: MediaFault | None = None
        self.cut_after = 0
        self._cut_paths: set[str] = set()
        self.media_bytes_per_second: int | None = None
        self.media_playlist: str | None = None
        self.dood_page_user_agent: str | None = None
        self.dood_moved = False
        self.challenges: dict[str, ChallengeKind] = {}
        self.filemoon.reset()
        for server in self.servers:
            server.requests.clear()

    # -- addresses -------------------------------------------------------------

    def embed_url(self, hoster: str) -> str:
        return {
            "VOE": f"{self.voe.url}/e/abc123def456",
            "Vidoza": f"{self.vidoza.url}/embed-k2zr0wrd2lg1.html",
            "Doodstream": f"{self.dood.url}/e/xyz789abc",
            "Vidmoly": f"{self.vidmoly.url}/embed-u7ptdd8wowgy.html",
            "Filemoon": self.filemoon.embed_url,
        }[hoster]

    def media_requests(self, path_prefix: str = "/") -> list[Request]:
        return [r for r in self.cdn.requests if r.path.startswith(path_prefix)]

    # -- switches --------------------------------------------------------------

    def break_page(self, hoster: str) -> None:
        """The embed page loads but holds no source (layout change, removed video)."""
        self.page_faults[hoster] = "broken"

    def remove_page(self, hoster: str) -> None:
        self.page_faults[hoster] = "missing"

    def fail_page(self, hoster: str) -> None:
        self.page_faults[hoster] = "unavailable"

    def redirect_forever(self, hoster: str) -> None:
        """VOE: an endless chain of mirror redirects; the others: HTTP 302s."""
        self.page_faults[hoster] = "redirect_loop"

    def dood_on_mirror(self) -> None:
        """Doodstream moved house: its embed addresses redirect to a mirror domain."""
        self.dood_moved = True

    def challenge(self, hoster: str, kind: ChallengeKind = "turnstile") -> None:
        """Answer ``hoster``'s embed page with a bot check instead of the player."""
        self.challenges[hoster] = kind

    def serve_html_instead_of_video(self) -> None:
        self.media_fault = "html"

    def truncate_media(self) -> None:
        """The mp4 is served 200 OK with a consistent length, but only 60 % of it."""
        self.media_fault = "truncated"

    def cut_media_once(self, after_bytes: int = 16_000) -> None:
        """The first request for each media file drops the connection midway."""
        self.media_fault = "cut"
        self.cut_after = after_bytes

    def slow_media(self, bytes_per_second: int) -> None:
        self.media_bytes_per_second = bytes_per_second

    def serve_media_playlist(self, text: str) -> None:
        """VOE's and Vidmoly's ``index.m3u8`` becomes ``text``."""
        self.media_playlist = text

    def remove_media(self) -> None:
        self.media_fault = "missing"

    def fail_media(self) -> None:
        self.media_fault = "unavailable"

    # -- routes ----------------------------------------------------------------

    def _install_routes(self) -> None:
        self.voe.route("GET", r"/e/(?P<id>\w+)", self._page("VOE", self._voe_page))
        self.voe_mirror.route("GET", r"/e/(?P<id>\w+)", self._page("VOE", self._voe_mirror_page))
        self.vidoza.route(
            "GET", r"/embed-(?P<id>\w+)\.html", self._page("Vidoza", self._vidoza_page)
        )
        for dood in (self.dood, self.dood_mirror):
            dood.route("GET", r"/e/(?P<id>\w+)", self._page("Doodstream", self._dood_page(dood)))
            dood.route("GET", r"/pass_md5/(?P<id>[\w-]+)/(?P<token>\w+)", self._dood_pass_md5(dood))
        # The hoster-wide switches (faults, checks) apply to Filemoon's API and embed page.
        for origin in self.filemoon.origins:
            for pattern, handler in self.filemoon.front_routes(origin):
                origin.route("GET", pattern, self._page("Filemoon", handler))
        self.vidmoly.route(
            "GET", r"/embed-(?P<id>\w+)\.html", self._page("Vidmoly", self._vidmoly_page)
        )
        self.cdn.route("GET", r"/(?P<hoster>voe|vidoza)/video\.mp4", self._plain_mp4)
        self.cdn.route("GET", r"/(?P<hoster>voe|vidmoly)/hls/(?P<name>[\w.]+)", self._hls_file)
        self.cdn.route("GET", r"/dood/(?P<id>[\w-]+)/(?P<suffix>\w+)", self._dood_media)
        self.cdn.route("GET", r"/filemoon/hls/(?P<name>[\w.]+)", self._filemoon_hls)

    def _page(self, hoster: str, render: Callable[[Request], Reply]) -> Callable[[Request], Reply]:
        def handler(request: Request) -> Reply:
            if hoster in self.challenges:
                status, body = CHALLENGE_PAGES[self.challenges[hoster]]
                return Reply(status, body, {"cf-mitigated": "challenge"})
            fault = self.page_faults.get(hoster)
            if fault == "missing":
                return Reply(404, NOT_FOUND_PAGE)
            if fault == "unavailable":
                return Reply(503, "<html><body>Service Unavailable</body></html>")
            if fault == "broken":
                return Reply(200, BROKEN_PAGE)
            if fault == "redirect_loop" and hoster != "VOE":
                hop = int(request.arg("hop", "0")) + 1
                return Reply(302, headers={"Location": f"{request.path}?hop={hop}"})
            return render(request)

        return handler

    def _voe_page(self, request: Request) -> Reply:
        video_id = request.params["id"]
        if self.voe_style == "mirror" or self.page_faults.get("VOE") == "redirect_loop":
            return Reply(200, _voe_redirect_page(f"{self.voe_mirror.url}/e/{video_id}"))
        return Reply(200, self._voe_player_page(video_id))

    def _voe_mirror_page(self, request: Request) -> Reply:
        video_id = request.params["id"]
        if self.page_faults.get("VOE") == "redirect_loop":
            hop = int(request.arg("hop", "0")) + 1
            return Reply(200, _voe_redirect_page(f"{self.voe_mirror.url}/e/{video_id}?hop={hop}"))
        return Reply(200, self._voe_player_page(video_id))

    def _voe_player_page(self, video_id: str) -> str:
        hls_url = f"{self.cdn.url}/voe/hls/master.m3u8"
        if self.voe_style == "hls_variable":
            sources = f"<script>\n  var sources = {{\n    'hls': '{hls_url}',\n  }};\n</script>"
        else:
            encoded = encode_voe_payload(
                {
                    "title": f"{video_id}.mp4",
                    "source": hls_url,
                    "direct_access_url": f"{self.cdn.url}/voe/video.mp4",
                    "thumbnail": f"{self.cdn.url}/voe/thumb.jpg",
                }
            )
            body = json.dumps(encoded if self.voe_style == "string" else [encoded])
            sources = f'<script type="application/json">{body}</script>'
        return f"""<!DOCTYPE html><html><head><title>VOE | {video_id}</title>
<script type="application/ld+json">{{"@type": "VideoObject", "name": "{video_id}"}}</script>
</head><body><div id="voe-player"></div>
{sources}
<script src="/js/loader.js"></script></body></html>"""

    def _vidoza_page(self, request: Request) -> Reply:
        return Reply(
            200,
            f"""<!DOCTYPE html><html><head><title>Vidoza</title></head><body>
<video id="player" class="video-js"></video>
<script type="text/javascript">
var pData = {{
    sourcesCode: [{{ src: "{self.cdn.url}/vidoza/video.mp4", type: "video/mp4", label:"SD", res:"720"}}],
    poster: "{self.cdn.url}/vidoza/poster.jpg"
}};
</script></body></html>""",
        )

    def _dood_page(self, server: FakeServer) -> Callable[[Request], Reply]:
        return lambda request: self._dood_page_on(server, request)

    def _dood_page_on(self, server: FakeServer, request: Request) -> Reply:
        video_id = request.params["id"]
        if self.dood_moved and server is self.dood:
            return Reply(301, headers={"Location": f"{self.dood_mirror.url}/e/{video_id}"})
        if not self.dood_moved and server is self.dood_mirror:
            return Reply(404, NOT_FOUND_PAGE)
        with self._lock:
            self.dood_page_user_agent = request.headers.get("user-agent", "")
        return Reply(
            200,
            f"""<!DOCTYPE html><html><head><title>{video_id} - DoodStream</title></head><body>
<video id="video_player"></video>
<script>
  $.get('/pass_md5/{video_id}-194-37-1700000000/{DOOD_TOKEN}', function(data) {{
    dsplayer.src({{ src: data + makePlay(), type: 'video/mp4' }});
  }});
  function makePlay(){{for(var a="",t="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",n=t.length,o=0;10>o;o++)a+=t.charAt(Math.floor(Math.random()*n));return a+"?token={DOOD_TOKEN}&expiry="+Date.now();}}
</script></body></html>""",
        )

    def _dood_pass_md5(self, server: FakeServer) -> Callable[[Request], Reply]:
        return lambda request: self._dood_pass_md5_on(server, request)

    def _dood_pass_md5_on(self, server: FakeServer, request: Request) -> Reply:
        referer = request.headers.get("referer", "")
        same_agent = request.headers.get("user-agent") == self.dood_page_user_agent
        if not referer.startswith(server.url + "/e/") or not same_agent:
            return Reply(403, "RELOAD", content_type="text/plain")
        return Reply(200, f"{self.cdn.url}/dood/{request.params['id']}/", content_type="text/plain")

    def _vidmoly_page(self, request: Request) -> Reply:
        return Reply(
            200,
            f"""<!DOCTYPE html><html><head><title>Vidmoly</title></head><body>
<div id="vplayer"></div>
<script type='text/javascript'>
  player = jwplayer('vplayer');
  player.setup({{
    sources: [{{file:"{self.cdn.url}/vidmoly/hls/master.m3u8"}}],
    image: "{self.cdn.url}/vidmoly/poster.jpg",
    width: "100%", height: "100%"
  }});
</script></body></html>""",
        )

    def _filemoon_hls(self, request: Request) -> Reply:
        if request.headers.get("referer") != self.filemoon.landing_url:
            return Reply(403, "Forbidden", content_type="text/plain")
        name = request.params["name"]
        if name.endswith(".m3u8"):
            return Reply(
                file=self.media.hls_dir / name, content_type="application/vnd.apple.mpegurl"
            )
        return self._media(request, "video/mp2t", self.media.hls_dir / name)

    def _plain_mp4(self, request: Request) -> Reply:
        return self._media(request, "video/mp4")

    def _hls_file(self, request: Request) -> Reply:
        if request.params["hoster"] == "vidmoly" and not self._from(request, self.vidmoly):
            return Reply(403, "Forbidden", content_type="text/plain")
        name = request.params["name"]
        if name.endswith(".m3u8"):
            if self.media_fault in ("missing", "unavailable"):
                return self._media_error()
            if name == "index.m3u8" and self.media_playlist is not None:
                return Reply(200, self.media_playlist, content_type="application/vnd.apple.mpegurl")
            return Reply(
                file=self.media.hls_dir / name, content_type="application/vnd.apple.mpegurl"
            )
        return self._media(request, "video/mp2t", self.media.hls_dir / name)

    def _dood_media(self, request: Request) -> Reply:
        suffix_ok = len(request.params["suffix"]) == 10 and request.params["suffix"].isalnum()
        expiry = request.arg("expiry")
        home = self.dood_mirror if self.dood_moved else self.dood
        if not (
            self._from(request, home)
            and suffix_ok
            and request.arg("token") == DOOD_TOKEN
            and expiry.isdigit()
            and len(expiry) == 13  # milliseconds, as the player's Date.now()
        ):
            return Reply(403, "Forbidden", content_type="text/plain")
        return self._media(request, "video/mp4")

    def _media(self, request: Request, content_type: str, file: Path | None = None) -> Reply:
        file = file or self.media.mp4
        if not file.exists():
            return Reply(404, NOT_FOUND_PAGE)
        fault = self.media_fault
        if fault in ("missing", "unavailable"):
            return self._media_error()
        if fault == "html":
            return Reply(200, HTML_INSTEAD_OF_VIDEO)
        if fault == "truncated" and file == self.media.mp4:
            file = self.media.truncated_mp4
        if fault == "cut" and not request.headers.get("range"):
            with self._lock:
                first_time = request.path not in self._cut_paths
                self._cut_paths.add(request.path)
            if first_time:
                return Reply(file=file, content_type=content_type, cut_after=self.cut_after)
        return Reply(
            file=file, content_type=content_type, bytes_per_second=self.media_bytes_per_second
        )

    def _media_error(self) -> Reply:
        if self.media_fault == "missing":
            return Reply(404, NOT_FOUND_PAGE)
        return Reply(503, "<html><body>Service Unavailable</body></html>")

    @staticmethod
    def _from(request: Request, server: FakeServer) -> bool:
        return request.headers.get("referer", "").startswith(server.url + "/")


def _voe_redirect_page(target: str) -> str:
    return f"""<!DOCTYPE html><html><head><title>Redirecting...</title></head><body>
<script>
  if (typeof localStorage !== 'undefined') {{ localStorage.setItem('voe', '1'); }}
  window.location.href = '{target}';
</script></body></html>"""
