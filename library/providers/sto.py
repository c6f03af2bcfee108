"""s.to (SerienStream): both the 2026 layout and the legacy aniworld-like layout.

Since February 2026 s.to serves ``/serie/<key>/staffel-N/episode-M`` with its
own markup; some mirrors still serve the legacy layout, which is aniworld.to's
markup under ``/serie/stream/<key>`` (parsed by ``aniworld.py``). Which layout a
page uses is read from the page itself; the provider remembers the layout of
each base URL so it asks the right URL first next time, and tries the other
layout's URL when the remembered one answers 404.

Selectors of the 2026 layout live in ``SELECTORS``; those of the legacy layout
are ``aniworld.SELECTORS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from urllib.parse import quote, urlsplit

from bs4 import Tag

from aniworld.errors import RemoteStatusError
from aniworld.languages import Language
from library.providers import aniworld
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
    "series_name": ("h1",),
    "description": ("span.description-text", "div.series-description"),
    "cover": ("picture img", "img.img-fluid[data-src]"),
    "cover_meta": "meta[property='og:image'][content]",
    "info_groups": "li.series-group",
    "info_label": "strong",
    "info_values": "a",
    "year_links": "a[href*='/jahr/']",
    "imdb": "a[href*='imdb.com/title/']",
    "season_nav": ("nav#season-nav", "#season-nav"),
    "season_pills": "a[data-season-pill]",
    # season page
    "episode_table": ("table.episode-table",),
    "episode_rows": ("tr.episode-row",),
    "episode_number": (".episode-number-cell",),
    "episode_link": "a[href*='/episode-']",
    "title_de": ("strong.episode-title-ger", "td.episode-title-cell strong"),
    "title_en": ("span.episode-title-eng", "td.episode-title-cell span"),
    "row_hosters": ("td.episode-watch-cell img", "img.watch-link"),
    "row_flags": ("[class*='svg-flag-']", "img.flag"),
    # episode page
    "link_buttons": ("button.link-box[data-play-url]", "[data-play-url]"),
}

# Elements only the legacy (aniworld-like) markup has.
LEGACY_MARKERS = (
    "div.series-title",
    "div.hosterSiteDirectNav",
    "table.seasonEpisodesList",
    "div.hosterSiteVideo",
    "div.newEpisodeList",
    "p.seri_des",
)

# ``data-language-id`` of the 2026 layout (s.to offers dubs only).
LANGUAGE_IDS = {"1": Language.GERMAN_DUB, "2": Language.ENGLISH_DUB}
LEGACY_PATH = "/serie/stream/"
CURRENT_PATH = "/serie/"
SUGGEST_LINK = re.compile(r"^/serie/(?!stream(?:/|$))(?P<key>[^/]+)/?$")
LEGACY_SEARCH_LINK = re.compile(r"^/serie/stream/(?P<key>[a-z0-9-]+)/?$")
ONCLICK_URL = re.compile(r"""location(?:\.href)?\s*=\s*['"]([^'"]+)['"]""")
EPISODE_NUMBER_IN_URL = re.compile(r"/episode-(\d+)/?$")
SEASON_IN_URL = re.compile(r"/staffel-(\d+)/?$")
FSK = re.compile(r"\bFSK\s*(\d{1,2})\b")


class Layout(StrEnum):
    CURRENT = "2026"
    LEGACY = "legacy"


def page_layout(page: Page) -> Layout:
    if any(page.soup.select_one(marker) is not None for marker in LEGACY_MARKERS):
        return Layout.LEGACY
    return Layout.CURRENT


def parse_series_page(page: Page, key: str, url: str) -> SeriesInfo:
    with page.parsing():
        name = page.text("series_name")
        if not name:
            raise page.missing("series_name", "series title")
        groups: dict[str, list[str]] = {}
        for group in page.find_all("info_groups"):
            label = page.text("info_label", group).lower()
            groups[label] = [
                clean_text(a.get_text(" ")) for a in page.find_all("info_values", group)
            ]
        # Start and end year are links in one line; other "/jahr/" links may exist elsewhere.
        years = page.find_all("year_links")
        years = page.find_all("year_links", years[0].parent) if years else []
        fsk = FSK.search(page.soup.get_text(" "))
        imdb = page.find("imdb")
        imdb_id = re.search(r"tt\d+", imdb.get("href", "")) if imdb is not None else None
        return SeriesInfo(
            key=key,
            site=page.site,
            name=name,
            url=url,
            year_start=first_int(years[0].get_text()) if years else None,
            year_end=first_int(years[1].get_text()) if len(years) > 1 else None,
            description=page.text("description"),
            cover_url=_cover(page),
            genres=_group(groups, "genre"),
            fsk=int(fsk.group(1)) if fsk else None,
            imdb_id=imdb_id.group() if imdb_id else None,
            directors=_group(groups, "regisseur"),
            actors=_group(groups, "besetzung", "schauspieler"),
            season_numbers=_season_numbers(page),
        )


def _group(groups: dict[str, list[str]], *labels: str) -> list[str]:
    for label, names in groups.items():
        if label.startswith(labels):
            return list(dict.fromkeys(name for name in names if name))
    return []


def _cover(page: Page) -> str | None:
    img = page.find("cover")
    source = image_url(img) if img is not None else ""
    if not source:
        meta = page.find("cover_meta")
        source = meta["content"].strip() if meta is not None else ""
    return page.absolute(source) if source else None


def _season_numbers(page: Page) -> list[int]:
    nav = page.require("season_nav", what="season list")
    numbers: set[int] = set()
    for pill in page.find_all("season_pills", nav):
        number = first_int(pill.get("data-season-pill"))
        if number is None:
            match = SEASON_IN_URL.search(urlsplit(pill.get("href", "")).path)
            number = int(match.group(1)) if match else None
        if number is not None:
            numbers.add(number)
    if not numbers:
        # Not "a series without episodes": a rescan would drop every episode we know.
        raise page.missing("season_pills", "season links in the season list")
    return sorted(numbers)


def parse_season_page(page: Page, season: int) -> list[EpisodeInfo]:
    with page.parsing():
        table = page.require("episode_table", what="episode list")
        rows = page.find_all("episode_rows", table)
        if not rows:
            # A season the site lists has at least one (announced) episode.
            raise page.missing("episode_rows", "episode rows in the episode list")
        return [_episode_from_row(page, row, season) for row in rows]


def _episode_from_row(page: Page, row: Tag, season: int) -> EpisodeInfo:
    onclick = ONCLICK_URL.search(row.get("onclick") or "")
    anchor = page.find("episode_link", row)
    href = onclick.group(1) if onclick else (anchor["href"] if anchor is not None else "")
    if not href:
        raise page.missing("episode_link", "episode link in an episode row")
    url = page.internal(href)
    number = first_int(page.text("episode_number", row))
    if number is None:
        match = EPISODE_NUMBER_IN_URL.search(urlsplit(url).path)
        if match is None:
            raise page.missing("episode_number", "episode number")
        number = int(match.group(1))
    hosters = []
    for img in page.find_all("row_hosters", row):
        name = canonical_hoster(img.get("alt") or _file_stem(image_url(img)))
        if name and name not in hosters:
            hosters.append(name)
    return EpisodeInfo(
        season=season,
        number=number,
        url=url,
        title_de=_title(page, "title_de", row),
        title_en=_title(page, "title_en", row),
        languages=frozenset(_row_languages(page, row)),
        hosters=hosters,
    )


def _title(page: Page, name: str, row: Tag) -> str:
    tag = page.find(name, row)
    if tag is None:
        return ""
    return clean_text(tag.get_text(" ")) or clean_text(tag.get("title"))


def _row_languages(page: Page, row: Tag) -> set[Language]:
    languages = set()
    for flag in page.find_all("row_flags", row):
        names = [c for c in flag.get("class", []) if c.startswith("svg-flag-")]
        names = names or [image_url(flag)]
        languages.update(lang for name in names if (lang := language_from_flag(name)))
    return languages


def _file_stem(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("?", 1)[0].rsplit(".", 1)[0]


def parse_hoster_links(page: Page) -> list[HosterLink]:
    """The 2026 layout's link buttons; none at all means "only announced"."""
    with page.parsing():
        links = []
        for button in page.find_all("link_buttons"):
            play_url = (button.get("data-play-url") or "").strip()
            hoster = canonical_hoster(button.get("data-provider-name") or button.get_text(" "))
            language = LANGUAGE_IDS.get((button.get("data-language-id") or "").strip())
            language = language or language_from_label(button.get("data-language-label") or "")
            if play_url and hoster and language is not None:
                links.append(
                    HosterLink(
                        hoster=hoster,
                        language=language,
                        redirect_url=page.internal(play_url),
                        link_id=(button.get("data-link-id") or "").strip(),
                    )
                )
        return links


def language_from_label(label: str) -> Language | None:
    """``"Deutsch"``, ``"Englisch"``, ``"Englisch mit deutschen Untertiteln"`` …"""
    text = label.lower()
    german = "deutsch" in text or "german" in text
    if "untertitel" in text or "sub" in text:
        return Language.GERMAN_SUB if german else Language.ENGLISH_SUB
    if german:
        return Language.GERMAN_DUB
    if "englisch" in text or "english" in text:
        return Language.ENGLISH_DUB
    return None


class StoProvider(Provider):
    site = "s.to"

    def __init__(self) -> None:
        self._layouts: dict[str, Layout] = {}

    def layout(self) -> Layout:
        """The layout the configured s.to last served (the 2026 one until we know)."""
        return self._layouts.get(self.base_url, Layout.CURRENT)

    def series_url(self, key: str, layout: Layout | None = None) -> str:
        path = LEGACY_PATH if (layout or self.layout()) is Layout.LEGACY else CURRENT_PATH
        return f"{self.base_url}{path}{quote(key, safe='')}"

    def season_url(self, key: str, season: int, layout: Layout | None = None) -> str:
        layout = layout or self.layout()
        # The legacy layout keeps aniworld's "/filme"; the 2026 one calls films season 0.
        suffix = "filme" if season == 0 and layout is Layout.LEGACY else f"staffel-{season}"
        return f"{self.series_url(key, layout)}/{suffix}"

    def search(self, query: str) -> list[SearchResult]:
        return self.search_in_order(
            query,
            [("/api/search/suggest", self._suggest), ("/ajax/seriesSearch", self._legacy_search)],
        )

    def _suggest(self, query: str) -> list[SearchResult]:
        data = self.fetch_json("GET", "/api/search/suggest", params={"term": query})
        shows = data.get("shows") if isinstance(data, dict) else None
        if not isinstance(shows, list):
            raise EndpointUnusable("suggest answer has no shows list")
        self._layouts[self.base_url] = Layout.CURRENT
        results = []
        for show in shows:
            if not isinstance(show, dict):
                continue
            path = urlsplit(str(show.get("url") or "")).path
            match = SUGGEST_LINK.match(path) or LEGACY_SEARCH_LINK.match(path)
            name = markup_text(str(show.get("name") or ""))
            if match and name:
                key = match.group("key")
                results.append(SearchResult(key, name, self.site, self.series_url(key)))
        return results

    def _legacy_search(self, query: str) -> list[SearchResult]:
        data = self.fetch_json("GET", "/ajax/seriesSearch", params={"keyword": query})
        results = aniworld.series_search_hits(data, self.site, self.base_url, LEGACY_PATH)
        self._layouts[self.base_url] = Layout.LEGACY
        return results

    def series(self, key: str) -> SeriesInfo:
        page, layout = self._fetch_either(lambda layout: self.series_url(key, layout))
        url = self.series_url(key, layout)
        if layout is Layout.LEGACY:
            return aniworld.parse_series_page(page.with_selectors(aniworld.SELECTORS), key, url)
        return parse_series_page(page, key, url)

    def episodes(self, key: str, season: int) -> list[EpisodeInfo]:
        page, layout = self._fetch_either(lambda layout: self.season_url(key, season, layout))
        if layout is Layout.LEGACY:
            return aniworld.parse_season_page(page.with_selectors(aniworld.SELECTORS), season)
        return parse_season_page(page, season)

    def links(self, episode_url: str) -> list[HosterLink]:
        page = self.fetch_page(self.on_site(episode_url), SELECTORS)
        if page_layout(page) is Layout.LEGACY:
            return aniworld.parse_hoster_links(page.with_selectors(aniworld.SELECTORS))
        return parse_hoster_links(page)

    def new_episodes(self) -> list[NewEpisode]:
        """Only legacy mirrors have ``/neue-episoden``; the 2026 layout lists none."""
        try:
            page = self.fetch_page(f"{self.base_url}/neue-episoden", aniworld.SELECTORS)
        except RemoteStatusError as exc:
            if exc.status_code == 404:
                return []
            raise
        if not page.has("new_episode_list"):
            return []
        return aniworld.parse_new_episodes(page)

    def _fetch_either(self, url_for: Callable[[Layout], str]) -> tuple[Page, Layout]:
        """The page at the remembered layout's URL, or at the other layout's on 404."""
        first = self.layout()
        second = Layout.LEGACY if first is Layout.CURRENT else Layout.CURRENT
        try:
            page = self.fetch_page(url_for(first), SELECTORS)
        except RemoteStatusError as exc:
            if exc.status_code != 404:
                raise
            page = self.fetch_page(url_for(second), SELECTORS)
        layout = page_layout(page)
        self._layouts[self.base_url] = layout
        return page, layout
