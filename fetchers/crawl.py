"""Finds each source's article links: reads feeds, sitemaps or home pages, conditionally.

Documents are parsed in a thread, not on the event loop: a feed that takes seconds to
parse must not stall the other sources' requests into their timeouts.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from fetchers.discovery import article_links, discover_feeds, guess_feed_urls
from fetchers.feeds import parse_feed
from fetchers.http import Fetcher
from fetchers.sitemap_tree import read_sitemap_tree
from fetchers.urls import normalize_url
from newsflow.models import FeedEntry, FetchResult, Source
from newsflow.outcomes import Outcome

if TYPE_CHECKING:
    from fetchers.backfill import Backfill

log = logging.getLogger(__name__)

MAX_FEED_CANDIDATES = 4
# Items of a feed read, per link a night may take from a source: feeds list the newest
# first, so the first few times max_articles_per_source are all a night can use.
FEED_ITEMS_PER_ARTICLE = 4


@dataclass(frozen=True, slots=True)
class Validators:
    """What we remember of a feed: the validators for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass
class SourceCrawl:
    """What reading one source found: article links, and every request it took."""

    source: Source
    entries: list[FeedEntry] = field(default_factory=list)
    fetches: list[FetchResult] = field(default_factory=list)
    feeds: list[FetchResult] = field(default_factory=list)  # feed fetches, for `feeds` rows
    feed_url: str | None = None  # the feed this source is read from, once known
    not_modified: bool = False
    error: str | None = None
    # What the feed read says of itself, for a walk back past its window (fetchers.backfill).
    feed_links: tuple[tuple[str, str], ...] = ()
    generator: str | None = None
    backfill: Backfill | None = None  # set when the read left a gap (flows/gaps.py)

    @property
    def failed(self) -> bool:
        return self.error is not None


async def crawl_source(
    fetcher: Fetcher, source: Source, validators: dict[str, Validators], known_feed: str | None
) -> SourceCrawl:
    """Returns the article links of a source; problems become `error`, never exceptions."""
    crawl = SourceCrawl(source=source)
    if source.credentials is not None:
        fetcher.authorise(source.url, source.credentials)
    try:
        if source.kind == "feed":
            await _read_feed(fetcher, crawl, source.url, validators)
        elif source.kind == "sitemap":
            await _read_sitemap(fetcher, crawl, source.url)
        elif source.kind == "page":
            crawl.entries.append(FeedEntry(url=normalize_url(source.url), feed_url=source.url))
        else:
            await _read_auto(fetcher, crawl, validators, known_feed)
    except Exception as exc:  # a bug on one source must not end the night for the others
        log.exception("reading source %s (%s) failed", source.name, source.url)
        crawl.error = f"internal error: {exc!r}"
    crawl.entries = _dedupe(crawl.entries)
    return crawl


async def _read_feed(fetcher: Fetcher, crawl: SourceCrawl, url: str, validators) -> bool:
    """Reads one feed into crawl; returns False when the URL is not a usable feed."""
    v = validators.get(url, Validators())
    result = await fetcher.get(
        url, source=crawl.source.name, kind="feed", etag=v.etag, last_modified=v.last_modified
    )
    crawl.fetches.append(result)
    crawl.feeds.append(result)
    url = crawl.feed_url = result.url  # without any user:password@ the link carried
    if result.outcome is Outcome.NOT_MODIFIED:
        crawl.not_modified, crawl.error = True, None
        return True
    if not result.ok:
        crawl.error = f"feed {url}: {result.outcome} {result.error or ''}".strip()
        return False
    parsed = await asyncio.to_thread(
        parse_feed, result.body, result.final_url or url, result.content_type,
        max_items=FEED_ITEMS_PER_ARTICLE * fetcher.settings.max_articles_per_source,
    )  # fmt: skip
    if not parsed.is_feed:
        result.outcome, result.error = Outcome.NOT_A_FEED, parsed.bozo or "not a feed"
        crawl.error = f"feed {url}: not a feed ({result.error})"
        return False
    if parsed.bozo:
        log.warning("feed %s is ill-formed but readable: %s", url, parsed.bozo)
    if parsed.cut:
        result.error = f"{parsed.cut} items after the first {len(parsed.entries)} not read"
        log.warning("feed %s: %s (a night takes at most %d links of a source)", url,
                    result.error, fetcher.settings.max_articles_per_source)  # fmt: skip
    crawl.entries.extend(parsed.entries)
    crawl.feed_links, crawl.generator = parsed.links, parsed.generator
    crawl.error = None
    return True


async def _read_auto(fetcher: Fetcher, crawl: SourceCrawl, validators, known_feed) -> None:
    # A feed found on an earlier night is asked directly (conditionally): no home page.
    if known_feed and await _read_feed(fetcher, crawl, known_feed, validators):
        return
    home = await fetcher.get(crawl.source.url, source=crawl.source.name, kind="home")
    crawl.fetches.append(home)
    if not home.ok:
        crawl.error = f"home page {crawl.source.url}: {home.outcome} {home.error or ''}".strip()
        return
    base = home.final_url or crawl.source.url
    candidates = await asyncio.to_thread(_feed_candidates, home.body, base)
    for candidate in list(dict.fromkeys(candidates))[:MAX_FEED_CANDIDATES]:
        if await _read_feed(fetcher, crawl, candidate, validators):
            log.info("source %s: using feed %s", crawl.source.name, candidate)
            return
    # No feed: the home page's own article links are the entries.
    crawl.feed_url, crawl.error = None, None
    links = await asyncio.to_thread(article_links, home.body, base)
    crawl.entries.extend(FeedEntry(url=link, feed_url=base) for link in links)
    if not links:
        crawl.error = f"home page {base}: no feed and no article links found"


def _feed_candidates(body: bytes, base: str) -> list[str]:
    return discover_feeds(body, base) + guess_feed_urls(base, body)


async def _read_sitemap(fetcher: Fetcher, crawl: SourceCrawl, url: str) -> None:
    tree = await read_sitemap_tree(fetcher, crawl.source.name, url)
    crawl.fetches.extend(tree.fetches)
    crawl.entries.extend(tree.entries)
    crawl.error = tree.error


def _dedupe(entries: list[FeedEntry]) -> list[FeedEntry]:
    seen: dict[str, FeedEntry] = {}
    for entry in entries:
        url = normalize_url(entry.url)
        if url not in seen:
            seen[url] = replace(entry, url=url)
    return list(seen.values())
