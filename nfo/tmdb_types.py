"""What TMDB's answers become: frozen dataclasses, one per shape we use.

``nfo.tmdb_parsing`` builds them from TMDB's JSON, so every field has the type
written here whatever TMDB sent; ``nfo.tmdb.TmdbClient`` returns them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
