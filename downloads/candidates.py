"""Which links a queue item tries, in which order: the owner's languages, then hosters.

A link the owner pasted after a CHALLENGE comes first; then the episode page's
links in a wanted language and hoster, ordered by language preference, then by
hoster preference (failing hosters last with ``hoster_order_auto``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aniworld.errors import RemoteError
from downloads import hoster_stats
from downloads.errors import ItemFailed
from downloads.failures import language_words
from downloads.models import DownloadItem
from library.languages import preferred_order
from library.providers import HosterLink, get_provider


@dataclass(frozen=True)
class UserLink:
    """The hoster page the owner reached in their own browser, past a check."""

    hoster: str  # empty: recognised from the page
    language: str
    embed_url: str


def link_url(link: HosterLink | UserLink) -> str:
    return link.redirect_url if isinstance(link, HosterLink) else link.embed_url


class LinkChoice:
    """The candidate links of one item, under the owner's download settings."""

    def __init__(self, item: DownloadItem, settings: dict[str, Any]):
        self.item = item
        self.episode = item.episode
        self.series = item.episode.series
        self.settings = settings
        self._links: list[HosterLink] = []

    def links(self) -> list[HosterLink]:
        if not self.episode.url:
            raise ItemFailed("The index site lists no page for this episode; rescan the series.")
        try:
            return get_provider(self.series.site).links(self.episode.url)
        except RemoteError as exc:
            raise ItemFailed(f"Could not read the episode page: {exc.message}") from exc

    def languages(self) -> list[str]:
        if self.item.language:
            return [self.item.language]
        order = preferred_order()
        if self.item.upgrade and self.episode.downloaded_language in order:
            # An upgrade is only worth it in a language better than the one on disk.
            return order[: order.index(self.episode.downloaded_language)]
        return order

    def user_links(self) -> list[UserLink]:
        """The hoster page the owner pasted after a CHALLENGE, tried before the site's links."""
        if not self.item.user_link_url:
            return []
        stored = [link.get("language", "") for link in self.item.links or []]
        language = self.item.language or next(iter(stored), "") or self.languages()[0]
        return [UserLink(self.item.user_link_hoster, language, self.item.user_link_url)]

    def hoster_order(self) -> list[str]:
        """The owner's hoster order; with ``hoster_order_auto``, failing hosters go last."""
        order = list(self.settings["hoster_order"])
        if self.settings["hoster_order_auto"]:
            return hoster_stats.fallback_order(order)
        return order

    def candidates(self) -> list[HosterLink]:
        """Links in the order to try: language preference first, then hoster preference."""
        self._links = self.links()
        hoster_rank = {name.casefold(): i for i, name in enumerate(self.hoster_order())}
        language_rank = {language: i for i, language in enumerate(self.languages())}
        usable = [
            link
            for link in self._links
            if link.language in language_rank and link.hoster.casefold() in hoster_rank
        ]
        return sorted(
            usable,
            key=lambda link: (language_rank[link.language], hoster_rank[link.hoster.casefold()]),
        )

    def no_candidates_reason(self) -> str:
        if not self._links and self.episode.language_mask:
            # The season list offered it: an empty episode page is a changed layout.
            return (
                f"The episode page {self.episode.url} lists no hoster, although the season "
                "list offers this episode; the site's layout may have changed."
            )
        if not self._links:
            return "The episode page lists no hoster yet (the episode may only be announced)."
        offered = sorted(
            {f"{link.hoster} ({language_words(link.language)})" for link in self._links}
        )
        wanted = ", ".join(language_words(language) for language in self.languages())
        return (
            f"No hoster in a wanted language and hoster order: offered are {', '.join(offered)}; "
            f"wanted languages {wanted}."
        )
