"""The fake aniworld.to, and ``LegacySite``: its markup, which the legacy s.to shares.

See ``tests.fakes.index_sites`` for the switches every fake site has.
"""

from __future__ import annotations

import re
from datetime import date

from tests.fakes.index_catalogue import ANIWORLD_CATALOGUE, FakeSeries
from tests.fakes.index_sites import (
    PLACEHOLDER,
    FakeIndexSite,
    document,
    episode_slug,
    esc,
    json_reply,
    not_found,
    page,
)
from tests.fakes.server import Reply, Request

FLAG_FILES = {
    "german-dub": "german",
    "german-sub": "japanese-german",
    "english-sub": "japanese-english",
    "english-dub": "english",
}
LANG_KEYS = {"german-dub": 1, "english-sub": 2, "german-sub": 3, "english-dub": 4}

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
