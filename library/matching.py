"""Which series of the index an existing library folder holds, and how sure we are.

A person looking at a folder called ``Re Zero Kara (2016) [imdbid-tt5607616]``
reads the IMDb id first, then the title and year, and when a literal search finds
nothing tries the words that stand out. ``match_folder`` does the same:

1. Ids: an IMDb id in the folder name (``[imdbid-tt…]``, ``{imdb-tt…}``, ``[tt…]``)
   or in its ``tvshow.nfo`` (``uniqueid type="imdb"``, or a TMDB id mapped to IMDb
   through TMDB's external ids when a TMDB key is set).
2. Queries to both sites: the name without year and brackets, its words without
   punctuation, then its longest words alone (the sites search literal substrings).
3. Candidates are ranked by title similarity (the name and every alternative
   title of the index's series page) and year; an equal IMDb id wins outright.

Confidence is a number from 0 to 1 with a sentence saying why. A match is
*confident* (attachable in one click) when the IMDb ids are equal, or when its
confidence is at least ``CONFIDENT`` (0.9: the title is practically the same and
the year matches or is unknown) and no other candidate of the folder reaches it.

Every search and series page is asked once per ``MatchSession`` (one import run),
through the providers' rate-limited clients.

Reading tvshow.nfo and asking TMDB are the nfo app's business, and the library
imports no app above it: nfo registers both in ``id_readers`` when it starts
(``register_id_readers``). Without them, folders are matched by name alone.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Protocol

from aniworld.errors import RemoteError
from library.providers import PROVIDERS, SearchResult, SeriesInfo, get_provider

log = logging.getLogger(__name__)

CONFIDENT = 0.9
# How many candidates of a folder get their series page read (for IMDb id,
# alternative titles and year); more when the folder has an IMDb id to find.
PAGES_PER_FOLDER = 4
PAGES_PER_FOLDER_WITH_ID = 8
MATCHES_SHOWN = 5
MAX_NFO_BYTES = 1024 * 1024

_IMDB_IN_NAME = re.compile(r"[\[{(](?:imdb(?:id)?[-_= ]?)?(tt\d{7,9})[\]})]", re.IGNORECASE)
_TMDB_IN_NAME = re.compile(r"[\[{(]tmdb(?:id)?[-_= ]?(\d{1,9})[\]})]", re.IGNORECASE)
_YEAR_IN_BRACKETS = re.compile(r"[\[(]((?:19|20)\d{2})[\])]")
_TRAILING_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})$")
_BRACKETED = re.compile(r"\[[^\]]*\]|\{[^}]*\}|\([^)]*\)")
_APOSTROPHES = re.compile("['\u2019`\u00b4]")  # "Hell's", "Hell\u2019s", …
_NOT_WORD = re.compile(r"[^\w]+|_")


@dataclass(frozen=True)
class NfoIds:
    """What a tvshow.nfo says, as written there (the ids unchecked)."""

    title: str = ""
    originaltitle: str = ""
    year: int | None = None
    imdb: str = ""  # uniqueid type="imdb"
    tmdb: str = ""  # uniqueid type="tmdb"


class TmdbLookups(Protocol):
    """TMDB's answers for matching; each is empty when TMDB fails or knows nothing."""

    def imdb_of_tmdb(self, tmdb_id: int) -> str: ...

    def names_of_imdb(self, imdb_id: str) -> list[str]: ...


@dataclass
class IdReaders:
    """What another app lends the matching (nfo, see the module's docstring)."""

    # Reads tvshow.nfo bytes; raises ValueError when they are unreadable.
    read_nfo: Callable[[bytes], NfoIds] | None = None
    # TMDB's look-ups, or None without a TMDB key.
    tmdb: Callable[[], TmdbLookups | None] | None = None


id_readers = IdReaders()


def register_id_readers(
    read_nfo: Callable[[bytes], NfoIds], tmdb: Callable[[], TmdbLookups | None]
) -> None:
    id_readers.read_nfo = read_nfo
    id_readers.tmdb = tmdb


@dataclass(frozen=True)
class FolderFacts:
    """What a folder's name and its tvshow.nfo say about the series in it."""

    folder: str
    title: str  # the name without year, ids and brackets
    year: int | None = None
    imdb_id: str = ""
    tmdb_id: int | None = None
    nfo_titles: tuple[str, ...] = ()

    @property
    def titles(self) -> list[str]:
        return _unique([self.title, *self.nfo_titles])


@dataclass(frozen=True)
class Match:
    key: str
    name: str
    site: str
    url: str
    year: int | None
    confidence: float  # 0…1
    reason: str
    imdb_id: str = ""  # of the index series, when its page was read
    by_imdb: bool = False  # the folder's IMDb id is the series'
    confident: bool = False

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "site": self.site,
            "url": self.url,
            "year": self.year,
            "imdb_id": self.imdb_id,
            "confidence": self.confidence,
            "reason": self.reason,
            "confident": self.confident,
        }


@dataclass
class MatchSession:
    """Searches and series pages asked during one import run, each only once."""

    tmdb: TmdbLookups | None = None
    searches: dict[tuple[str, str], list[SearchResult]] = field(default_factory=dict)
    pages: dict[tuple[str, str], SeriesInfo | None] = field(default_factory=dict)
    requests: int = 0  # searches and pages actually fetched
    failures: int = 0  # of those, the ones a site did not answer

    def search(self, site: str, query: str) -> list[SearchResult]:
        cache_key = (site, query.lower())
        if cache_key not in self.searches:
            self.requests += 1
            try:
                self.searches[cache_key] = get_provider(site).search(query)
            except RemoteError as exc:
                log.info("searching %s for %r failed: %s", site, query, exc.message)
                self.failures += 1
                self.searches[cache_key] = []
        return self.searches[cache_key]

    def series(self, site: str, key: str) -> SeriesInfo | None:
        if (site, key) not in self.pages:
            self.requests += 1
            try:
                self.pages[(site, key)] = get_provider(site).series(key)
            except RemoteError as exc:
                log.info("reading %s %s failed: %s", site, key, exc.message)
                self.failures += 1
                self.pages[(site, key)] = None
        return self.pages[(site, key)]

    def imdb_of_tmdb(self, tmdb_id: int) -> str:
        """The IMDb id TMDB knows for a series; "" without a TMDB key or on failure."""
        tmdb = self._tmdb()
        if tmdb is None:
            return ""
        self.requests += 1
        return tmdb.imdb_of_tmdb(tmdb_id)

    def names_of_imdb(self, imdb_id: str) -> list[str]:
        """The titles TMDB knows for an IMDb id (German, original); [] without a key."""
        tmdb = self._tmdb()
        if tmdb is None:
            return []
        self.requests += 1
        return _unique(tmdb.names_of_imdb(imdb_id))

    def _tmdb(self) -> TmdbLookups | None:
        if self.tmdb is None and id_readers.tmdb is not None:
            self.tmdb = id_readers.tmdb()
        return self.tmdb


def folder_facts(path: Path) -> FolderFacts:
    """Ids, title and year from a folder's name and the tvshow.nfo inside it."""
    name = path.name
    imdb = _IMDB_IN_NAME.search(name)
    tmdb = _TMDB_IN_NAME.search(name)
    year_match = _YEAR_IN_BRACKETS.search(name)
    title = clean_title(name)
    year = int(year_match.group(1)) if year_match else None
    trailing = _TRAILING_YEAR.search(title)
    if year is None and trailing and trailing.start() > 0:  # scene style: "Attack.on.Titan.2013"
        year = int(trailing.group(1))
        title = title[: trailing.start()].strip()
    facts = FolderFacts(
        folder=name,
        title=title,
        year=year,
        imdb_id=imdb.group(1).lower() if imdb else "",
        tmdb_id=int(tmdb.group(1)) if tmdb else None,
    )
    return _with_nfo(facts, path / "tvshow.nfo")


def clean_title(name: str) -> str:
    """A folder name without its bracketed parts; dots and underscores as spaces."""
    text = _BRACKETED.sub(" ", name)
    if " " not in text.strip():
        text = text.replace(".", " ").replace("_", " ")
    return " ".join(text.split()).strip(" -")


def _with_nfo(facts: FolderFacts, nfo_path: Path) -> FolderFacts:
    if id_readers.read_nfo is None:
        return facts
    try:
        # Like the scanner, never follow a link: it may lead anywhere outside the library.
        if nfo_path.is_symlink() or not nfo_path.is_file():
            return facts
        if nfo_path.stat().st_size > MAX_NFO_BYTES:
            return facts
        nfo = id_readers.read_nfo(nfo_path.read_bytes())
    except (OSError, ValueError) as exc:
        log.info("ignoring %s: %s", nfo_path, exc)
        return facts
    imdb = nfo.imdb.lower()
    tmdb = nfo.tmdb
    return replace(
        facts,
        year=facts.year or nfo.year,
        imdb_id=facts.imdb_id or (imdb if re.fullmatch(r"tt\d+", imdb) else ""),
        tmdb_id=facts.tmdb_id or (int(tmdb) if tmdb.isdigit() else None),
        nfo_titles=tuple(_unique([nfo.title, nfo.originaltitle])),
    )


def words(title: str) -> list[str]:
    """Lower-case words without accents and punctuation ("Hell's" → "hells")."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return [word for word in _NOT_WORD.split(_APOSTROPHES.sub("", text)) if word]


def search_queries(facts: FolderFacts) -> list[str]:
    """What to type into the sites' search, most specific first."""
    queries: list[str] = []
    for title in facts.titles:
        queries += [title, " ".join(words(title))]
    longest = sorted(
        {w for title in facts.titles for w in words(title) if len(w) >= 3},
        key=lambda w: (-len(w), w),
    )
    queries += longest[:2]
    return _unique(q.strip() for q in queries if q.strip())


def title_similarity(folder_title: str, index_title: str) -> float:
    """0…1: how alike two titles are, ignoring case, accents and punctuation.

    The better of the whole-string similarity and a "the folder is the start or a
    part of the title" score, since people shorten long titles (``Re Zero Kara``).
    """
    mine, theirs = words(folder_title), words(index_title)
    if not mine or not theirs:
        return 0.0
    if mine == theirs:
        return 1.0
    whole = SequenceMatcher(None, " ".join(mine), " ".join(theirs)).ratio()
    if len(mine) < len(theirs) and _in_order(mine, theirs):
        # More words typed say more, and so does a larger share of the title.
        shortened = 0.5 + 0.1 * min(len(mine), 3) + 0.15 * len(mine) / len(theirs)
        return round(max(whole, shortened), 3)
    return round(whole, 3)


def _in_order(needle: list[str], haystack: list[str]) -> bool:
    """Whether ``needle``'s words appear in ``haystack`` in this order."""
    remaining = iter(haystack)
    return all(word in remaining for word in needle)


def score(facts: FolderFacts, info: SeriesInfo | None, result: SearchResult) -> tuple[float, str]:
    """Confidence and its reason for one candidate."""
    theirs_imdb = (info.imdb_id or "").lower() if info else ""
    if facts.imdb_id and theirs_imdb == facts.imdb_id:
        return 1.0, f"IMDb id {facts.imdb_id} matches"
    titles = [result.name, *(info.alternative_titles if info else [])]
    if info and info.name:
        titles.insert(0, info.name)
    similarity, best_title = max(
        ((title_similarity(mine, title), title) for mine in facts.titles for title in titles),
        key=lambda pair: pair[0],
        default=(0.0, result.name),  # a folder named by its id alone: "[tt2560140]"
    )
    year = (info.year_start if info else None) or result.year
    confidence = 0.9 * similarity
    reason = f"title {round(similarity * 100)} % similar"
    if best_title not in (result.name, info.name if info else None):
        reason += f" (to {best_title!r})"
    if facts.year and year:
        if facts.year == year:
            confidence += 0.1
            reason += ", year matches"
        elif abs(facts.year - year) > 1:
            confidence -= 0.2
            reason += f", year differs ({year})"
    if facts.imdb_id and theirs_imdb:
        confidence *= 0.5
        reason += f", IMDb id differs ({theirs_imdb})"
    return round(min(max(confidence, 0.0), 1.0), 3), reason


def match_folder(path: Path, session: MatchSession, limit: int = MATCHES_SHOWN) -> list[Match]:
    """The best index series for a library folder, most likely first."""
    facts = folder_facts(path)
    if not facts.imdb_id and facts.tmdb_id:
        facts = replace(facts, imdb_id=session.imdb_of_tmdb(facts.tmdb_id).lower())
    queries = search_queries(facts)
    candidates = _search(facts, queries, session)
    matches = _scored(facts, candidates, session)
    if facts.imdb_id and not any(m.by_imdb for m in matches):
        # The index may know the series by another title: ask TMDB for its titles.
        more = [name for name in session.names_of_imdb(facts.imdb_id) if name not in queries]
        if more:
            candidates.update(_search(facts, more, session))
            matches = _scored(facts, candidates, session)
    return _mark_confident(matches)[:limit]


def _search(
    facts: FolderFacts, queries: list[str], session: MatchSession
) -> dict[tuple[str, str], SearchResult]:
    candidates: dict[tuple[str, str], SearchResult] = {}
    for query in queries:
        for site in PROVIDERS:
            for result in session.search(site, query):
                candidates.setdefault((result.site, result.key), result)
        if _has_close_title(facts, candidates.values()):
            break  # a person would stop searching here, and the sites are glad of it
    return candidates


def _scored(
    facts: FolderFacts, candidates: dict[tuple[str, str], SearchResult], session: MatchSession
) -> list[Match]:
    """Every candidate scored, best first; the likeliest by name get their page read."""
    ranked = sorted(
        candidates.values(),
        key=lambda r: -max((title_similarity(t, r.name) for t in facts.titles), default=0.0),
    )
    pages = PAGES_PER_FOLDER_WITH_ID if facts.imdb_id else PAGES_PER_FOLDER
    matches = []
    for index, result in enumerate(ranked):
        info = session.series(result.site, result.key) if index < pages else None
        confidence, reason = score(facts, info, result)
        matches.append(
            Match(
                key=result.key,
                name=info.name if info else result.name,
                site=result.site,
                url=result.url,
                year=(info.year_start if info else None) or result.year,
                confidence=confidence,
                reason=reason,
                imdb_id=(info.imdb_id or "").lower() if info else "",
                by_imdb=bool(
                    facts.imdb_id and info and (info.imdb_id or "").lower() == facts.imdb_id
                ),
            )
        )
    matches.sort(key=lambda m: -m.confidence)
    return matches


def _mark_confident(matches: list[Match]) -> list[Match]:
    """The best match is confident by IMDb id, or by a confidence nobody else reaches;
    the same series on the other site (the same IMDb id) is no rival."""
    if not matches:
        return matches
    best, others = matches[0], matches[1:]
    unrivalled = not any(
        other.confidence >= CONFIDENT and not (best.imdb_id and other.imdb_id == best.imdb_id)
        for other in others
    )
    if best.by_imdb or (best.confidence >= CONFIDENT and unrivalled):
        return [replace(best, confident=True), *others]
    return matches


def _has_close_title(facts: FolderFacts, results) -> bool:
    return any(
        title_similarity(mine, result.name) >= CONFIDENT
        for result in results
        for mine in facts.titles
    )


def _unique(values) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))
