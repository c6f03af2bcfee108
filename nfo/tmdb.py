"""A client for TMDB API v3: search, look-up by IMDb id, series details, configuration.

Every request goes through the shared ``SiteClient`` (timeouts, retries of 5xx and
429 honouring ``Retry-After``). What comes back is parsed right here by
``nfo.tmdb_parsing`` into the frozen dataclasses of ``nfo.tmdb_types``, so the
rest of the code never digs through dicts.

German is the language we ask for; TMDB answers an untranslated field with an
empty string, and ``details`` fills those from ``en-US``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from django.conf import settings

from aniworld import config
from aniworld.errors import RemoteError, RemoteStatusError, RemoteUnavailable
from aniworld.http import ClientPolicy, client_for
from nfo import tmdb_parsing as parse
from nfo.tmdb_types import ImageConfig, TvDetails, TvSearchResult, TvSeason

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
        return parse.search_results(data.get("results"))

    def find_by_imdb(self, imdb_id: str) -> list[TvSearchResult]:
        data = self._get(
            f"/find/{quote(imdb_id.strip(), safe='')}",
            {"external_source": "imdb_id", "language": "de-DE"},
        )
        return parse.search_results(data.get("tv_results"))

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
        details = parse.details(data)
        untranslated = [f for f in ("name", "overview", "tagline") if not getattr(details, f)]
        if untranslated:
            english = self._get(f"/tv/{int(tv_id)}", {"language": FALLBACK_LANGUAGE})
            details = replace(details, **{f: parse.text(english.get(f)) for f in untranslated})
        return details

    def season(self, tv_id: int, number: int) -> TvSeason:
        """A season with its episodes; names and plots TMDB lacks in German come in English.

        TMDB answers an untranslated episode name with a placeholder ("Episode 3")
        in every language, so only empty fields are filled from ``en-US``.
        """
        path = f"/tv/{int(tv_id)}/season/{int(number)}"
        season = parse.season(self._get(path, {"language": "de-DE"}), number)
        if any(not e.name or not e.overview for e in season.episodes):
            in_english = parse.season(self._get(path, {"language": FALLBACK_LANGUAGE}), number)
            english = {e.episode_number: e for e in in_english.episodes}
            season = replace(
                season,
                episodes=tuple(
                    parse.with_english(e, english.get(e.episode_number)) for e in season.episodes
                ),
            )
        return season

    def configuration(self) -> ImageConfig:
        """Image sizes TMDB offers; fetched once per client, since they change rarely."""
        if self._configuration is None:
            self._configuration = parse.image_config(self._get("/configuration", {}).get("images"))
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
