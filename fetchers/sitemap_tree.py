"""Reads a sitemap and the sitemaps its indexes list, through nested indexes, boundedly.

Large sites nest indexes (an index of yearly indexes of monthly sitemaps). Children are
followed breadth first up to MAX_SITEMAP_DEPTH levels below the first sitemap and at
most MAX_CHILD_SITEMAPS in all, newest (last listed) first. What is cut is not silent:
the `error` of the index's fetch row (its outcome stays `ok`) says what was not read, and
a warning is logged.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from fetchers.http import Fetcher
from fetchers.sitemaps import ParsedSitemap, parse_sitemap
from newsflow.models import FeedEntry, FetchResult
from newsflow.outcomes import Outcome

log = logging.getLogger(__name__)

MAX_CHILD_SITEMAPS = 20  # sitemaps fetched per source below the first one, in all
MAX_SITEMAP_DEPTH = 3  # index -> index -> index -> sitemap; deeper indexes are cut


@dataclass
class SitemapTree:
    """The page links found under one sitemap URL, and every request it took."""

    entries: list[FeedEntry] = field(default_factory=list)
    fetches: list[FetchResult] = field(default_factory=list)
    error: str | None = None  # the first sitemap could not be read at all


async def read_sitemap_tree(fetcher: Fetcher, source: str, url: str) -> SitemapTree:
    """Returns the links of the sitemap at url and of the sitemaps it leads to."""
    tree = SitemapTree()
    root = await fetcher.get(url, source=source, kind="sitemap")
    tree.fetches.append(root)
    if not root.ok:
        tree.error = f"sitemap {url}: {root.outcome} {root.error or ''}".strip()
        return tree
    parsed = await _parse(root)
    if parsed is None:
        tree.error = f"sitemap {url}: {root.error}"
        return tree
    tree.entries.extend(parsed.urls)
    level, seen, budget = [(root, parsed.sitemaps)], {url, root.final_url}, MAX_CHILD_SITEMAPS
    for _ in range(MAX_SITEMAP_DEPTH):
        todo, budget = _next_level(level, seen, budget)
        fetched = await asyncio.gather(
            *(fetcher.get(child, source=source, kind="sitemap") for child in todo)
        )
        level = []
        for child in fetched:
            tree.fetches.append(child)
            read = await _parse(child) if child.ok else None
            if read is not None:
                tree.entries.extend(read.urls)
                if read.sitemaps:
                    level.append((child, read.sitemaps))
        if not level:
            break
    for index, children in level:  # still indexes after MAX_SITEMAP_DEPTH levels
        _record_cut(index, f"index nested deeper than {MAX_SITEMAP_DEPTH} levels", children)
    return tree


def _next_level(level, seen: set[str], budget: int) -> tuple[list[str], int]:
    """Returns the child sitemaps to fetch next (within budget) and the budget left."""
    todo = []
    for index, children in level:
        fresh = [c for c in children if c not in seen]
        taken = fresh[-budget:] if budget > 0 else []  # indexes list the newest last, mostly
        if len(taken) < len(fresh):
            left_out = [c for c in fresh if c not in taken]
            _record_cut(index, f"over the limit of {MAX_CHILD_SITEMAPS} sitemaps", left_out)
        seen.update(taken)
        todo += taken
        budget -= len(taken)
    return todo, budget


async def _parse(result: FetchResult) -> ParsedSitemap | None:
    """Returns the parsed sitemap (parsed in a thread: a big one must not stall the
    other sources' requests); None, with the fetch marked `not_a_sitemap`, if unreadable."""
    parsed = await asyncio.to_thread(parse_sitemap, result.body, result.final_url or result.url)
    if parsed.error and not parsed.urls and not parsed.sitemaps:
        result.outcome, result.error = Outcome.NOT_A_SITEMAP, parsed.error
        return None
    return parsed


def _record_cut(index: FetchResult, why: str, children: list[str] | tuple[str, ...]) -> None:
    note = f"{len(children)} child sitemaps not read ({why}), e.g. {children[0]}"
    log.warning("sitemap %s: %s", index.final_url or index.url, note)
    index.error = f"{index.error}; {note}" if index.error else note
