"""A fake TMDB API v3 and image host on a ``FakeServer``, with two anime series.

    with FakeTmdb() as tmdb:
        TmdbClient(FAKE_API_KEY, api_url=tmdb.api_url, image_base=tmdb.image_url)
        tmdb.shows[1429].data["tagline"] = "…"  # change what it serves

It answers like TMDB does: ``/3/configuration``, ``/3/search/tv``, ``/3/find/{id}``,
``/3/tv/{id}`` (``language`` de-DE or en-US, ``append_to_response`` and
``include_image_language`` honoured) and ``/3/tv/{id}/season/{n}`` (the season's
episodes with air date, name, overview, runtime, still; an empty German name or
overview is filled in en-US, as TMDB does), the error bodies of a bad key (401, code 7),
an unknown id (404, code 34) and a missing query (422, ``errors``). Images are
served as real, small JPEG and PNG files. Switches make it misbehave on purpose:
``fail_next`` (any reply, e.g. 503), ``rate_limit_next`` (429 with Retry-After) and
``serve_html_for`` (an error page in place of an image).

The series data is our own, in TMDB's shapes (``tests.fakes.tmdb_shows``); the
images come from ``tests.fakes.image_files``.
"""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

from tests.fakes.image_files import solid_jpeg, solid_png
from tests.fakes.server import FakeServer, Reply, Request
from tests.fakes.tmdb_shows import FakeShow, attack_on_titan, frieren

FAKE_API_KEY = "0123456789abcdef0123456789abcdef"
FAKE_READ_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJmYWtlLXRtZGIiLCJ2IjoxfQ.ZmFrZS1zaWduYXR1cmU"

APPENDABLE = ("credits", "content_ratings", "external_ids", "images", "keywords")
TRANSLATED = ("name", "overview", "tagline")

ERROR_BAD_KEY = {
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
    "success": False,
}
ERROR_NOT_FOUND = {
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
    "success": False,
}
ERROR_RATE_LIMIT = {
    "status_code": 25,
    "status_message": "Your request count (#) is over the allowed limit of (40).",
    "success": False,
}


class FakeTmdb:
    def __init__(self):
        self.server = FakeServer()
        self._lock = threading.Lock()
        self.reset()
        self.server.route("GET", r"/3/configuration", self._configuration)
        self.server.route("GET", r"/3/search/tv", self._search)
        self.server.route("GET", r"/3/find/(?P<external_id>[^/]+)", self._find)
        self.server.route("GET", r"/3/tv/(?P<tv_id>[^/]+)", self._tv)
        self.server.route("GET", r"/3/tv/(?P<tv_id>[^/]+)/season/(?P<season>[^/]+)", self._season)
        self.server.route("GET", r"/t/p/(?P<size>[a-z0-9]+)/(?P<name>[^/]+)", self._image)

    @property
    def api_url(self) -> str:
        return f"{self.server.url}/3"

    @property
    def image_url(self) -> str:
        return f"{self.server.url}/t/p"

    def start(self) -> FakeTmdb:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> FakeTmdb:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        """Back to the two default series, no switches, no recorded requests.

        Lets a test session share one server: stopping one takes half a second.
        """
        with self._lock:
            self.shows = {show.id: show for show in (attack_on_titan(), frieren())}
            self.html_instead_of: set[str] = set()
            self._failures: list[Reply] = []
            self.server.requests.clear()

    # switches

    def fail_next(self, reply: Reply, times: int = 1) -> None:
        """Answer the next ``times`` API requests with ``reply``."""
        with self._lock:
            self._failures.extend([reply] * times)

    def rate_limit_next(self, times: int = 1, retry_after: str = "1") -> None:
        self.fail_next(_json(429, ERROR_RATE_LIMIT, {"Retry-After": retry_after}), times)

    def serve_html_for(self, path: str) -> None:
        """Serve an HTML error page with status 200 in place of the image at ``path``."""
        self.html_instead_of.add(path.lstrip("/"))

    def api_requests(self, path: str = "") -> list[Request]:
        return [r for r in self.server.requests if r.path.startswith(f"/3{path}")]

    def image_requests(self) -> list[Request]:
        return [r for r in self.server.requests if r.path.startswith("/t/p/")]

    # handlers

    def _guard(self, request: Request) -> Reply | None:
        with self._lock:
            if self._failures:
                return self._failures.pop(0)
        authorised = request.arg("api_key") == FAKE_API_KEY or (
            request.headers.get("authorization") == f"Bearer {FAKE_READ_TOKEN}"
        )
        return None if authorised else _json(401, ERROR_BAD_KEY)

    def _configuration(self, request: Request) -> Reply:
        base = f"{self.image_url}/"
        return self._guard(request) or _json(
            200,
            {
                "images": {
                    "base_url": base,
                    "secure_base_url": base,
                    "backdrop_sizes": ["w300", "w780", "w1280", "original"],
                    "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
                    "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
                    "profile_sizes": ["w45", "w185", "h632", "original"],
                    "still_sizes": ["w92", "w185", "w300", "original"],
                },
                "change_keys": ["name", "overview"],
            },
        )

    def _search(self, request: Request) -> Reply:
        refused = self._guard(request)
        if refused:
            return refused
        query = request.arg("query").casefold()
        if not query:
            return _json(422, {"errors": ["query must be provided"]})
        year = request.arg("first_air_date_year")
        results = []
        for show in self.shows.values():
            localised = self._localised(show, request.arg("language", "en-US"))
            names = (
                localised.get("name"),
                localised.get("original_name"),
                show.english.get("name"),
            )
            if any(query in (name or "").casefold() for name in names) and (
                not year or (localised.get("first_air_date") or "").startswith(year)
            ):
                results.append(_summary(localised))
        return _json(
            200, {"page": 1, "results": results, "total_pages": 1, "total_results": len(results)}
        )

    def _find(self, request: Request) -> Reply:
        refused = self._guard(request)
        if refused:
            return refused
        if request.arg("external_source") != "imdb_id":
            return _json(400, {"status_code": 5, "status_message": "Invalid parameters"})
        hits = [
            _summary(self._localised(show, request.arg("language", "en-US")))
            for show in self.shows.values()
            if (show.data.get("external_ids") or {}).get("imdb_id") == request.params["external_id"]
        ]
        empty: list[dict] = []
        return _json(
            200,
            {
                "movie_results": empty,
                "person_results": empty,
                "tv_results": hits,
                "tv_episode_results": empty,
                "tv_season_results": empty,
            },
        )

    def _tv(self, request: Request) -> Reply:
        refused = self._guard(request)
        if refused:
            return refused
        tv_id = request.params["tv_id"]
        show = self.shows.get(int(tv_id)) if tv_id.isdigit() else None
        if show is None:
            return _json(404, ERROR_NOT_FOUND)
        language = request.arg("language", "en-US")
        body = self._localised(show, language)
        appended = set(request.arg("append_to_response").split(","))
        for section in APPENDABLE:
            if section not in appended:
                body.pop(section, None)
        if "images" in body:
            wanted = request.arg("include_image_language") or language.split("-")[0]
            languages = {None if code == "null" else code for code in wanted.split(",")}
            body["images"] = {
                kind: [i for i in images if (i.get("iso_639_1") or None) in languages]
                for kind, images in body["images"].items()
            }
        return _json(200, body)

    def _season(self, request: Request) -> Reply:
        refused = self._guard(request)
        if refused:
            return refused
        tv_id, number = request.params["tv_id"], request.params["season"]
        show = self.shows.get(int(tv_id)) if tv_id.isdigit() else None
        if show is None or not number.isdigit() or int(number) not in show.episodes:
            return _json(404, ERROR_NOT_FOUND)
        season = int(number)
        listed = next((s for s in show.data.get("seasons", []) if s["season_number"] == season), {})
        episodes = copy.deepcopy(show.episodes[season])
        if request.arg("language", "en-US") != "de-DE":
            for episode in episodes:
                english = show.english_episodes.get((season, episode["episode_number"]), {})
                episode["name"] = english.get("name") or f"Episode {episode['episode_number']}"
                episode["overview"] = english.get("overview", "")
        return _json(
            200,
            {
                "_id": f"season-{tv_id}-{season}",
                "id": int(tv_id) * 100 + season,
                "air_date": listed.get("air_date"),
                "name": listed.get("name", f"Staffel {season}"),
                "overview": "",
                "poster_path": listed.get("poster_path"),
                "season_number": season,
                "vote_average": 7.5,
                "episodes": episodes,
            },
        )

    def _image(self, request: Request) -> Reply:
        name = request.params["name"]
        if name in self.html_instead_of:
            return Reply(200, "<html><body>Service temporarily unavailable</body></html>")
        stem, _, extension = name.rpartition(".")
        if stem not in self._known_image_stems():
            return Reply(404, "<html><body>Not found</body></html>")
        if extension == "png":
            return Reply(200, solid_png(), content_type="image/png")
        if extension == "jpg":
            return Reply(200, solid_jpeg(), content_type="image/jpeg")
        return Reply(200, "<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml")

    def _known_image_stems(self) -> set[str]:
        data = [show.data for show in self.shows.values()]
        paths = [d.get(key) for d in data for key in ("poster_path", "backdrop_path")]
        paths += [s.get("poster_path") for d in data for s in d.get("seasons", [])]
        paths += [
            episode.get("still_path")
            for show in self.shows.values()
            for episodes in show.episodes.values()
            for episode in episodes
        ]
        paths += [c.get("profile_path") for d in data for c in d.get("credits", {}).get("cast", [])]
        paths += [
            image["file_path"]
            for d in data
            for images in d.get("images", {}).values()
            for image in images
        ]
        return {path.lstrip("/").rpartition(".")[0] for path in paths if path}

    def _localised(self, show: FakeShow, language: str) -> dict[str, Any]:
        body = copy.deepcopy(show.data)
        if language != "de-DE":
            body.update({name: show.english.get(name, "") for name in TRANSLATED})
        return body


def _summary(show: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "id",
        "name",
        "original_name",
        "original_language",
        "overview",
        "first_air_date",
        "poster_path",
        "backdrop_path",
        "origin_country",
        "vote_average",
        "vote_count",
    )
    summary = {key: show.get(key) for key in keys}
    summary.update(
        adult=False, popularity=42.5, genre_ids=[g["id"] for g in show.get("genres") or []]
    )
    return summary


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status,
        json.dumps(body, ensure_ascii=False),
        headers=headers or {},
        content_type="application/json;charset=utf-8",
    )
