"""TMDB's JSON → ``nfo.tmdb_types``, whatever shape TMDB used.

TMDB has sent numbers as strings, ``null`` where a list or an id was expected,
empty strings for "unknown", and left appended sections out altogether. Each
helper here accepts whatever TMDB may send and returns one type, so the rest of
the code never digs through dicts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from nfo.tmdb_types import (
    CastMember,
    ContentRating,
    CrewMember,
    ExternalIds,
    ImageConfig,
    Season,
    TmdbImage,
    TvDetails,
    TvEpisode,
    TvImages,
    TvSearchResult,
    TvSeason,
)


def search_results(value: Any) -> list[TvSearchResult]:
    """The series of a search or ``/find`` answer's list."""
    return [_search_result(item) for item in _dicts(value)]


def image_config(images: Any) -> ImageConfig:
    """The ``images`` section of ``/configuration``."""
    images = images if isinstance(images, dict) else {}
    return ImageConfig(
        base_url=text(images.get("secure_base_url") or images.get("base_url")),
        poster_sizes=tuple(_texts(images.get("poster_sizes"))),
        backdrop_sizes=tuple(_texts(images.get("backdrop_sizes"))),
        logo_sizes=tuple(_texts(images.get("logo_sizes"))),
        profile_sizes=tuple(_texts(images.get("profile_sizes"))),
        still_sizes=tuple(_texts(images.get("still_sizes"))),
    )


def text(value: Any) -> str:
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
        return date.fromisoformat(text(value)[:10])
    except ValueError:
        return None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _texts(value: Any) -> list[str]:
    return [t for t in (text(v) for v in value) if t] if isinstance(value, list) else []


def _names(value: Any) -> tuple[str, ...]:
    return tuple(name for name in (text(item.get("name")) for item in _dicts(value)) if name)


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    return value if isinstance(value, dict) else {}


def _search_result(item: dict[str, Any]) -> TvSearchResult:
    return TvSearchResult(
        id=_int(item.get("id")),
        name=text(item.get("name")),
        original_name=text(item.get("original_name")),
        first_air_date=_date(item.get("first_air_date")),
        overview=text(item.get("overview")),
        poster_path=text(item.get("poster_path")),
        backdrop_path=text(item.get("backdrop_path")),
        origin_country=tuple(_texts(item.get("origin_country"))),
        original_language=text(item.get("original_language")),
        vote_average=_float(item.get("vote_average")),
        vote_count=_int(item.get("vote_count")),
        popularity=_float(item.get("popularity")),
    )


def _image(item: dict[str, Any]) -> TmdbImage:
    return TmdbImage(
        file_path=text(item.get("file_path")),
        iso_639_1=text(item.get("iso_639_1")) or None,
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
            character=text(item.get("character")),
            order=_int(item.get("order"), index),  # old responses have no order
            profile_path=text(item.get("profile_path")),
        )
        for index, item in enumerate(items)
        if (name := text(item.get("name")))
    ]
    return tuple(sorted(members, key=lambda member: member.order))


def _crew(
    items: list[dict[str, Any]], job: str = "", department: str = ""
) -> tuple[CrewMember, ...]:
    return tuple(
        CrewMember(
            name=name,
            job=job or text(item.get("job")),
            department=department or text(item.get("department")),
            profile_path=text(item.get("profile_path")),
        )
        for item in items
        if (name := text(item.get("name")))
    )


def details(data: dict[str, Any]) -> TvDetails:
    credits = _section(data, "credits")
    external = _section(data, "external_ids")
    keywords = _section(data, "keywords")
    return TvDetails(
        id=_int(data.get("id")),
        name=text(data.get("name")),
        original_name=text(data.get("original_name")),
        original_language=text(data.get("original_language")),
        first_air_date=_date(data.get("first_air_date")),
        last_air_date=_date(data.get("last_air_date")),
        status=text(data.get("status")),
        in_production=data.get("in_production") is True,
        overview=text(data.get("overview")),
        tagline=text(data.get("tagline")),
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
        poster_path=text(data.get("poster_path")),
        backdrop_path=text(data.get("backdrop_path")),
        content_ratings=tuple(
            ContentRating(text(item.get("iso_3166_1")), text(item.get("rating")))
            for item in _dicts(_section(data, "content_ratings").get("results"))
        ),
        external_ids=ExternalIds(
            imdb_id=text(external.get("imdb_id")),
            tvdb_id=_optional_int(external.get("tvdb_id")),
        ),
        seasons=tuple(
            Season(
                number=_int(item.get("season_number")),
                name=text(item.get("name")),
                poster_path=text(item.get("poster_path")),
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


def season(data: dict[str, Any], number: int) -> TvSeason:
    episodes = [
        TvEpisode(
            id=_int(item.get("id")),
            season_number=_int(item.get("season_number"), number),
            episode_number=_int(item.get("episode_number")),
            name=text(item.get("name")),
            overview=text(item.get("overview")),
            air_date=_date(item.get("air_date")),
            runtime=_optional_int(item.get("runtime")),
            still_path=text(item.get("still_path")),
        )
        for item in _dicts(data.get("episodes"))
    ]
    return TvSeason(
        number=_int(data.get("season_number"), number),
        name=text(data.get("name")),
        poster_path=text(data.get("poster_path")),
        episodes=tuple(sorted(episodes, key=lambda e: e.episode_number)),
    )


def with_english(episode: TvEpisode, english: TvEpisode | None) -> TvEpisode:
    """``episode`` with the empty name and plot taken from its English version."""
    if english is None:
        return episode
    return replace(
        episode, name=episode.name or english.name, overview=episode.overview or english.overview
    )
