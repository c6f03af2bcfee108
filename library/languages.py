"""Sets of languages as masks, and the owner's order of preference.

An episode's available languages fit in one integer column (``Episode.language_mask``,
one ``Language.bit`` each) that SQLite and PostgreSQL both filter with a bitwise AND:
"missing in a language the owner wants" is one indexed query. The languages
themselves are ``aniworld.languages.Language``.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

from aniworld import config
from aniworld.languages import Language


def mask_of(languages: Iterable[str]) -> int:
    """The bits of ``languages``; codes of no language add nothing."""
    mask = 0
    for code in languages:
        language = Language.find(code)
        mask |= language.bit if language else 0
    return mask


def languages_of(mask: int) -> list[Language]:
    """The languages of a mask, in the order of their bits."""
    return [language for language in sorted(Language, key=attrgetter("bit")) if mask & language.bit]


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
