"""The four languages the index sites offer: every fact about them, in one place.

A language's code ("german-dub") is what config.json, the database, the API and the
forms store. The sites number the languages in their ``data-lang-key`` (1…4), and an
episode's languages fit in one integer column (``Episode.language_mask``) as one bit
each, following that key. The label is how every page says it; the file label is how
episode file names say it (``Name - S01E01 - German Dub.mp4``), kept as the seed wrote
it so existing libraries keep their names.

Kept in the toolkit rather than in the library app, so that the configuration (which
validates ``downloads.language_order``) needs no app above it.
"""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """A language by its code; listed in the order the settings offer them."""

    # code, data-lang-key, label, file label
    GERMAN_DUB = "german-dub", 1, "German dub", "German Dub"
    GERMAN_SUB = "german-sub", 3, "German subtitles", "German Sub"
    ENGLISH_SUB = "english-sub", 2, "English subtitles", "English Sub"
    ENGLISH_DUB = "english-dub", 4, "English dub", "English Dub"

    site_key: int
    label: str
    file_label: str

    def __new__(cls, code: str, site_key: int, label: str, file_label: str) -> Language:
        member = str.__new__(cls, code)
        member._value_ = code
        member.site_key = site_key
        member.label = label
        member.file_label = file_label
        return member

    @property
    def bit(self) -> int:
        """This language's bit in ``Episode.language_mask`` (data-lang-key 1…4 → 1, 2, 4, 8)."""
        return 1 << (self.site_key - 1)

    @classmethod
    def find(cls, code: object) -> Language | None:
        """The language of ``code``; None for anything else ("", None, "klingon-dub")."""
        try:
            return cls(code)
        except ValueError:
            return None

    @classmethod
    def of(cls, tongue: str, kind: str) -> Language | None:
        """The language spoken ("german", "english") in a "dub", or read in a "sub"."""
        return cls.find(f"{tongue}-{kind}")

    @classmethod
    def by_site_key(cls) -> dict[str, Language]:
        """The sites' ``data-lang-key`` values ("1"…"4") and what they stand for."""
        return {str(language.site_key): language for language in cls}


def label_of(code: str) -> str:
    """ "german-dub" → "German dub", as every page says it; an unknown code as it is."""
    language = Language.find(code)
    return language.label if language else code
