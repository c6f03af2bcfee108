"""aniworld.to: search, series, seasons, hoster links and the new-episodes list.

The parsers here read the "aniworld markup", which legacy s.to mirrors serve
too (under ``/serie/stream/<key>``); ``sto.py`` reuses them for those pages.
Every selector lives in ``SELECTORS``; a tuple lists fallbacks, first is canonical.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from urllib.parse import quote, urljoin, urlsplit

from bs4 import Tag

from aniworld.languages import Language
from library.providers.base import (
    EndpointUnusable,
    EpisodeInfo,
    HosterLink,
    NewEpisode,
    Page,
    Provider,
    SearchResult,
    Selector,
    SeriesInfo,
    canonical_hoster,
    clean_text,
    first_int,
    image_url,
    language_from_flag,
    markup_text,
)

SELECTORS: dict[str, Selector] = {
    # series page
    "series_heading": ("div.series-title h1", "h1[itemprop=name]"),
    "series_name": "span",
    "start_year": ("span[itemprop=startDate] a", "span[itemprop=startDate]"),
    "end_year": ("span[itemprop=endDate] a", "span[itemprop=endDate]"),
    "fsk": ("div.fsk[data-fsk]", "[data-fsk]"),
    "imdb": ("a.imdb-link[data-imdb]", "[data-imdb]", "a[href*='imdb.com/title/']"),
    "description": ("p.seri_des[data-full-description]", "p.seri_des"),
    "genres": ("div.genres a.genreButton", "div.genres [itemprop=genre]"),
    "cover": ("div.seriesCoverBox img", "img[itemprop=image]"),
    "directors": ("li.seriesDirector [itemprop=name]",),
    "actors": ("li:has(> strong.seriesActor) [itemprop=name]", "[itemprop=actor] [itemprop=name]"),
    "season_nav": ("div.hosterSiteDirectNav#stream", "#stream", "div.hosterSiteDirectNav"),
    "season_links": "a[href]",
    # season page
    "episode_table": ("table.seasonEpisodesList",),
    "episode_rows": "tr",
    "episode_number": "meta[itemprop=episodeNumber][content]",
    "episode_link": ("a[itemprop=url][href]", "a[href]"),
    "episode_title_cell": "td.seasonEpisodeTitle",
    "title_de": "strong",
    "title_en": "span",
    "row_hosters": "i.icon",
    "row_flags": "img.flag",
    # episode page
    "hoster_list": ("div.hosterSiteVideo",),
    "hoster_items": ("li[data-lang-key]", "li[data-link-target]"),
    "language_flags": "img[data-lang-key]",
    "hoster_name": "h4",
    "hoster_icon": "i.icon",
    "hoster_anchor": "a[href]",
    # /neue-episoden
    "new_episode_list": ("div.newEpisodeList",),
    # Episode links and their flags, in document order.
    "new_episode_parts": "a[href], img.flag",
    "series_title_in_row": "strong",
}

SERIES_PATH = "/anime/stream/"
# Search hits may be seasons or episodes too; only the bare series link counts.
SEARCH_LINK = re.compile(r"^/anime/stream/(?P<key>[a-z0-9-]+)/?$")
SEASON_HREF = re.compile(r"/staffel-(\d+)/?$")
FILMS_HREF = re.compile(r"/filme/?$")
EPISODE_HREF = re.compile(r"/(?:staffel-(?P<season>\d+)/episode|filme/film)-(?P<number>\d+)/?$")
SERIES_KEY_IN_HREF = re.compile(r"/(?:anime|serie)/stream/(?P<key>[^/]+)")
LIST_TAG = re.compile(r"S\s*(\d+)\s*E\s*(\d+)", re.IGNORECASE)
GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_series_page(page: Page, key: str, url: str) -> SeriesInfo:
    with page.parsing():
        heading = page.require("series_heading", what="series title")
        name_tag = page.find("series_name", heading)
        name = clean_text((name_tag or heading).get_text(" "))
        if not name:
            raise page.missing("series_heading", "series title")
        # lxml lowercases attribute names: the site writes data-alternativeTitles.
        titles = (heading.get("data-alternativetitles") or "").split(",")
        alternatives = [title for title in _unique(map(clean_text, titles)) if title != name]
        description_tag = page.find("description")
        description = ""
        if description_tag is not None:
            description = clean_text(
                description_tag.get("data-full-description") or description_tag.get_text(" ")
            )
        fsk_tag = page.find("fsk")
        cover_tag = page.find("cover")
        cover = image_url(cover_tag) if cover_tag is not None else ""
        return SeriesInfo(
            key=key,
            site=page.site,
            name=name,
            url=url,
            alternative_titles=alternatives,
            year_start=first_int(page.text("start_year")),
            year_end=first_int(page.text("end_year")),
            description=description,
            cover_url=page.absolute(cover) if cover else None,
            genres=_unique(clean_text(tag.get_text()) for tag in page.find_all("genres")),
            fsk=first_int(fsk_tag.get("data-fsk")) if fsk_tag is not None else None,
            imdb_id=_imdb_id(page.find("imdb")),
            directors=_unique(clean_text(tag.get_text()) for tag in page.find_all("directors")),
            actors=_unique(clean_text(tag.get_text()) for tag in page.find_all("actors")),
            season_numbers=_season_numbers(page),
        )


def _season_numbers(page: Page) -> list[int]:
    nav = page.require("season_nav", what="season list")
    numbers: set[int] = set()
    for anchor in page.find_all("season_links", nav):
        path = urlsplit(anchor["href"]).path
        if match := SEASON_HREF.search(path):
            numbers.add(int(match.group(1)))
        elif FILMS_HREF.search(path):
            numbers.add(0)
    if not numbers:
        # Not "a series without episodes": a rescan would drop every episode we know.
        raise page.missing("season_links", "season links in the season list")
    return sorted(numbers)


def _imdb_id(tag: Tag | None) -> str | None:
    if tag is None:
        return None
    match = re.search(r"tt\d+", tag.get("data-imdb") or tag.get("href") or "")
    return match.group() if match else None


def parse_season_page(page: Page, season: int) -> list[EpisodeInfo]:
    with page.parsing():
        table = page.require("episode_table", what="episode list")
        episodes = []
        for row in page.find_all("episode_rows", table):
            anchor = page.find("episode_link", row)
            number = _episode_number(page, row, anchor)
            if anchor is None or number is None:
                if "schema.org/Episode" in (row.get("itemtype") or ""):
                    raise page.missing("episode_link", "episode link in an episode row")
                continue  # a header or spacer row
            episodes.append(_episode_from_row(page, row, anchor, season, number))
        if not episodes:
            # A season the site lists has at least one (announced) episode.
            raise page.missing("episode_rows", "episode rows in the episode list")
        return episodes


def _episode_number(page: Page, row: Tag, anchor: Tag | None) -> int | None:
    meta = page.find("episode_number", row)
    if meta is not None and first_int(meta.get("content")) is not None:
        return first_int(meta.get("content"))
    link = EPISODE_HREF.search(urlsplit(anchor["href"]).path) if anchor is not None else None
    return int(link.group("number")) if link else None


def _episode_from_row(page: Page, row: Tag, anchor: Tag, season: int, number: int) -> EpisodeInfo:
    cell = page.find("episode_title_cell", row) or row
    hosters = []
    for icon in page.find_all("row_hosters", row):
        name = _icon_name(icon)
        if name and name not in hosters:
            hosters.append(name)
    languages = {
        language
        for flag in page.find_all("row_flags", row)
        if (language := language_from_flag(image_url(flag))) is not None
    }
    return EpisodeInfo(
        season=season,
        number=number,
        url=page.internal(anchor["href"]),
        title_de=page.text("title_de", cell),
        title_en=page.text("title_en", cell),
        languages=frozenset(languages),
        hosters=hosters,
    )


def _icon_name(icon: Tag) -> str:
    """``<i class="icon VOE" title="Hoster VOE">``: the title, else the extra class."""
    classes = [c for c in icon.get("class", []) if c != "icon"]
    return canonical_hoster(icon.get("title") or (classes[0] if classes else ""))


def parse_hoster_links(page: Page) -> list[HosterLink]:
    """One link per (hoster, language); an empty list means "only announced"."""
    with page.parsing():
        box = page.require("hoster_list", what="hoster list")
        languages = _languages_by_key(page, box)
        links = []
        for item in page.find_all("hoster_items", box):
            language = languages.get((item.get("data-lang-key") or "").strip())
            anchor = page.find("hoster_anchor", item)
            target = item.get("data-link-target") or (anchor["href"] if anchor else "")
            hoster = _hoster_name(page, item)
            if language is None or not target.strip() or not hoster:
                continue
            link_id = (item.get("data-link-id") or "").strip()
            links.append(
                HosterLink(
                    hoster=hoster,
                    language=language,
                    redirect_url=page.internal(target),
                    link_id=link_id or str(first_int(target) or ""),
                )
            )
        return links


def _languages_by_key(page: Page, box: Tag) -> dict[str, Language]:
    """What each ``data-lang-key`` means on this page: the language switch's flag says
    it (legacy s.to gives its English dub key 2, which aniworld.to uses for English
    subtitles), the documented keys where a key has no readable flag."""
    languages = Language.by_site_key()
    for flag in page.find_all("language_flags", box):
        language = language_from_flag(image_url(flag))
        if language is not None:
            languages[(flag.get("data-lang-key") or "").strip()] = language
    return languages


def _hoster_name(page: Page, item: Tag) -> str:
    heading = page.text("hoster_name", item)
    if heading:
        return canonical_hoster(heading)
    icon = page.find("hoster_icon", item)
    return _icon_name(icon) if icon is not None else ""


def parse_new_episodes(page: Page) -> list[NewEpisode]:
    """Rows of ``/neue-episoden``: one entry per (episode, language) as listed.

    The list is walked in document order and each flag belongs to the episode
    link before it, which holds for nested rows and for flat lists alike.
    """
    with page.parsing():
        box = page.require("new_episode_list", what="new-episodes list")
        entries: list[NewEpisode] = []
        current: NewEpisode | None = None
        current_has_flag = False
        for element in page.find_all("new_episode_parts", box):
            if element.name == "a":
                if current is not None and not current_has_flag:
                    entries.append(current)
                current, current_has_flag = _new_episode(page, element), False
            elif current is not None:
                language = language_from_flag(image_url(element))
                entries.append(replace(current, language=language))
                current_has_flag = True
        if current is not None and not current_has_flag:
            entries.append(current)
        return entries


def _new_episode(page: Page, anchor: Tag) -> NewEpisode | None:
    url = page.internal(anchor.get("href") or "")
    path = urlsplit(url).path
    link = EPISODE_HREF.search(path)
    key = SERIES_KEY_IN_HREF.search(path)
    if link is None or key is None:
        return None
    tag = LIST_TAG.search(anchor.get_text(" "))
    if tag:
        season, episode = int(tag.group(1)), int(tag.group(2))
    else:
        season, episode = int(link.group("season") or 0), int(link.group("number"))
    title = page.find("series_title_in_row", anchor)
    day = GERMAN_DATE.search(anchor.get_text(" "))
    published = None
    if day:
        try:
            published = date(int(day.group(3)), int(day.group(2)), int(day.group(1)))
        except ValueError:
            published = None
    return NewEpisode(
        series_name=clean_text(title.get_text(" ")) if title is not None else key.group("key"),
        series_key=key.group("key"),
        season=season,
        episode=episode,
        language=None,
        url=url,
        site=page.site,
        published=published,
    )


def search_hits(data: object, site: str, base_url: str, pattern: re.Pattern[str], path: str):
    """``POST /ajax/search``: ``[{title, description, link}]``, series links only."""
    if not isinstance(data, list):
        raise EndpointUnusable("search answer is not a list")
    results = []
    for item in data:
        if not isinstance(item, dict):
            continue
        match = pattern.match(urlsplit(str(item.get("link") or "")).path)
        name = markup_text(str(item.get("title") or ""))
        if match and name:
            results.append(
                SearchResult(
                    key=match.group("key"),
                    name=name,
                    site=site,
                    url=f"{base_url}{path}{match.group('key')}",
                    description=markup_text(str(item.get("description") or "")),
                )
            )
    return results


def series_search_hits(data: object, site: str, base_url: str, path: str) -> list[SearchResult]:
    """``GET /ajax/seriesSearch``: ``[{name, link: "<key>", description, cover, productionYear}]``."""
    if not isinstance(data, list):
        raise EndpointUnusable("series search answer is not a list")
    results = []
    for item in data:
        if not isinstance(item, dict):
            continue
        link = str(item.get("link") or "").strip()
        in_path = SERIES_KEY_IN_HREF.search(link)
        key = in_path.group("key") if in_path else link.strip("/").rsplit("/", 1)[-1]
        name = markup_text(str(item.get("name") or item.get("title") or ""))
        if not key or not name:
            continue
        cover = str(item.get("cover") or "").strip()
        results.append(
            SearchResult(
                key=key,
                name=name,
                site=site,
                url=f"{base_url}{path}{key}",
                year=first_int(str(item.get("productionYear") or "")),
                cover_url=urljoin(base_url + "/", cover) if cover else None,
                description=markup_text(str(item.get("description") or "")),
            )
        )
    return results


def _unique(values) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


class AniworldProvider(Provider):
    site = "aniworld.to"

    def series_url(self, key: str) -> str:
        return f"{self.base_url}{SERIES_PATH}{quote(key, safe='')}"

    def season_url(self, key: str, season: int) -> str:
        return f"{self.series_url(key)}/{'filme' if season == 0 else f'staffel-{season}'}"

    def search(self, query: str) -> list[SearchResult]:
        return self.search_in_order(
            query,
            [("/ajax/search", self._ajax_search), ("/ajax/seriesSearch", self._series_search)],
        )

    def _ajax_search(self, query: str) -> list[SearchResult]:
        data = self.fetch_json("POST", "/ajax/search", data={"keyword": query})
        return search_hits(data, self.site, self.base_url, SEARCH_LINK, SERIES_PATH)

    def _series_search(self, query: str) -> list[SearchResult]:
        data = self.fetch_json("GET", "/ajax/seriesSearch", params={"keyword": query})
        return series_search_hits(data, self.site, self.base_url, SERIES_PATH)

    def series(self, key: str) -> SeriesInfo:
        url = self.series_url(key)
        return parse_series_page(self.fetch_page(url, SELECTORS), key, url)

    def episodes(self, key: str, season: int) -> list[EpisodeInfo]:
        return parse_season_page(self.fetch_page(self.season_url(key, season), SELECTORS), season)

    def links(self, episode_url: str) -> list[HosterLink]:
        return parse_hoster_links(self.fetch_page(self.on_site(episode_url), SELECTORS))

    def new_episodes(self) -> list[NewEpisode]:
        return parse_new_episodes(self.fetch_page(f"{self.base_url}/neue-episoden", SELECTORS))
