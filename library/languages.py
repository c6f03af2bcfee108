"""The four languages the index sites offer, and the owner's order of preference.

Each language has a bit, so an episode's available languages fit in one integer
column (``Episode.language_mask``) that SQLite and PostgreSQL both filter with a
bitwise AND: "missing in a language the owner wants" is one indexed query.
The bits follow the sites' ``data-lang-key`` (1…4).
"""

from __future__ import annotations

from collections.abc import Iterable

from aniworld import config

LANGUAGE_BITS: dict[str, int] = {
    "german-dub": 1,  # data-lang-key 1
    "english-sub": 2,  # data-lang-key 2
    "german-sub": 4,  # data-lang-key 3
    "english-dub": 8,  # data-lang-key 4
}
LANGUAGE_LABELS = {
    "german-dub": "German dub",
    "german-sub": "German subtitles",
    "english-sub": "English subtitles",
    "english-dub": "English dub",
}


def mask_of(languages: Iterable[str]) -> int:
    mask = 0
    for language in languages:
        mask |= LANGUAGE_BITS.get(language, 0)
    return mask


def languages_of(mask: int) -> list[str]:
    return [language for language, bit in LANGUAGE_BITS.items() if mask & bit]


def preferred_order() -> list[str]:
    """The owner's languages, best first (config ``downloads.language_order``)."""
    return list(config.current()["downloads"]["language_order"])


def preferred_mask() -> int:
    return mask_of(preferred_order())


def best_language(available: Iterable[str], order: list[str] | None = None) -> str | None:
    """The most preferred language among ``available``; None when none is wanted."""
    offered = set(available)
    for language in order or preferred_order():
        if language in offered:
            return language
    return None


def is_upgrade(current: str, available: Iterable[str], order: list[str] | None = None) -> bool:
    """True when a better-ranked language than ``current`` is now offered."""
    order = order or preferred_order()
    best = best_language(available, order)
    if best is None or not current:
        return False
    rank = {language: index for index, language in enumerate(order)}
    return rank[best] < rank.get(current, len(order))
