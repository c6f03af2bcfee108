"""The fake s.to: ``layout="2026"`` serves the current site, ``layout="legacy"``
the aniworld-like one under ``/serie/stream/``; ``site.layout`` may change at run time.

See ``tests.fakes.index_sites`` for the switches every fake site has.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date

from tests.fakes.aniworld_site import LegacySite
from tests.fakes.index_catalogue import STO_CATALOGUE, FakeSeries
from tests.fakes.index_sites import PLACEHOLDER, document, esc, json_reply, not_found, page
from tests.fakes.server import Reply, Request

# The 2026 s.to: flags in the season rows, ids and labels on the link buttons.
STO_FLAGS = {"german-dub": "german", "english-dub": "english", "german-sub": "english-german"}
STO_LANGUAGES = {"german-dub": ("1", "Deutsch"), "english-dub": ("2", "Englisch")}

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
