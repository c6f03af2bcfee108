"""Imitations of aniworld.to and s.to (both layouts) on ``FakeServer``.

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

``FakeSto(layout="2026")`` serves the current s.to, ``layout="legacy"`` the
aniworld-like one under ``/serie/stream/``; ``site.layout`` may change at run time.

Most of this module is markup templates and the catalogue; it stays one module
so that every test package imports the same imitation.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bs4 import BeautifulSoup

from tests.fakes.challenges import CHALLENGE_PAGES, ChallengeKind
from tests.fakes.server import FakeServer, Reply, Request

PLACEHOLDER = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mPUd/SuBwACngE8BcXfBAAAAABJRU5ErkJggg=="
FLAG_FILES = {
    "german-dub": "german",
    "german-sub": "japanese-german",
    "english-sub": "japanese-english",
    "english-dub": "english",
}
LANG_KEYS = {"german-dub": 1, "english-sub": 2, "german-sub": 3, "english-dub": 4}
# The 2026 s.to: flags in the season rows, ids and labels on the link buttons.
STO_FLAGS = {"german-dub": "german", "english-dub": "english", "german-sub": "english-german"}
STO_LANGUAGES = {"german-dub": ("1", "Deutsch"), "english-dub": ("2", "Englisch")}

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

LEGACY_SERIES = """
<section class="seriesContentBox">
  <div class="seriesCoverBox"><img src="{placeholder}" data-src="{cover}" alt="{name}, Cover"
    itemprop="image"><noscript><img src="{cover}"></noscript></div>
  <div class="series-title">
    <h1 itemprop="name" title="Stream: {alts}" data-alternativeTitles="{alts}"><span>{name}</span></h1>
    <small> (<span itemprop="startDate"><a href="https://aniworld.to/animes/jahr/{start}">{start}</a></span>
    - <span itemprop="endDate">{end}</span>)</small>
    {fsk}{imdb}
  </div>
  <div class="genres"><ul data-main-genre="x">{genres}</ul></div>
  <p class="seri_des" itemprop="accessibilitySummary" data-full-description="{description}">{short}...<span
    class="showMore">mehr anzeigen</span></p>
  <div class="cast"><ul>
    <li class="seriesDirector"><strong>Regisseure:</strong><ul>{directors}</ul></li>
    <li><strong style="float: left;" class="seriesActor">Schauspieler:</strong>
      <ul class="showHiddenArea">{actors}</ul></li>
  </ul></div>
</section>
<div class="hosterSiteDirectNav" id="stream">
  <ul><li><span><strong>Staffeln:</strong></span></li>{seasons}</ul>
</div>
{body}"""

LEGACY_PERSON = """<li itemprop="{role}" itemscope itemtype="http://schema.org/Person"><a
  href="/{role}/x" itemprop="url"><span itemprop="name">{name}</span></a></li>"""

LEGACY_ROW = """
<tr data-episode-id="{number}" itemprop="episode" itemscope itemtype="http://schema.org/Episode">
  <td class="season{season}EpisodeID"><meta itemprop="episodeNumber" content="{number}">
    <a itemprop="url" href="{href}"> {label} {number} </a></td>
  <td class="seasonEpisodeTitle"><a href="{href}"> <strong>{title_de}</strong> - <span>{title_en}</span> </a></td>
  <td><a href="{href}">{icons}</a></td>
  <td class="editFunctions"><a href="{href}">{flags}</a></td>
</tr>"""

LEGACY_LINK = """
<li class="col-md-3 col-xs-12 episodeLink{link_id}" data-lang-key="{lang_key}" data-link-id="{link_id}"
    data-link-target="/redirect/{link_id}" data-external-embed="false">
  <div class="generateInlinePlayer"><a class="watchEpisode" itemprop="url" href="/redirect/{link_id}"
    target="_blank"><i class="icon {hoster}" title="Hoster {hoster}"></i><h4>{hoster}</h4>
    <div class="hosterSiteVideoButton">Video öffnen</div></a></div>
</li>"""

NEW_EPISODE_ROW = """
<div class="col-md-12"><div class="row"><div class="col-md-12">
  <a href="{href}"><strong>{name}</strong>
    <span class="listTag bigListTag blue2">S{season:02d} E{number:02d}</span>
    <span class="elementFloatRight">Sa, {day:%d.%m.%Y}</span></a>
  <img class="flag" src="{placeholder}" data-src="{flag}" alt="Flagge">
  <noscript><img class="flag" src="{flag}"></noscript>
</div></div></div>"""

STO_SERIES = """
<div class="row">
  <div class="col-3 d-none d-md-block"><picture>
    <source type="image/webp" data-srcset="{cover} 1x">
    <img data-src="{cover}" src="{placeholder}" alt="{name}" class="img-fluid w-100"></picture></div>
  <div class="col">
    <h1 class="h2 mb-1 fw-bold">
      {name}
    </h1>
    <p class="small text-muted mb-2"><a class="small text-muted" href="/jahr/{start}">{start}</a> -
      {end} • {fsk}{imdb}</p>
    <div class="series-description"><span class="description-text">{description}</span></div>
    <ul class="list-unstyled">{groups}</ul>
  </div>
</div>
<nav id="season-nav" class="d-flex gap-2">{pills}</nav>
{body}"""

STO_ROW = """
<tr class="episode-row " onclick="window.location='{href}'">
  <th scope="row" class="text-center fw-semibold episode-number-cell">{number}</th>
  <td class="fw-medium episode-title-cell">
    <strong class="d-block episode-title-ger" title="{title_de}">{title_de}</strong>
    <span class="text-white-50 episode-title-eng" title="{title_en}"> {title_en} </span></td>
  <td class="episode-watch-cell">{hosters}</td>
  <td class="text-end episode-language-cell">{flags}</td>
</tr>"""


@dataclass(frozen=True)
class FakeEpisode:
    number: int
    title_de: str = ""
    title_en: str = ""
    languages: tuple[str, ...] = ("german-dub", "german-sub", "english-sub")
    # Spelled as the site shows them; empty: the episode is only announced.
    hosters: tuple[str, ...] = ("VOE", "Vidoza")


@dataclass(frozen=True)
class FakeSeries:
    key: str
    name: str
    years: tuple[int, int | None]
    description: str
    seasons: dict[int, tuple[FakeEpisode, ...]]  # 0: the films
    genres: tuple[str, ...] = ()
    fsk: int | None = None
    imdb_id: str | None = None
    alternative_titles: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()


def ep(number: int, de: str, en: str, languages: str = "", hosters: str = "VOE Vidoza"):
    """A catalogue episode; languages and hosters as space-separated words."""
    return FakeEpisode(
        number, de, en, tuple(languages.split()) or FakeEpisode.languages, tuple(hosters.split())
    )


# fmt: off
ANIWORLD_CATALOGUE = (
    FakeSeries(
        "attack-on-titan", "Attack on Titan", (2013, 2023),
        "Die Menschheit lebt hinter Mauern & fürchtet die Titanen. Eren schwört Rache.",
        {
            1: (ep(1, "Dir, in 2000 Jahren", "To You, in 2000 Years", hosters="VOE Vidoza DoodStream"),
                ep(2, "An jenem Tag", "That Day"),
                ep(3, "Ein Licht in der Verzweiflung", "", hosters="")),
            2: (ep(1, "", "Beast Titan", "german-sub english-sub", "Vidmoly"),),
            0: (ep(1, "Teil 1: Pfeil und Bogen", "Part 1: Crimson Bow and Arrow", "german-dub"),),
        },
        genres=("Action", "Drama", "Fantasy"), fsk=16, imdb_id="tt2560140",
        alternative_titles=("Shingeki no Kyojin", "進撃の巨人"),
        directors=("Tetsurō Araki",), actors=("Yūki Kaji", "Yui Ishikawa"),
    ),
    FakeSeries(
        "hells-paradise", "Hell's Paradise", (2023, None),
        "Gabimaru & Sagiri suchen das Elixier - auf einer Insel voller Übel.",
        {1: (ep(1, "Tödliche Insel", "The Death Row Convict and the Executioner"),
             ep(2, "Schein & Sein", "Screening and Choosing"))},
        genres=("Action", "Übernatürlich"), fsk=18, imdb_id="tt13911628",
    ),
    FakeSeries(
        "the-ogres-bride", "The Ogre's Bride", (2026, None), "Eine Braut für den Oger.",
        {1: (ep(10, "Die Hochzeit", "The Wedding", "german-sub english-sub"),
             ep(11, "Episode 11", "Episode 11", "german-sub", hosters=""))},
    ),
    # For the library import: a title no folder name spells literally, alternative
    # titles, IMDb ids, and a "Dark" that is not s.to's Dark.
    FakeSeries(
        "rezero-starting-life-in-another-world", 'Re:Zero / Kara? Leben in einer "anderen" Welt',
        (2016, None), "Subaru wird in eine andere Welt versetzt.",
        {1: (ep(1, "Das Ende des Anfangs", "The End of the Beginning"),
             ep(2, "Wiedersehen mit der Hexe", "Reunion with the Witch"))},
        imdb_id="tt5607616",
        alternative_titles=("Re:Zero kara Hajimeru Isekai Seikatsu",
                            "Re:Zero - Starting Life in Another World"),
    ),
    FakeSeries(
        "demon-slayer-kimetsu-no-yaiba", "Demon Slayer: Kimetsu no Yaiba", (2019, None),
        "Tanjiro wird Dämonenjäger.",
        {1: (ep(1, "Grausamkeit", "Cruelty"),)},
        imdb_id="tt9335498", alternative_titles=("Kimetsu no Yaiba", "鬼滅の刃"),
    ),
    FakeSeries(
        "dark-gathering", "Dark Gathering", (2023, None), "Geister in Tokio.",
        {1: (ep(1, "Erstkontakt", "First Contact"),)},
        imdb_id="tt21113540",
    ),
)

STO_CATALOGUE = (
    FakeSeries(
        "dark", "Dark", (2017, 2020), "Ein Kind verschwindet in Winden - die Suche führt in die Zeit.",
        {
            1: (ep(1, "Geheimnisse", "Secrets", "german-dub english-dub"),
                ep(2, "Lügen", "Lies", "german-dub english-dub", "VOE Doodstream")),
            2: (ep(1, "Anfänge und Enden", "Beginnings and Endings", "german-dub", ""),),
        },
        genres=("Drama", "Mystery"), fsk=16, imdb_id="tt5753856",
        directors=("Baran bo Odar",), actors=("Louis Hofmann", "Lisa Vicari"),
    ),
    FakeSeries(
        "stromberg", "Stromberg", (2004, 2012), "Bernd Stromberg leitet die Schadensregulierung M-Z.",
        {0: (ep(1, "Stromberg - Der Film", "", "german-dub", "VOE"),),
         1: (ep(1, "Der Parkplatz", "", "german-dub german-sub", "VOE"),)},
        genres=("Komödie",), fsk=12, imdb_id="tt0436992",
    ),
    FakeSeries(
        "tom-and-jerry", "Tom & Jerry's Abenteuer", (1965, None), "Katz & Maus.",
        {1: (ep(1, "Der Käse", "The Cheese", "german-dub", "VOE Filemoon"),)},
    ),
    # An anime that s.to lists too, under a key of its own: the same IMDb id as aniworld.to's.
    FakeSeries(
        "hells-paradise-jigokuraku", "Hell's Paradise", (2023, None), "Gabimaru auf der Insel.",
        {1: (ep(1, "Tödliche Insel", "", "german-dub", "VOE"),)},
        imdb_id="tt13911628",
    ),
)
# fmt: on


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


class LegacySite(FakeIndexSite):
    """A site in the aniworld markup: aniworld.to itself, or a legacy s.to mirror."""

    prefix = "/anime/stream/"

    def __init__(self, catalogue: tuple[FakeSeries, ...]):
        super().__init__(catalogue)
        self.new_episode_rows: list[tuple[str, int, int, str, date]] = []
        base = rf"{self.prefix}(?P<key>[a-z0-9-]+)"
        self.route("GET", rf"{base}/?", self._series)
        self.route("GET", rf"{base}/(?P<slug>staffel-\d+|filme)/?", self._season)
        self.route(
            "GET", rf"{base}/staffel-(?P<season>\d+)/episode-(?P<number>\d+)/?", self._episode
        )
        self.route("GET", rf"{base}/filme/film-(?P<number>\d+)/?", self._episode)
        self.route(
            "GET", r"/redirect/(?P<link_id>\d+)/?", lambda request, link_id: self.redirect(link_id)
        )
        self.route("GET", r"/ajax/seriesSearch", self._series_search)
        self.route("GET", r"/neue-episoden/?", self._new_episodes)

    def series_page(self, series: FakeSeries, body: str = "") -> str:
        base = f"{self.prefix}{series.key}"
        start, end = series.years
        cover = f"/public/img/cover/{series.key}-stream-cover_220x330.jpg"
        people = {
            role: "".join(LEGACY_PERSON.format(role=role, name=esc(name)) for name in names)
            for role, names in (("director", series.directors), ("actor", series.actors))
        }
        fsk = (
            f'<div data-fsk="{series.fsk}" class="fsk fsk{series.fsk}">Ab: <span>{series.fsk}</span></div>'
            if series.fsk is not None
            else ""
        )
        imdb = (
            f'<a href="https://www.imdb.com/title/{series.imdb_id}" title="IMDB ID: " '
            f'data-imdb="{series.imdb_id}" class="imdb-link" target="_blank">IMDB</a>'
            if series.imdb_id
            else ""
        )
        markup = LEGACY_SERIES.format(
            placeholder=PLACEHOLDER,
            cover=cover,
            name=esc(series.name),
            alts=esc(", ".join(series.alternative_titles)),
            start=start,
            end=f'<a href="https://aniworld.to/animes/jahr/{end}">{end}</a>' if end else "Heute",
            fsk=fsk,
            imdb=imdb,
            genres="".join(
                f'<li><a href="/genre/x" class="genreButton clearbutton" itemprop="genre">{esc(g)}</a></li>'
                for g in series.genres
            ),
            description=esc(series.description),
            short=esc(series.description[:20]),
            directors=people["director"],
            actors=people["actor"],
            seasons="".join(
                f'<li><a href="{base}/filme" title="Alle Filme">Filme</a></li>'
                if n == 0
                else f'<li><a href="{base}/staffel-{n}" title="Staffel {n}">{n}</a></li>'
                for n in sorted(series.seasons)
            ),
            body=body,
        )
        return document(f"{series.name} | Stream", markup)

    def season_table(self, series: FakeSeries, season: int) -> str:
        rows = "".join(
            LEGACY_ROW.format(
                number=e.number,
                season=season,
                href=f"{self.prefix}{series.key}/{episode_slug(season, e.number)}",
                label="Film" if season == 0 else "Folge",
                title_de=esc(e.title_de),
                title_en=esc(e.title_en),
                icons="".join(f'<i class="icon {h}" title="{h}"></i>' for h in e.hosters),
                flags="".join(
                    f'<img class="flag" src="/public/img/{FLAG_FILES[lang]}.svg" alt="Flagge">'
                    for lang in e.languages
                ),
            )
            for e in series.seasons[season]
        )
        return (
            f'<table class="seasonEpisodesList" data-season-id="{season}"><thead><tr><th>Folge</th>'
            f'<th>Titel</th></tr></thead><tbody id="season{season}">{rows}</tbody></table>'
        )

    def _series(self, request: Request, key: str) -> Reply:
        series = self.catalogue.get(key)
        return page(self.series_page(series)) if series else not_found()

    def _season(self, request: Request, key: str, slug: str) -> Reply:
        series = self.catalogue.get(key)
        season = 0 if slug == "filme" else int(slug.removeprefix("staffel-"))
        if series is None or season not in series.seasons:
            return not_found()
        return page(self.series_page(series, self.season_table(series, season)))

    def _episode(self, request: Request, key: str, number: str, season: str = "0") -> Reply:
        episode = self.episode(key, int(season), int(number))
        if episode is None:
            return not_found()
        items = "".join(
            LEGACY_LINK.format(
                link_id=self.link_id(key, int(season), int(number), hoster, language),
                lang_key=LANG_KEYS[language],
                hoster=hoster,
            )
            for language in episode.languages
            for hoster in episode.hosters
        )
        boxes = "".join(
            f'<img data-lang-key="{LANG_KEYS[lang]}" src="/public/img/{FLAG_FILES[lang]}.svg">'
            for lang in episode.languages
        )
        body = (
            f'<div class="hosterSiteTitle"><h2><span class="episodeGermanTitle">{esc(episode.title_de)}'
            f'</span> <small class="episodeEnglishTitle">{esc(episode.title_en)}</small></h2></div>'
            f'<div class="hosterSiteVideo"><div class="changeLanguageBox">{boxes}</div>'
            f'<ul class="row">{items}</ul></div>'
        )
        return page(self.series_page(self.catalogue[key], body))

    def _new_episodes(self, request: Request) -> Reply:
        rows = "".join(
            NEW_EPISODE_ROW.format(
                href=f"{self.prefix}{key}/{episode_slug(season, number)}",
                name=esc(self.catalogue[key].name),
                season=season,
                number=number,
                day=day,
                placeholder=PLACEHOLDER,
                flag=f"/public/img/{FLAG_FILES[language]}.svg",
            )
            for key, season, number, language, day in self.new_episode_rows
        )
        list_ = f'<div class="newEpisodeList"><div class="rows">{rows}</div></div>'
        return page(document("Neue Episoden", list_))

    def _series_search(self, request: Request) -> Reply:
        return json_reply(
            [
                {
                    "name": esc(s.name),
                    "link": s.key,
                    "description": esc(s.description),
                    "cover": f"/public/img/cover/{s.key}_150x225.jpg",
                    "productionYear": f"({s.years[0]} - {s.years[1] or 'Heute'})",
                }
                for s in self.matches(request.arg("keyword"))
            ]
        )


class FakeAniworld(LegacySite):
    def __init__(self, catalogue: tuple[FakeSeries, ...] = ANIWORLD_CATALOGUE):
        super().__init__(catalogue)
        day = date(2026, 9, 12)
        self.new_episode_rows = [
            ("the-ogres-bride", 1, 11, "german-sub", day),
            ("the-ogres-bride", 1, 11, "english-sub", day),
            ("hells-paradise", 1, 2, "german-dub", day),
        ]
        self.route("POST", r"/ajax/search", self._search)

    def _search(self, request: Request) -> Reply:
        """Like the real search: series, their seasons and episodes, and other pages."""
        keyword = request.arg("keyword")
        highlight = re.compile(f"({re.escape(esc(keyword))})", re.IGNORECASE)
        hits = [{"title": f"<em>{esc(keyword)}</em> im Forum", "link": "/support"}]
        pages = (("", ""), (" Staffel 1", "/staffel-1"), (" Folge 1", "/staffel-1/episode-1"))
        for s in self.matches(keyword):
            title = highlight.sub(r"<em>\1</em>", esc(s.name), count=1)
            for suffix, path in pages:
                link = f"/anime/stream/{s.key}{path}"
                hits.append(
                    {"title": title + suffix, "description": esc(s.description), "link": link}
                )
        return json_reply(hits)


class FakeSto(LegacySite):
    prefix = "/serie/stream/"

    def __init__(self, catalogue: tuple[FakeSeries, ...] = STO_CATALOGUE, layout: str = "2026"):
        super().__init__(catalogue)
        self.layout = self.initial_layout = layout
        self.new_episode_rows = [("dark", 1, 2, "german-dub", date(2026, 2, 1))]
        base = r"/serie/(?P<key>(?!stream(?:/|$))[a-z0-9-]+)"
        self.route("GET", r"/api/search/suggest", self._suggest)
        self.route("GET", rf"{base}/?", self._current_series)
        self.route("GET", rf"{base}/staffel-(?P<season>\d+)/?", self._current_series)
        self.route(
            "GET",
            rf"{base}/staffel-(?P<season>\d+)/episode-(?P<number>\d+)/?",
            self._current_episode,
        )
        self.route(
            "GET", r"/r", lambda request: self.redirect(request.arg("t").removeprefix("tok"))
        )

    def route(self, method: str, pattern: str, handler: Callable[..., Reply]) -> None:
        """Each layout's routes answer 404 while the other layout is served."""
        legacy = pattern.startswith(("/serie/stream", "/ajax/", "/redirect/", "/neue-episoden"))

        def for_layout(request: Request, **params) -> Reply:
            if self.layout != ("legacy" if legacy else "2026"):
                return not_found()
            return handler(request, **params)

        super().route(method, pattern, for_layout)

    def reset(self) -> None:
        super().reset()
        self.layout = self.initial_layout

    def _suggest(self, request: Request) -> Reply:
        shows = [
            {"name": s.name, "url": f"/serie/{s.key}"} for s in self.matches(request.arg("term"))
        ]
        return json_reply({"shows": shows, "people": [], "genres": []})

    def _current_series(self, request: Request, key: str, season: str | None = None) -> Reply:
        """A series page shows its first season; a season page is the same with another table."""
        series = self.catalogue.get(key)
        if series is None or (season is not None and int(season) not in series.seasons):
            return not_found()
        shown = (
            int(season) if season is not None else min((n for n in series.seasons if n), default=0)
        )
        return page(self.current_page(series, self.current_table(series, shown)))

    def _current_episode(self, request: Request, key: str, season: str, number: str) -> Reply:
        episode = self.episode(key, int(season), int(number))
        if episode is None:
            return not_found()
        buttons = ""
        pairs = itertools.product(episode.languages, episode.hosters)
        for index, (language, hoster) in enumerate(pairs):
            if language not in STO_LANGUAGES:
                continue
            language_id, label = STO_LANGUAGES[language]
            link_id = self.link_id(key, int(season), int(number), hoster, language)
            attributes = [
                f'data-link-id="{link_id}"',
                f'data-play-url="/r?t=tok{link_id}"',
                f'data-provider-name="{hoster}"',
                f'data-language-label="{label}"',
                f'data-language-id="{language_id}"',
            ]
            if index % 2:  # attribute order is nothing to rely on
                attributes.reverse()
            buttons += (
                f'<button type="button" class="link-box btn btn-dark" {" ".join(attributes)}>'
                f'<img src="/storage/providers/{hoster.lower()}.svg" alt="{hoster}"> {hoster}</button>'
            )
        title = f"S{int(season):02d}E{int(number):02d}: {esc(episode.title_de)} ({esc(episode.title_en)})"
        body = f'<h2 class="h4 mb-1">{title}</h2><div class="link-wrapper">{buttons}</div>'
        return page(self.current_page(self.catalogue[key], body))

    def current_page(self, series: FakeSeries, body: str) -> str:
        start, end = series.years
        groups = "".join(
            f'<li class="series-group"><strong class="me-1">{label}:</strong>'
            + ", ".join(f'<a href="/x/y" class="link-light">{esc(name)}</a>' for name in names)
            + "</li>"
            for label, names in (
                ("Genre", series.genres),
                ("Regisseur", series.directors),
                ("Besetzung", series.actors),
            )
            if names
        )
        cover = f"/media/images/channel/desktop/{series.key}-x1?format=jpg"
        markup = STO_SERIES.format(
            cover=cover,
            placeholder=PLACEHOLDER,
            name=esc(series.name),
            start=start,
            end=f'<a class="small text-muted" href="/jahr/{end}">{end}</a>'
            if end
            else '<span class="small text-muted">NA</span>',
            fsk=f"FSK {series.fsk} • " if series.fsk is not None else "",
            imdb=f'<a href="https://www.imdb.com/title/{series.imdb_id}/">IMDb</a>'
            if series.imdb_id
            else "",
            description=esc(series.description),
            groups=groups,
            pills="".join(
                f'<a href="/serie/{series.key}/staffel-{n}" data-season-pill="{n}" '
                f'class="btn btn-sm">{"Filme" if n == 0 else n}</a>'
                for n in sorted(series.seasons)
            ),
            body=body,
        )
        head = f'<meta property="og:image" content="{cover}"><meta name="csrf-token" content="x">'
        return document(f"{series.name} | SerienStream (S.to)", markup, head)

    def current_table(self, series: FakeSeries, season: int) -> str:
        rows = "".join(
            STO_ROW.format(
                href=f"/serie/{series.key}/staffel-{season}/episode-{e.number}",
                number=e.number,
                title_de=esc(e.title_de),
                title_en=esc(e.title_en),
                hosters="".join(
                    f'<img class="watch-link" src="/storage/providers/{h.lower()}.svg" alt="{h}">'
                    for h in e.hosters
                ),
                flags="".join(
                    f'<svg class="watch-language svg-flag-{STO_FLAGS[lang]}"><use href="#f"></use></svg>'
                    for lang in e.languages
                ),
            )
            for e in series.seasons[season]
        )
        return (
            '<table class="table episode-table"><thead><tr class="text-uppercase"><th>#</th>'
            f"<th>Titel</th></tr></thead><tbody>{rows}</tbody></table>"
        )
