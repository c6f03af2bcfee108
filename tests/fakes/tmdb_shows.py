"""The series the fake TMDB serves, in TMDB's shapes: "Angriff der Titanen" (complete,
German texts, some characters that need escaping) and "Frieren" (no German
overview, no IMDb id, no images, numbers sent as strings — TMDB's odd corners).

Each call builds a fresh copy, so a test may change what it got.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


@dataclass
class FakeShow:
    """A series as TMDB holds it: the de-DE response with every appended section,
    and the en-US values of the translated fields."""

    data: dict[str, Any]
    english: dict[str, str] = field(default_factory=dict)
    # TMDB season number → its episodes (de-DE); (season, episode) → en-US name/overview.
    episodes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    english_episodes: dict[tuple[int, int], dict[str, str]] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.data["id"]


def _image(path: str, language: str | None, vote: float | str, width: int, height: int):
    return {
        "aspect_ratio": round(width / height, 3),
        "file_path": path,
        "height": height,
        "iso_639_1": language,
        "vote_average": vote,
        "vote_count": 3,
        "width": width,
    }


def _season(number: int, name: str, air_date: str, episodes: int, poster: str | None):
    return {
        "season_number": number,
        "name": name,
        "air_date": air_date,
        "episode_count": episodes,
        "poster_path": poster,
    }


def fake_episode(
    show_id: int, season: int, number: int, air_date: str | None, name: str, overview: str = ""
) -> dict[str, Any]:
    """An episode as the season endpoint lists it (with the fields we do not read, too)."""
    return {
        "id": show_id * 10000 + season * 1000 + number,
        "show_id": show_id,
        "season_number": season,
        "episode_number": number,
        "episode_type": "standard",
        "air_date": air_date,
        "name": name,
        "overview": overview,
        "runtime": 24,
        "still_path": f"/still-{show_id}-{season}-{number}.jpg",
        "production_code": "",
        "vote_average": 8.1,
        "vote_count": 12,
        "crew": [],
        "guest_stars": [],
    }


def weekly_episodes(
    show_id: int, season: int, count: int, first_air: date, titles: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    """``count`` episodes a week apart, named by ``titles`` or generically; episode 2 has
    no German plot (only English has one), as with untranslated episodes on TMDB."""
    titles = titles or {}
    return [
        fake_episode(
            show_id,
            season,
            number,
            (first_air + timedelta(weeks=number - 1)).isoformat(),
            titles.get(number, f"Folge {number} auf Deutsch"),
            f"Was in Folge {number} von Staffel {season} geschieht." if number != 2 else "",
        )
        for number in range(1, count + 1)
    ]


def _cast(name: str, character: str, order: int | None, profile: str | None):
    member = {"name": name, "character": character, "profile_path": profile}
    return member if order is None else {**member, "order": order}


def _company(name: str, logo: str | None = None):
    return {
        "id": zlib.crc32(name.encode()) % 100000,
        "name": name,
        "logo_path": logo,
        "origin_country": "JP",
    }


def attack_on_titan() -> FakeShow:
    return FakeShow(
        episodes={
            0: weekly_episodes(1429, 0, 36, date(2013, 7, 7)),
            1: weekly_episodes(1429, 1, 25, date(2013, 4, 7), {1: "Dir, in 2000 Jahren"}),
            2: weekly_episodes(1429, 2, 12, date(2017, 4, 1)),
            4: weekly_episodes(1429, 4, 30, date(2020, 12, 7)),
        },
        english_episodes={
            (season, 2): {"name": f"Second of {season}", "overview": "Told only in English."}
            for season in (0, 1, 2, 4)
        },
        english={
            "name": "Attack on Titan",
            "overview": "Humanity hides behind three walls from giants that eat people.",
            "tagline": 'Humanity\'s last stand <behind> the "Walls" & beyond',
        },
        data={
            "id": 1429,
            "name": "Angriff der Titanen",
            "original_name": "進撃の巨人",
            "original_language": "ja",
            "overview": (
                "Seit über hundert Jahren lebt die Menschheit hinter gewaltigen Mauern, "
                "die sie vor den menschenfressenden Titanen schützen. Als ein Koloss die "
                "äußere Mauer durchbricht, schwört der junge Eren Jäger Rache. "
                "Gemeinsam mit Mikasa und Armin tritt er dem Aufklärungstrupp bei."
            ),
            "tagline": "",
            "status": "Ended",
            "in_production": False,
            "first_air_date": "2013-04-07",
            "last_air_date": "2023-11-05",
            "episode_run_time": [24],
            "genres": [
                {"id": 16, "name": "Animation"},
                {"id": 10759, "name": "Action & Abenteuer"},
                {"id": 10765, "name": "Sci-Fi & Fantasy"},
            ],
            "networks": [_company("MBS", "/mbs.png"), _company("NHK G")],
            "production_companies": [
                _company("Wit Studio"),
                _company("MAPPA", "/mappa.png"),
                _company("MBS", "/mbs.png"),
            ],
            "production_countries": [{"iso_3166_1": "JP", "name": "Japan"}],
            "origin_country": ["JP"],
            "vote_average": 8.664,
            "vote_count": 7421,
            "poster_path": "/aot-poster-en.jpg",
            "backdrop_path": "/aot-backdrop-plain.jpg",
            "seasons": [
                _season(0, "Specials", "2013-07-07", 36, "/aot-specials.jpg"),
                _season(1, "Staffel 1", "2013-04-07", 25, "/aot-s1.jpg"),
                _season(2, "Staffel 2", "2017-04-01", 12, None),
                _season(4, "Finale Staffel", "2020-12-07", 30, "/aot-s4.jpg"),
            ],
            "created_by": [],
            "credits": {
                "cast": [
                    _cast("Yui Ishikawa", "Mikasa Ackermann", 1, "/ishikawa.jpg"),
                    _cast("Yuki Kaji", "Eren Jäger", 0, "/kaji.jpg"),
                    _cast("Marina Inoue", "Armin Arlert", 2, None),
                ],
                "crew": [
                    {"name": "Hajime Isayama", "job": "Original Story", "department": "Writing"},
                    {"name": "Tetsurō Araki", "job": "Director", "department": "Directing"},
                ],
            },
            "content_ratings": {
                "results": [
                    {"descriptors": [], "iso_3166_1": "US", "rating": "TV-MA"},
                    {"descriptors": [], "iso_3166_1": "DE", "rating": "16"},
                ]
            },
            "external_ids": {"imdb_id": "tt2560140", "tvdb_id": 267440, "wikidata_id": None},
            "keywords": {
                "results": [
                    {"id": 1, "name": "Mauer"},
                    {"id": 2, "name": "basierend auf Manga"},
                    {"id": 3, "name": "Titanen & <Riesen>"},
                ]
            },
            "images": {
                "posters": [
                    _image("/aot-poster-ja.jpg", "ja", 6.1, 20, 30),
                    _image("/aot-poster-en.jpg", "en", 5.9, 20, 30),
                    _image("/aot-poster-de.jpg", "de", 5.2, 20, 30),
                    _image("/aot-poster-plain.jpg", None, 5.6, 20, 30),
                ],
                "backdrops": [
                    _image("/aot-backdrop-de.jpg", "de", 5.3, 32, 18),
                    _image("/aot-backdrop-plain.jpg", None, 5.1, 32, 18),
                    _image("/aot-backdrop-plain-2.jpg", "", 5.5, 32, 18),
                ],
                "logos": [
                    _image("/aot-logo-en.svg", "en", 5.4, 40, 16),
                    _image("/aot-logo-ja.png", "ja", 5.8, 40, 16),
                ],
            },
        },
    )


def frieren() -> FakeShow:
    return FakeShow(
        episodes={1: weekly_episodes(209867, 1, 28, date(2023, 9, 29))},
        english_episodes={(1, 2): {"name": "Second", "overview": "Told only in English."}},
        english={
            "name": "Frieren: Beyond Journey's End",
            "overview": (
                "The elf mage Frieren outlives the heroes she once travelled with. "
                "Years later she sets out again to learn what people mean to her."
            ),
            "tagline": "",
        },
        data={
            "id": 209867,
            "name": "Frieren – Nach dem Ende der Reise",  # noqa: RUF001 (the real title's dash)
            "original_name": "葬送のフリーレン",
            "original_language": "ja",
            "overview": "",
            "tagline": "",
            "status": "Returning Series",
            "in_production": True,
            "first_air_date": "2023-09-29",
            "last_air_date": "2024-03-22",
            "episode_run_time": [],
            "last_episode_to_air": {"season_number": 1, "episode_number": 28, "runtime": 25},
            "genres": [{"id": 16, "name": "Animation"}, {"id": 18, "name": "Drama"}],
            "networks": [_company("Nippon TV")],
            "production_companies": [],
            "origin_country": ["JP"],
            "vote_average": "8.9",
            "vote_count": "512",
            "poster_path": None,
            "backdrop_path": None,
            "seasons": [_season(1, "Staffel 1", "2023-09-29", 28, None)],
            "created_by": [{"id": 7, "name": "Kanehito Yamada", "profile_path": None}],
            "credits": {"cast": [_cast("Atsumi Tanezaki", "Frieren", None, None)], "crew": []},
            "content_ratings": {"results": []},
            "external_ids": {"imdb_id": None, "tvdb_id": None, "wikidata_id": None},
            "keywords": {"results": []},
            "images": {"posters": [], "backdrops": []},
        },
    )
