"""A client for TMDB API v3: search, look-up by IMDb id, series details, configuration.

Every request goes through the shared ``SiteClient`` (timeouts, retries of 5xx and
429 honouring ``Retry-After``). What comes back is parsed into frozen dataclasses
right here, so the rest of the code never digs through dicts and never trips over
the shapes TMDB has used over the years: numbers sent as strings, ``null`` where a
list or an id was expected, empty strings for "unknown", appended sections that
are missing altogether.

German is the language we ask for; TMDB answers an untranslated field with an
empty string, and ``details`` fills those from ``en-US``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import quote

from django.conf import settings

from aniworld import config
from aniworld.errors import RemoteError, RemoteStatusError, RemoteUnavailable
from aniworld.http import ClientPolicy, client_for

APPENDED_SECTIONS = "credits,content_ratings,external_ids,images,keywords"
IMAGE_LANGUAGES = "de,null,en"
FALLBACK_LANGUAGE = "en-US"
# TMDB allows about 50 requests a second per IP; stay well below it.
API_POLICY_RATE = 20.0


class TmdbError(RemoteError):
    code = "TMDB_ERROR"


class TmdbAuthError(TmdbError):
    """TMDB refused the API key or read token (or none is set)."""

    code = "TMDB_AUTH"
    retryable = False


class TmdbNotFound(TmdbError):
    code = "TMDB_NOT_FOUND"
    status = 404
    retryable = False


class TmdbRateLimited(TmdbError):
    """TMDB still answered 429 after every retry the client allows."""

    code = "TMDB_RATE_LIMITED"
    status = 503
    retryable = True


class TmdbUnavailable(TmdbError):
    """Network failure, timeout or 5xx that outlived the retries."""

    code = "TMDB_UNAVAILABLE"
    status = 503
    retryable = True


@dataclass(frozen=True)
class TvSearchResult:
    id: int
    name: str
    original_name: str
    first_air_date: date | None
    overview: str
    poster_path: str
    backdrop_path: str
    origin_country: tuple[str, ...]
    original_language: str
    vote_average: float
    vote_count: int
    popularity: float

    @property
    def year(self) -> int | None:
        return self.first_air_date.year if self.first_air_date else None


@dataclass(frozen=True)
class ContentRating:
    country: str
    rating: str


@dataclass(frozen=True)
class ExternalIds:
    imdb_id: str = ""
    tvdb_id: int | None = None


@dataclass(frozen=True)
class Season:
    number: int
    name: str
    poster_path: str
    air_date: date | None
    episode_count: int


@dataclass(frozen=True)
class CastMember:
    name: str
    character: str
    order: int
    profile_path: str


@dataclass(frozen=True)
class CrewMember:
    """A creator (``job`` "Creator") or a member of the crew."""

    name: str
    job: str
    department: str
    profile_path: str


@dataclass(frozen=True)
class TmdbImage:
    file_path: str
    iso_639_1: str | None  # None: the image carries no text
    vote_average: float
    vote_count: int
    width: int
    height: int


@dataclass(frozen=True)
class TvImages:
    posters: tuple[TmdbImage, ...] = ()
    backdrops: tuple[TmdbImage, ...] = ()
    logos: tuple[TmdbImage, ...] = ()


@dataclass(frozen=True)
class TvDetails:
    id: int
    name: str
    original_name: str
    original_language: str
    first_air_date: date | None
    last_air_date: date | None
    status: str
    in_production: bool
    overview: str
    tagline: str
    episode_run_time: tuple[int, ...]
    genres: tuple[str, ...]
    keywords: tuple[str, ...]
    networks: tuple[str, ...]
    production_companies: tuple[str, ...]
    production_countries: tuple[str, ...]
    origin_country: tuple[str, ...]
    vote_average: float
    vote_count: int
    poster_path: str
    backdrop_path: str
    content_ratings: tuple[ContentRating, ...]
    external_ids: ExternalIds
    seasons: tuple[Season, ...]
    cast: tuple[CastMember, ...]
    crew: tuple[CrewMember, ...]
    created_by: tuple[CrewMember, ...]
    images: TvImages

    def content_rating(self, country: str) -> str:
        """The rating for ``country`` (ISO 3166-1), "" when TMDB has none."""
        for rating in self.content_ratings:
            if rating.country == country and rating.rating:
                return rating.rating
        return ""


@dataclass(frozen=True)
class TvEpisode:
    """One episode of a season as ``/tv/{id}/season/{n}`` lists it."""

    id: int
    season_number: int
    episode_number: int
    name: str
    overview: str
    air_date: date | None
    runtime: int | None
    still_path: str


@dataclass(frozen=True)
class TvSeason:
    number: int
    name: str
    poster_path: str
    episodes: tuple[TvEpisode, ...]


@dataclass(frozen=True)
class ImageConfig:
    base_url: str
    poster_sizes: tuple[str, ...]
    backdrop_sizes: tuple[str, ...]
    logo_sizes: tuple[str, ...]
    profile_sizes: tuple[str, ...]
    still_sizes: tuple[str, ...]


def looks_like_read_token(credential: str) -> bool:
    """A v4 read token is a JWT (three dot-separated parts); a v3 key is 32 hex digits."""
    return len(credential) > 40 and credential.count(".") == 2


class TmdbClient:
    """TMDB API v3 with the installation's key; one instance may serve many calls."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        api_url: str | None = None,
        image_base: str | None = None,
    ):
        self.api_key = (
            api_key if api_key is not None else config.current()["tmdb"]["api_key"]
        ).strip()
        self.api_url = (api_url or settings.TMDB_API_URL).rstrip("/")
        # Image URLs use our configured host rather than /configuration's, so a
        # deployment (or the test suite) can point them elsewhere.
        self.image_base = (image_base or settings.TMDB_IMAGE_URL).rstrip("/")
        self._configuration: ImageConfig | None = None
        self._http = client_for(
            "tmdb",
            self.api_url,
            ClientPolicy(
                retries=settings.REMOTE_RETRIES,
                backoff=settings.REMOTE_BACKOFF_SECONDS,
                requests_per_second=API_POLICY_RATE,
                # An API that does not fingerprint clients: plain httpx will do.
                browser=False,
                max_concurrency=4,
            ),
        )

    def search_tv(
        self, name: str, year: int | None = None, language: str = "de-DE"
    ) -> list[TvSearchResult]:
        """Series whose name matches, best first (TMDB's own ranking)."""
        name = name.strip()
        if not name:
            return []
        params: dict[str, Any] = {"query": name, "language": language, "include_adult": "false"}
        if year:
            params["first_air_date_year"] = year
        data = self._get("/search/tv", params)
        return [_search_result(item) for item in _dicts(data.get("results"))]

    def find_by_imdb(self, imdb_id: str) -> list[TvSearchResult]:
        data = self._get(
            f"/find/{quote(imdb_id.strip(), safe='')}",
            {"external_source": "imdb_id", "language": "de-DE"},
        )
        return [_search_result(item) for item in _dicts(data.get("tv_results"))]

    def details(self, tv_id: int) -> TvDetails:
        """Everything the NFO needs in one request, plus one in English when German is empty."""
        data = self._get(
            f"/tv/{int(tv_id)}",
            {
                "language": "de-DE",
                "append_to_response": APPENDED_SECTIONS,
                "include_image_language": IMAGE_LANGUAGES,
            },
        )
        details = _details(data)
        untranslated = [f for f in ("name", "overview", "tagline") if not getattr(details, f)]
        if untranslated:
            english = self._get(f"/tv/{int(tv_id)}", {"language": FALLBACK_LANGUAGE})
            details = replace(details, **{f: _text(english.get(f)) for f in untranslated})
        return details

    def season(self, tv_id: int, number: int) -> TvSeason:
        """A season with its episodes; names and plots TMDB lacks in German come in English.

        TMDB answers an untranslated episode name with a placeholder ("Episode 3")
        in every language, so only empty fields are filled from ``en-US``.
        """
        path = f"/tv/{int(tv_id)}/season/{int(number)}"
        season = _season(self._get(path, {"language": "de-DE"}), number)
        if any(not e.name or not e.overview for e in season.episodes):
            english = {
                e.episode_number: e
                for e in _season(self._get(path, {"language": FALLBACK_LANGUAGE}), number).episodes
            }
            season = replace(
                season,
                episodes=tuple(_filled(e, english.get(e.episode_number)) for e in season.episodes),
            )
        return season

    def configuration(self) -> ImageConfig:
        """Image sizes TMDB offers; fetched once per client, since they change rarely."""
        if self._configuration is None:
            images = self._get("/configuration", {}).get("images")
            images = images if isinstance(images, dict) else {}
            self._configuration = ImageConfig(
                base_url=_text(images.get("secure_base_url") or images.get("base_url")),
                poster_sizes=tuple(_texts(images.get("poster_sizes"))),
                backdrop_sizes=tuple(_texts(images.get("backdrop_sizes"))),
                logo_sizes=tuple(_texts(images.get("logo_sizes"))),
                profile_sizes=tuple(_texts(images.get("profile_sizes"))),
                still_sizes=tuple(_texts(images.get("still_sizes"))),
            )
        return self._configuration

    def image_url(self, path: str, size: str = "original") -> str:
        """Absolute URL of an image path from a response; "" for no image."""
        return image_url(self.image_base, path, size)

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        if not self.api_key:
            raise TmdbAuthError(
                "No TMDB API key is set. Add your key (or read access token) in the settings."
            )
        headers = {"Accept": "application/json"}
        if looks_like_read_token(self.api_key):
            headers["Authorization"] = f"Bearer {self.api_key}"
        else:
            params = {**params, "api_key": self.api_key}
        try:
            response = self._http.get(path, params=params, headers=headers)
        except RemoteStatusError as exc:
            raise _translate_status_error(exc) from exc
        except RemoteUnavailable as exc:
            raise TmdbUnavailable(
                f"TMDB cannot be reached right now: {exc.message}", url=exc.url
            ) from exc
        # Not response.url: its query string holds the API key.
        url = self._http.url(path)
        try:
            data = response.json()
        except ValueError as exc:
            raise TmdbUnavailable(
                "TMDB answered with something that is not JSON.", url=url
            ) from exc
        if not isinstance(data, dict):
            raise TmdbError("TMDB answered with an unexpected shape.", url=url)
        return data


def image_url(image_base: str, path: str, size: str = "original") -> str:
    if not path:
        return ""
    return f"{image_base.rstrip('/')}/{size}/{path.lstrip('/')}"


def _translate_status_error(exc: RemoteStatusError) -> TmdbError:
    """Turn an HTTP error into the TMDB error the caller can act on."""
    body = exc.details.get("body", "") if exc.details else ""
    message = _error_message(body)
    status = exc.status_code
    if status == 401:
        return TmdbAuthError(
            f"TMDB rejected the API key ({message or 'invalid key'}). "
            "Check the key or read access token in the settings.",
            url=exc.url,
        )
    if status == 404:
        return TmdbNotFound(f"TMDB has no such entry ({message or 'not found'}).", url=exc.url)
    if status == 429:
        return TmdbRateLimited(
            "TMDB is limiting our requests (rate limit); try again in a minute.", url=exc.url
        )
    if status >= 500:
        return TmdbUnavailable(f"TMDB is having trouble (HTTP {status}).", url=exc.url)
    return TmdbError(f"TMDB refused the request (HTTP {status}): {message}", url=exc.url)


def _error_message(body: str) -> str:
    """The message of either error shape TMDB uses; "" when the body has none."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    if data.get("status_message"):
        return str(data["status_message"])
    errors = data.get("errors")
    if isinstance(errors, list):
        return "; ".join(str(error) for error in errors)
    return ""


# Parsing. Each helper accepts whatever TMDB may send and returns one type.


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _optional_int(value: Any) -> int | None:
    number = _int(value, -1)
    return number if number > 0 else None


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(_text(value)[:10])
    except ValueError:
        return None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _texts(value: Any) -> list[str]:
    return [text for text in (_text(v) for v in value) if text] if isinstance(value, list) else []


def _names(value: Any) -> tuple[str, ...]:
    return tuple(name for name in (_text(item.get("name")) for item in _dicts(value)) if name)


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    return value if isinstance(value, dict) else {}


def _search_result(item: dict[str, Any]) -> TvSearchResult:
    return TvSearchResult(
        id=_int(item.get("id")),
        name=_text(item.get("name")),
        original_name=_text(item.get("original_name")),
        first_air_date=_date(item.get("first_air_date")),
        overview=_text(item.get("overview")),
        poster_path=_text(item.get("poster_path")),
        backdrop_path=_text(item.get("backdrop_path")),
        origin_country=tuple(_texts(item.get("origin_country"))),
        original_language=_text(item.get("original_language")),
        vote_average=_float(item.get("vote_average")),
        vote_count=_int(item.get("vote_count")),
        popularity=_float(item.get("popularity")),
    )


def _image(item: dict[str, Any]) -> TmdbImage:
    return TmdbImage(
        file_path=_text(item.get("file_path")),
        iso_639_1=_text(item.get("iso_639_1")) or None,
        vote_average=_float(item.get("vote_average")),
        vote_count=_int(item.get("vote_count")),
        width=_int(item.get("width")),
        height=_int(item.get("height")),
    )


def _images(section: dict[str, Any]) -> TvImages:
    def kind(name: str) -> tuple[TmdbImage, ...]:
        return tuple(image for image in map(_image, _dicts(section.get(name))) if image.file_path)

    return TvImages(posters=kind("posters"), backdrops=kind("backdrops"), logos=kind("logos"))


def _run_times(data: dict[str, Any]) -> tuple[int, ...]:
    # TMDB stopped filling episode_run_time for many newer shows; the runtime of
    # the latest episode is the next best figure.
    minutes = tuple(m for m in (_int(v) for v in data.get("episode_run_time") or []) if m > 0)
    if minutes:
        return minutes
    latest = _int(_section(data, "last_episode_to_air").get("runtime"))
    return (latest,) if latest > 0 else ()


def _cast(items: list[dict[str, Any]]) -> tuple[CastMember, ...]:
    members = [
        CastMember(
            name=name,
            character=_text(item.get("character")),
            order=_int(item.get("order"), index),  # old responses have no order
            profile_path=_text(item.get("profile_path")),
        )
        for index, item in enumerate(items)
        if (name := _text(item.get("name")))
    ]
    return tuple(sorted(members, key=lambda member: member.order))


def _crew(
    items: list[dict[str, Any]], job: str = "", department: str = ""
) -> tuple[CrewMember, ...]:
    return tuple(
        CrewMember(
            name=name,
            job=job or _text(item.get("job")),
            department=department or _text(item.get("department")),
            profile_path=_text(item.get("profile_path")),
        )
        for item in items
        if (name := _text(item.get("name")))
    )


def _details(data: dict[str, Any]) -> TvDetails:
    credits = _section(data, "credits")
    external = _section(data, "external_ids")
    keywords = _section(data, "keywords")
    return TvDetails(
        id=_int(data.get("id")),
        name=_text(data.get("name")),
        original_name=_text(data.get("original_name")),
        original_language=_text(data.get("original_language")),
        first_air_date=_date(data.get("first_air_date")),
        last_air_date=_date(data.get("last_air_date")),
        status=_text(data.get("status")),
        in_production=data.get("in_production") is True,
        overview=_text(data.get("overview")),
        tagline=_text(data.get("tagline")),
        episode_run_time=_run_times(data),
        genres=_names(data.get("genres")),
        # TV keywords come as "results", movie keywords as "keywords".
        keywords=_names(keywords.get("results") or keywords.get("keywords")),
        networks=_names(data.get("networks")),
        production_companies=_names(data.get("production_companies")),
        production_countries=_names(data.get("production_countries")),
        origin_country=tuple(_texts(data.get("origin_country"))),
        vote_average=_float(data.get("vote_average")),
        vote_count=_int(data.get("vote_count")),
        poster_path=_text(data.get("poster_path")),
        backdrop_path=_text(data.get("backdrop_path")),
        content_ratings=tuple(
            ContentRating(_text(item.get("iso_3166_1")), _text(item.get("rating")))
            for item in _dicts(_section(data, "content_ratings").get("results"))
        ),
        external_ids=ExternalIds(
            imdb_id=_text(external.get("imdb_id")),
            tvdb_id=_optional_int(external.get("tvdb_id")),
        ),
        seasons=tuple(
            Season(
                number=_int(item.get("season_number")),
                name=_text(item.get("name")),
                poster_path=_text(item.get("poster_path")),
                air_date=_date(item.get("air_date")),
                episode_count=_int(item.get("episode_count")),
            )
            for item in _dicts(data.get("seasons"))
        ),
        cast=_cast(_dicts(credits.get("cast"))),
        crew=_crew(_dicts(credits.get("crew"))),
        created_by=_crew(_dicts(data.get("created_by")), job="Creator", department="Writing"),
        images=_images(_section(data, "images")),
    )


def _season(data: dict[str, Any], number: int) -> TvSeason:
    episodes = [
        TvEpisode(
            id=_int(item.get("id")),
            season_number=_int(item.get("season_number"), number),
            episode_number=_int(item.get("episode_number")),
            name=_text(item.get("name")),
            overview=_text(item.get("overview")),
            air_date=_date(item.get("air_date")),
            runtime=_optional_int(item.get("runtime")),
            still_path=_text(item.get("still_path")),
        )
        for item in _dicts(data.get("episodes"))
    ]
    return TvSeason(
        number=_int(data.get("season_number"), number),
        name=_text(data.get("name")),
        poster_path=_text(data.get("poster_path")),
        episodes=tuple(sorted(episodes, key=lambda e: e.episode_number)),
    )


def _filled(episode: TvEpisode, english: TvEpisode | None) -> TvEpisode:
    if english is None:
        return episode
    return replace(
        episode, name=episode.name or english.name, overview=episode.overview or english.overview
    )
