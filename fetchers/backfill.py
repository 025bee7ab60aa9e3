"""Walks back past a feed's window to the entries already stored: what a busy source
published between two reads and its feed no longer shows.

Public API (the night calls it from flows/gaps.py; `newsflow backfill --since` too):

- `gap_in(entries, known_urls, newest_stored_at, has_history) -> bool`: whether one read
  of a feed may have missed entries. A source with history whose feed shows nothing
  stored (no known URL) and, where entries are dated, nothing dated at or before the
  newest stored entry. A first read is never a gap; a feed that reorders its entries
  still shows a stored one, so it never false-alarms.
- `backfill(fetcher, crawl, known_urls, since, max_requests, paging=None,
  max_entries=None) -> Backfill`: from the feed `crawl` read, follows its older pages,
  then the site's sitemaps (fetchers.sitemap_walk), until it reaches an entry in
  `known_urls` or dated at or before `since`: then `closed`. `entries` are the unknown
  entries found on the way (not the read's own: the caller has those), at most
  `max_entries`; `fetches` every request (kind `feed_page` or `sitemap`), at most
  `max_requests`; `reason` says why a walk did not close; `paging` is how the feed
  pages (`next`, `blogger`, `wordpress`, `none`), learned for `source_health.paging`
  (pass it back as `paging` next time: `none` is not tried again).
  A date more than a day after `now` (default: the real clock; a bench replaying a
  timeline passes its own, to both functions) counts as no date.
  For `newsflow backfill --since DATE`: `known_urls` the source's stored URLs
  (storage.coverage.stored_urls), `since` the date.

Feed paging, in order: RFC 5005 `next` / `prev-archive` links (Atom, or atom:link in
RSS), Blogger's `start-index` / `max-results`, WordPress's `?paged=N` (from the
generator, or tried once while `paging` is None). A page that links back to one read,
or shows only entries already read (a server ignoring `paged` or `start-index`), ends
the walk with its reason.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fetchers.feeds import ParsedFeed, parse_feed
from fetchers.http import Fetcher
from fetchers.urls import normalize_url
from newsflow.models import FeedEntry, FetchResult

if TYPE_CHECKING:
    from fetchers.crawl import SourceCrawl

log = logging.getLogger(__name__)

# A date further ahead than this is a site's mistake, not a publication: it says nothing.
FUTURE_SLACK = timedelta(days=1)
MAX_ITEMS_A_PAGE = 2000  # a feed page is parsed this far at most


@dataclass
class Backfill:
    """What walking back found: entries not stored, every request, and whether it reached
    what is stored (`closed`), or why not (`reason`)."""

    entries: list[FeedEntry] = field(default_factory=list)
    fetches: list[FetchResult] = field(default_factory=list)
    closed: bool = False
    reason: str | None = None
    paging: str | None = None  # how the feed pages, when this walk learned it


def entry_date(entry: FeedEntry, now: datetime | None = None) -> datetime | None:
    """Returns when the entry says it was published (else updated); None when it does not
    say, or says a time in the future."""
    when = entry.published or entry.updated
    if when is None or when > (now or datetime.now(UTC)) + FUTURE_SLACK:
        return None
    return when


def gap_in(
    entries: list[FeedEntry],
    known_urls: set[str],
    newest_stored_at: datetime | None,
    has_history: bool,
    now: datetime | None = None,
) -> bool:
    """Returns whether a read's entries may have left unseen ones behind: none of them is
    stored, and none is dated at or before the newest stored entry."""
    if not has_history or not entries:
        return False
    if any(e.url in known_urls for e in entries):
        return False
    dates = [d for e in entries if (d := entry_date(e, now)) is not None]
    return newest_stored_at is None or not any(d <= newest_stored_at for d in dates)


class Walk:
    """One source's walk: its budget of requests, what it read and found, why it ended."""

    def __init__(self, fetcher, source, known_urls, since, max_requests, max_entries, now=None):
        self.fetcher, self.source = fetcher, source
        self.known, self.since = known_urls, since
        self.max_requests, self.max_entries = max_requests, max_entries
        self.now = now or datetime.now(UTC)  # a bench's or test's clock, else the real one
        self.seen: set[str] = set()  # entry URLs read so far, the first page's too
        self.result = Backfill()
        self.notes: list[str] = []
        self.undated = 0  # unknown entries left out for want of a usable date

    @property
    def full(self) -> bool:
        return self.max_entries is not None and len(self.result.entries) >= self.max_entries

    @property
    def done(self) -> bool:
        return self.result.closed or self.full

    def date(self, entry: FeedEntry) -> datetime | None:
        return entry_date(entry, self.now)

    def note(self, why: str) -> None:
        log.info("backfill of %s: %s", self.source, why)
        self.notes.append(why)

    def reaches(self, entry: FeedEntry) -> bool:
        """Returns whether the entry is one stored, or dated at or before `since`."""
        when = self.date(entry)
        return entry.url in self.known or (
            self.since is not None and when is not None and when <= self.since
        )

    def take(self, entries, keep: bool = True, dated_only: bool = False) -> int:
        """Adds (if `keep`) the entries not read before nor stored; returns how many were
        not read before. A stored (or old enough) entry among them closes the walk."""
        fresh = 0
        for entry in entries:
            url = normalize_url(entry.url)
            if url in self.seen:
                continue
            self.seen.add(url)
            fresh += 1
            if self.reaches(replace(entry, url=url)):
                self.result.closed = True
            elif dated_only and self.date(entry) is None:
                self.undated += 1  # maybe lost, maybe old: it cannot close the gap
            elif keep:
                self._keep(replace(entry, url=url))
        return fresh

    def _keep(self, entry: FeedEntry) -> None:
        if self.max_entries is None or len(self.result.entries) < self.max_entries:
            self.result.entries.append(entry)

    @property
    def spent(self) -> bool:
        return len(self.result.fetches) >= self.max_requests

    async def get(self, url: str, kind: str) -> FetchResult | None:
        """Returns the answer for url; None, noted, when the request budget is spent."""
        if self.spent:
            self.note(f"backfill_max_pages ({self.max_requests}) reached before {url}")
            return None
        result = await self.fetcher.get(url, source=self.source, kind=kind)
        self.result.fetches.append(result)
        return result

    def finish(self) -> Backfill:
        self.result.closed = self.result.closed and not self.undated
        if not self.result.closed:
            if self.full:
                self.note(f"max_articles_per_source reached: {self.max_entries} older entries "
                          "kept besides the read's own")  # fmt: skip
            self.result.reason = "; ".join(self.notes) or "stored entries not reached"
        return self.result


async def backfill(
    fetcher: Fetcher,
    crawl: SourceCrawl,
    known_urls: set[str],
    since: datetime | None,
    max_requests: int,
    paging: str | None = None,
    max_entries: int | None = None,
    now: datetime | None = None,
) -> Backfill:
    """Returns the entries older than the feed read in `crawl` and newer than what is
    stored, walking the feed's pages, then the site's sitemaps; never raises for a site's
    fault (the `reason` says it)."""
    from fetchers.sitemap_walk import walk_sitemaps

    walk = Walk(fetcher, crawl.source.name, known_urls, since, max_requests, max_entries, now)
    walk.take(crawl.entries, keep=False)  # the night has them; a stored one ends the walk
    try:
        if not walk.done:
            walk.result.paging = await walk_feed(walk, crawl, paging)
        if not walk.done and crawl.feed_url:
            await walk_sitemaps(walk, crawl.feed_url)
    except Exception as exc:  # a bug on one site's walk must not end the night for the others
        log.exception("backfill of %s (%s) failed", crawl.source.name, crawl.feed_url)
        walk.result.closed = False
        walk.note(f"internal error: {exc!r}")
    return walk.finish()


async def walk_feed(walk: Walk, crawl: SourceCrawl, remembered: str | None) -> str | None:
    """Reads the feed's older pages into the walk; returns the paging learned (or None)."""
    kind = paging_of(crawl, remembered)
    if kind is None:
        walk.note(f"feed {crawl.feed_url} offers no older pages")
        return None
    page = ParsedFeed(crawl.feed_url, None, tuple(crawl.entries), None, True, None,
                      links=crawl.feed_links)  # fmt: skip
    visited, read, number = {crawl.feed_url}, len(crawl.entries), 1
    while not walk.done and not walk.spent:
        url = next_page(kind, page, crawl.feed_url, number, read, len(crawl.entries))
        if url is None or url in visited:
            walk.note(f"feed paging loops back to {url}" if url else
                      f"feed {crawl.feed_url} has no page after page {number}")  # fmt: skip
            break
        visited.add(url)
        page = await _read_page(walk, url)
        worked = page is not None and bool(page.entries) and walk.take(page.entries) > 0
        if not worked:
            if page is not None:
                why = "is empty" if not page.entries else "repeats entries already read"
                walk.note(f"feed page {url} {why}" + (" (paging ignored)" if page.entries else ""))
            return "none" if kind == "try-wordpress" else None
        number, read = number + 1, read + len(page.entries)
        kind = "wordpress" if kind == "try-wordpress" else kind
    if walk.spent and not walk.done:
        walk.note(f"backfill_max_pages ({walk.max_requests}) reached on feed {crawl.feed_url}")
    return None if kind == "try-wordpress" else kind


def paging_of(crawl: SourceCrawl, remembered: str | None) -> str | None:
    """Returns how to ask the feed's older pages: `next`, `blogger`, `wordpress`,
    `try-wordpress` (never tried), or None (it offers none)."""
    rels = {rel for rel, _ in crawl.feed_links}
    generator = (crawl.generator or "").lower()
    if rels & {"next", "prev-archive"}:
        return "next"
    if "blogger" in generator or "/feeds/posts/" in (crawl.feed_url or ""):
        return "blogger"
    if "wordpress" in generator or remembered == "wordpress":
        return "wordpress"
    return "try-wordpress" if remembered is None else None


def next_page(kind: str, page: ParsedFeed, feed_url: str, number: int, read: int, window: int):
    """Returns the URL of the page after `page` (page `number`, `read` entries so far)."""
    if kind == "next":
        links = dict(reversed(page.links))  # the first link of each rel wins
        return links.get("next") or links.get("prev-archive")
    if kind == "blogger":
        return with_query(feed_url, {"start-index": read + 1, "max-results": max(window, 1)})
    return with_query(feed_url, {"paged": number + 1})


def with_query(url: str, params: dict) -> str:
    """Returns url with these query parameters set (replacing any of the same name)."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query = urlencode([*kept, *((k, str(v)) for k, v in params.items())])
    return urlunsplit(parts._replace(query=query))


async def _read_page(walk: Walk, url: str) -> ParsedFeed | None:
    """Returns the parsed feed page at url; None, noted, when it cannot be had or read."""
    result = await walk.get(url, "feed_page")
    if result is None:
        return None
    if not result.ok:
        walk.note(f"feed page {url}: {result.outcome} {result.error or ''}".strip())
        return None
    page = await asyncio.to_thread(parse_feed, result.body, result.final_url or url,
                                   result.content_type, max_items=MAX_ITEMS_A_PAGE)  # fmt: skip
    if not page.is_feed:
        result.error = page.bozo
        walk.note(f"feed page {url} is not a feed ({page.bozo})")
        return None
    return page
