"""The index sites change their markup: every selector of the providers, missing in turn.

For each selector in ``SELECTORS`` of aniworld.to, of s.to's 2026 layout and of
s.to's legacy layout, the fake site serves its pages without the elements the
selector matches (all of its fallbacks too), and the call that reads that page
goes through the API:

- series page: adding the series;
- season page: rescanning a series already in the library;
- episode page: downloading an episode;
- new-episodes page: the provider's ``new_episodes`` (the watch job's input).

Each selector's outcome is stated below, so a new selector cannot slip in
unexamined:

- ``ERROR``: a clear provider error naming the page and the element
  (``PROVIDER_LAYOUT``, 502), and nothing written: no series, no folder, no
  ``data`` file; a rescan keeps the episodes it knew; a download fails with the
  reason and leaves no file.
- ``NO_LINKS``: the episode page yields no hoster link; the download fails
  saying that the layout may have changed, and leaves no file.
- ``DEGRADES``: the element is optional; the call succeeds with less
  information (no year, no cover, no titles, no hosters or languages in the
  season list — the episodes then read as announced until the next scan).

Selectors that share their CSS with another (``span``, ``strong``, ``a[href]``,
``i.icon``) remove that other element too; where that decides the outcome, the
element the error names is given.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings

from downloads.models import DownloadItem
from library.models import Episode, Series
from library.providers import PROVIDERS, ProviderError
from library.providers import aniworld as aniworld_markup
from library.providers import sto as sto_markup

ERROR, NO_LINKS, DEGRADES = "error", "no links", "degrades"

SERIES, SEASON, EPISODE, NEW = "series page", "season page", "episode page", "new-episodes page"

# name: (page, outcome[, the selector whose element the error names])
AW_SERIES_AND_SEASON = {
    "series_heading": (SERIES, ERROR),
    "series_name": (SERIES, ERROR, "series_heading"),  # the heading's only text is its span
    "start_year": (SERIES, DEGRADES),
    "end_year": (SERIES, DEGRADES),
    "fsk": (SERIES, DEGRADES),
    "imdb": (SERIES, DEGRADES),
    "description": (SERIES, DEGRADES),
    "genres": (SERIES, DEGRADES),
    "cover": (SERIES, DEGRADES),
    "directors": (SERIES, DEGRADES),
    "actors": (SERIES, DEGRADES),
    "season_nav": (SERIES, ERROR),
    "season_links": (SERIES, ERROR),
    "episode_table": (SEASON, ERROR),
    "episode_rows": (SEASON, ERROR),
    "episode_number": (SEASON, DEGRADES),  # the number is in the episode link too
    "episode_link": (SEASON, ERROR, "season_links"),  # "a[href]": the series page goes first
    "episode_title_cell": (SEASON, DEGRADES),
    "title_de": (SEASON, DEGRADES),
    "title_en": (SEASON, ERROR, "series_heading"),  # "span" holds the series title too
    "row_hosters": (SEASON, DEGRADES),
    "row_flags": (SEASON, DEGRADES),
    "hoster_list": (EPISODE, ERROR),
    "hoster_items": (EPISODE, NO_LINKS),
    "hoster_name": (EPISODE, DEGRADES),  # the icon names the hoster too
    "hoster_icon": (EPISODE, DEGRADES),  # the heading names the hoster too
    "hoster_anchor": (EPISODE, NO_LINKS),  # the name and icon sit inside the anchor
    "language_flags": (EPISODE, DEGRADES),  # the documented language keys remain
    "series_title_in_row": (NEW, DEGRADES),  # the key in the link stands in for the name
    "new_episode_parts": (NEW, DEGRADES),  # an empty list: nothing new until it is fixed
}
ANIWORLD_OUTCOMES = {**AW_SERIES_AND_SEASON, "new_episode_list": (NEW, ERROR)}
# Legacy s.to serves aniworld's markup; a missing new-episodes list means it has none.
LEGACY_STO_OUTCOMES = {**AW_SERIES_AND_SEASON, "new_episode_list": (NEW, DEGRADES)}
STO_OUTCOMES = {
    "series_name": (SERIES, ERROR),
    "description": (SERIES, DEGRADES),
    "cover": (SERIES, DEGRADES),  # the og:image stands in
    "cover_meta": (SERIES, DEGRADES),
    "info_groups": (SERIES, DEGRADES),
    "info_label": (SERIES, DEGRADES),
    "info_values": (SERIES, ERROR, "season_pills"),  # "a": the season pills are links too
    "year_links": (SERIES, DEGRADES),
    "imdb": (SERIES, DEGRADES),
    "season_nav": (SERIES, ERROR),
    "season_pills": (SERIES, ERROR),
    "episode_table": (SEASON, ERROR),
    "episode_rows": (SEASON, ERROR),
    "episode_number": (SEASON, DEGRADES),  # the number is in the episode URL too
    "episode_link": (SEASON, DEGRADES),  # the row's onclick holds the URL
    "title_de": (SEASON, DEGRADES),
    "title_en": (SEASON, DEGRADES),
    "row_hosters": (SEASON, DEGRADES),
    "row_flags": (SEASON, DEGRADES),
    "link_buttons": (EPISODE, NO_LINKS),
}


@dataclass(frozen=True)
class Layout:
    name: str
    fixture: str
    site: str
    key: str
    folder: str
    selectors: dict
    outcomes: dict
    episode_path: str  # season 1, episode 1 on the site


LAYOUTS = [
    Layout(
        "aniworld",
        "aniworld_site",
        "aniworld.to",
        "attack-on-titan",
        "Attack on Titan (2013)",
        aniworld_markup.SELECTORS,
        ANIWORLD_OUTCOMES,
        "/anime/stream/attack-on-titan/staffel-1/episode-1",
    ),
    Layout(
        "sto-2026",
        "sto_site",
        "s.to",
        "dark",
        "Dark (2017)",
        sto_markup.SELECTORS,
        STO_OUTCOMES,
        "/serie/dark/staffel-1/episode-1",
    ),
    Layout(
        "sto-legacy",
        "legacy_sto_site",
        "s.to",
        "dark",
        "Dark (2017)",
        aniworld_markup.SELECTORS,
        LEGACY_STO_OUTCOMES,
        "/serie/stream/dark/staffel-1/episode-1",
    ),
]


def cases(*pages: str):
    return [
        pytest.param(layout, name, id=f"{layout.name}-{name}")
        for layout in LAYOUTS
        for name, (page, *_) in layout.outcomes.items()
        if page in pages
    ]


def outcome_of(layout: Layout, name: str) -> tuple[str, str]:
    """The outcome, and the CSS of the element an error names."""
    _, outcome, *named = layout.outcomes[name]
    selector = layout.selectors[named[0] if named else name]
    return outcome, selector if isinstance(selector, str) else selector[0]


def remove(site, layout: Layout, name: str) -> None:
    selector = layout.selectors[name]
    for css in (selector,) if isinstance(selector, str) else selector:
        site.remove(css)


def library_files(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def episodes_of(key: str) -> list[tuple]:
    return list(
        Episode.objects.filter(series__key=key)
        .order_by("season", "number")
        .values_list("season", "number", "title", "title_en", "url", "language_mask")
    )


@pytest.fixture
def layout_site(request):
    """The running fake of the layout a test is parametrised with, every switch reset."""
    layout = request.node.callspec.params["layout"]
    return request.getfixturevalue(layout.fixture)


@pytest.fixture
def add(api, django_capture_on_commit_callbacks):
    """Add a series through the API, its background refresh run before returning."""

    def post(layout: Layout):
        with django_capture_on_commit_callbacks(execute=True):
            return api.post("/api/anime/", {"key": layout.key, "site": layout.site}, format="json")

    return post


def test_every_selector_has_a_stated_outcome():
    for layout in LAYOUTS:
        assert set(layout.outcomes) == set(layout.selectors), layout.name


# --- series page: adding a series ---------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("layout", "name"), cases(SERIES))
def test_a_missing_element_of_the_series_page(layout, name, layout_site, add, library_root):
    remove(layout_site, layout, name)

    response = add(layout)

    outcome, css = outcome_of(layout, name)
    if outcome == DEGRADES:
        assert response.status_code == 201, response.json()
        assert Series.objects.get(key=layout.key).name
        return
    assert response.status_code == 502, response.json()
    body = response.json()
    assert body["error"] == "PROVIDER_LAYOUT"
    assert body["details"]["element"] == css
    assert f"{layout.site}: the page {layout_site.url}" in body["message"]
    assert css in body["message"]
    assert "layout may have changed" in body["message"]
    assert not Series.objects.exists()
    assert library_files(library_root) == []


# --- season page: rescanning a series -----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("layout", "name"), cases(SEASON))
def test_a_missing_element_of_a_season_page(
    layout, name, layout_site, add, api, library_root, django_capture_on_commit_callbacks
):
    assert add(layout).status_code == 201
    known = episodes_of(layout.key)
    assert known
    files = library_files(library_root)
    remove(layout_site, layout, name)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/anime/{layout.key}/rescan", {}, format="json")

    assert response.status_code == 202, response.json()
    last = api.get("/api/anime/scan").json()["last"]
    series = Series.objects.get(key=layout.key)
    outcome, css = outcome_of(layout, name)
    if outcome == DEGRADES:
        assert last["errors"] == []
        assert series.state == "ready"
        assert [e[:2] for e in episodes_of(layout.key)] == [e[:2] for e in known]
        return
    [error] = last["errors"]
    assert css in error
    assert "layout may have changed" in error
    assert series.state == "error"
    assert css in series.error
    assert episodes_of(layout.key) == known
    assert library_files(library_root) == files


# --- episode page: downloading ------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("layout", "name"), cases(EPISODE))
def test_a_missing_element_of_an_episode_page(layout, name, layout_site, api, library_root):
    outcome, css = outcome_of(layout, name)
    provider = PROVIDERS[layout.site]
    assert api.post("/api/anime/", {"key": layout.key, "site": layout.site}).status_code == 201
    episode_url = f"{layout_site.url}{layout.episode_path}"
    offered = provider.links(episode_url)
    remove(layout_site, layout, name)

    if outcome == DEGRADES:
        assert provider.links(episode_url) == offered
        return
    response = api.post(
        "/api/queue/add",
        {"series_key": layout.key, "episodes": [{"season": 1, "episode": 1}]},
        format="json",
    )

    item = DownloadItem.objects.get(id=response.json()["added"][0]["id"])
    assert item.status == "failed"
    assert layout.episode_path in item.error
    assert "layout may have changed" in item.error
    if outcome == ERROR:
        assert css in item.error
    assert library_files(library_root) == [layout.folder, f"{layout.folder}/data"]
    assert list(settings.TEMP_DIR.iterdir()) == []


# --- the new-episodes page ----------------------------------------------------


@pytest.mark.parametrize(("layout", "name"), cases(NEW))
def test_a_missing_element_of_the_new_episodes_page(layout, name, layout_site):
    provider = PROVIDERS[layout.site]
    listed = provider.new_episodes()
    remove(layout_site, layout, name)

    outcome, css = outcome_of(layout, name)
    if outcome == DEGRADES:
        assert len(provider.new_episodes()) <= len(listed)
        return
    with pytest.raises(ProviderError) as failed:
        provider.new_episodes()
    assert failed.value.element == css
    assert "/neue-episoden" in failed.value.message
