"""Imitations of aniworld.to and s.to (both layouts) on ``FakeServer``: the shared part.

The markup follows the real sites (see the project's SITES.md): lazy-loaded
images with a data: placeholder in ``src``, ``<noscript>`` copies, entities
such as ``&#039;`` in titles, announced episodes without hosters, films, one
``/neue-episoden`` row per language. Switches break the site on purpose:

    with FakeAniworld() as site:
        site.serve_challenge(503)          # "Just a moment..." bot check
        site.fail_next(1)                  # answer 500 once, then normally
        site.remove("div.hosterSiteVideo") # a layout change
        site.redirect_to(site.link_id("dark", 1, 1, "VOE", "german-dub"), "http://…")
        site.check_redirects("altcha")     # /r?t= and /redirect/ answer a Turnstile/ALTCHA check
        site.reset()                       # all of that undone

This module holds what every site shares: the switches, link ids and redirects
(``FakeIndexSite``) and the page helpers. The sites are in
``tests.fakes.aniworld_site`` (``FakeAniworld``, and ``LegacySite``, the markup
the legacy s.to shares) and ``tests.fakes.sto_site`` (``FakeSto``:
``layout="2026"`` serves the current s.to, ``layout="legacy"`` the aniworld-like
one under ``/serie/stream/``; ``site.layout`` may change at run time); their
series are in ``tests.fakes.index_catalogue``.
"""

from __future__ import annotations

import html
import itertools
import json
import threading
from collections.abc import Callable

from bs4 import BeautifulSoup

from tests.fakes.challenges import CHALLENGE_PAGES, ChallengeKind
from tests.fakes.index_catalogue import FakeEpisode, FakeSeries
from tests.fakes.server import FakeServer, Reply, Request

PLACEHOLDER = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mPUd/SuBwACngE8BcXfBAAAAABJRU5ErkJggg=="

CHALLENGE_PAGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>
<body><div id="challenge-error-title">Enable JavaScript and cookies to continue</div>
<script>(function(){window._cf_chl_opt={cvId:'3',cType:'managed'};}());</script></body></html>"""

# What a German ISP's resolver leads to for a site the CUII listed (notice.cuii.info).
CUII_NOTICE = """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Hinweis</title></head><body><main><h1>Diese Webseite ist nicht verfügbar</h1>
<p>Aufgrund einer Empfehlung der Clearingstelle Urheberrecht im Internet (CUII) wurde der
Zugang zu dieser Webseite gesperrt. Weitere Informationen: https://cuii.info</p></main>
</body></html>"""

DOCUMENT = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>{title}</title>{head}</head>
<body><header class="main-header"><a href="/" class="logo">Start</a>
<a href="/neue-episoden">Neue Episoden</a></header>
<div class="container">{body}</div><footer><p>&copy; 2026</p></footer></body></html>"""


def esc(text: str) -> str:
    """Escape like the sites' PHP does (``'`` becomes ``&#039;``)."""
    return html.escape(text).replace("&#x27;", "&#039;")


def episode_slug(season: int, number: int) -> str:
    return f"filme/film-{number}" if season == 0 else f"staffel-{season}/episode-{number}"


def document(title: str, body: str, head: str = "") -> str:
    return DOCUMENT.format(title=esc(title), head=head, body=body)


def page(markup: str) -> Reply:
    return Reply(200, markup)


def not_found() -> Reply:
    return Reply(404, document("404", "<p>Seite nicht gefunden</p>"))


def json_reply(data: object) -> Reply:
    return Reply(200, json.dumps(data, ensure_ascii=False), content_type="application/json")


class FakeIndexSite:
    """Shared machinery: catalogue, link ids, redirects and the break switches."""

    def __init__(self, catalogue: tuple[FakeSeries, ...]):
        self.catalogue = {series.key: series for series in catalogue}
        self.server = FakeServer()
        self.redirects: dict[str, str] = {}
        ids = itertools.count(1001)
        self._links = {
            (series.key, season, episode.number, hoster, language): str(next(ids))
            for series in catalogue
            for season, episodes in sorted(series.seasons.items())
            for episode in episodes
            for hoster in episode.hosters
            for language in episode.languages
        }
        self._lock = threading.Lock()
        self._challenge_status: int | None = None
        self.redirect_check: ChallengeKind | None = None
        self._block: Reply | None = None
        self._clearance: tuple[str, str] | None = None
        self._failures_left = 0
        self._failure_status = 500
        self._removed: list[str] = []
        self._initial_routes: list = []

    @property
    def url(self) -> str:
        return self.server.url

    def start(self):
        self._initial_routes = list(self.server.routes)
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        """Undo every switch, redirect and route a test changed: one running
        fake can serve many tests (stopping a FakeServer takes half a second)."""
        self.server.routes = list(self._initial_routes)
        self.server.requests.clear()
        self.server.path_prefix = ""
        self.redirects.clear()
        self._removed.clear()
        self._challenge_status = None
        self.redirect_check = None
        self._block = None
        self._clearance = None
        with self._lock:
            self._failures_left = 0

    # -- switches ----------------------------------------------------------------

    def serve_challenge(self, status: int | None = 503) -> None:
        """Answer every request with a Cloudflare check page (``None`` switches it off)."""
        self._challenge_status = status

    def check_redirects(self, kind: ChallengeKind | None = "turnstile") -> None:
        """The hoster redirects ask for a check (s.to's /r?t= to flagged addresses since
        2026), while the pages still load; ``None`` switches it off."""
        self.redirect_check = kind

    def serve_block(self, kind: str) -> None:
        """Answer like a blocked mirror: ``"cuii"`` is the German ISPs' notice page
        (served with 200, as their DNS redirect does), ``"403"``/``"451"`` a bare refusal."""
        if kind == "cuii":
            self._block = page(CUII_NOTICE)
        else:
            self._block = Reply(int(kind), document("Blocked", f"HTTP {kind}"))

    def require_clearance(self, token: str, user_agent: str) -> None:
        """Challenge every request that lacks the ``cf_clearance`` cookie ``token`` sent
        with ``user_agent`` (the clearance FlareSolverr hands out)."""
        self._clearance = (token, user_agent)

    def _cleared(self, request: Request) -> bool:
        token, user_agent = self._clearance
        cookies = dict(
            part.strip().split("=", 1)
            for part in request.headers.get("cookie", "").split(";")
            if "=" in part
        )
        return (
            cookies.get("cf_clearance") == token and request.headers.get("user-agent") == user_agent
        )

    def fail_next(self, times: int = 1, status: int = 500) -> None:
        with self._lock:
            self._failures_left, self._failure_status = times, status

    def remove(self, selector: str) -> None:
        """Drop every element matching ``selector`` from the HTML pages served."""
        self._removed.append(selector)

    def redirect_to(self, link_id: str, url: str) -> None:
        self.redirects[link_id] = url

    def link_id(self, key: str, season: int, episode: int, hoster: str, language: str) -> str:
        return self._links[(key, season, episode, hoster, language)]

    def requested_paths(self) -> list[str]:
        return [request.path for request in self.server.requests]

    # -- serving -----------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: Callable[..., Reply]) -> None:
        def serve(request: Request) -> Reply:
            if self._block is not None:
                return self._block
            if self._clearance is not None and not self._cleared(request):
                return Reply(503, CHALLENGE_PAGE, {"cf-mitigated": "challenge"})
            if self._challenge_status:
                return Reply(self._challenge_status, CHALLENGE_PAGE, {"cf-mitigated": "challenge"})
            with self._lock:
                failing = self._failures_left > 0
                if failing:
                    self._failures_left -= 1
            if failing:
                return Reply(self._failure_status, document("Fehler", "Internal Server Error"))
            reply = handler(request, **request.params)
            if self._removed and reply.content_type.startswith("text/html"):
                reply.body = self._without_removed(reply.body)
            return reply

        self.server.route(method, pattern, serve)

    def _without_removed(self, body: str | bytes) -> str:
        soup = BeautifulSoup(body, "lxml")
        for selector in self._removed:
            for element in soup.select(selector):
                element.decompose()
        return str(soup)

    def redirect(self, link_id: str) -> Reply:
        if self.redirect_check:
            status, body = CHALLENGE_PAGES[self.redirect_check]
            return Reply(status, body)
        hoster = next((link[3] for link, known in self._links.items() if known == link_id), None)
        if hoster is None:
            return not_found()
        default = f"https://{hoster.lower()}.example/e/{link_id}"
        return Reply(302, "", {"Location": self.redirects.get(link_id, default)})

    def episode(self, key: str, season: int, number: int) -> FakeEpisode | None:
        series = self.catalogue.get(key)
        episodes = series.seasons.get(season, ()) if series else ()
        return next((e for e in episodes if e.number == number), None)

    def matches(self, keyword: str) -> list[FakeSeries]:
        """Like the sites: a literal substring of a title or alternative title, any case."""
        needle = keyword.strip().lower()
        return [
            s
            for s in self.catalogue.values()
            if needle and any(needle in title.lower() for title in (s.name, *s.alternative_titles))
        ]
