"""Walks a site's sitemaps back to a date, for fetchers.backfill: only what is newer.

The sitemaps are those robots.txt names (already fetched for politeness, so free), else
/sitemap.xml, /sitemap_index.xml and /wp-sitemap.xml, the first that answers. A urlset
gives its URLs dated after `since` (`news:publication_date`, else `lastmod`); an index's
children are read newest first by their own `lastmod`, and the walk stops at the first
child not newer than `since` (what it lists is stored already), so a big site costs a
few files, not all of them; children undated (or dated in the future) are read after, until
one reaches what is stored. Undated URLs are not taken (nothing says they are new), nor
are dates in the future: a urlset without any usable date is noted and keeps the gap
open; undated URLs beside dated ones are a site's other pages. Children that list users,
authors, categories, tags or static pages are not read.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from fetchers.backfill import FUTURE_SLACK, Walk
from fetchers.robots import RobotsCache
from fetchers.sitemaps import ParsedSitemap, parse_sitemap, sitemaps_from_robots
from newsflow.outcomes import Outcome

_NOT_ARTICLES = re.compile(r"posts-page|user|author|taxonom|categor|tag", re.I)
_POSTS = re.compile(r"post|news|article", re.I)
SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/wp-sitemap.xml")
MAX_INDEX_DEPTH = 3  # index -> index -> index -> urlset, as fetchers.sitemap_tree


def sitemap_candidates(site_url: str, robots: RobotsCache) -> list[str]:
    """Returns the sitemaps to try for the site at site_url: robots.txt's, then the usual."""
    robots_url = RobotsCache.robots_url(site_url)
    _, status, body = robots.entries.get(robots_url, (None, None, b""))
    named = sitemaps_from_robots(body.decode("utf-8", "replace")) if status == 200 else []
    return list(dict.fromkeys([*named, *(urljoin(robots_url, p) for p in SITEMAP_PATHS)]))


async def walk_sitemaps(walk: Walk, site_url: str) -> None:
    """Reads the site's sitemaps into the walk, within its budget."""
    if walk.spent:
        return  # the feed's pages took the whole budget: the walk's note says so
    if walk.since is None:
        walk.note("no stored entry date to compare sitemap dates with")
        return
    for url in sitemap_candidates(site_url, walk.fetcher.robots):
        if walk.done or walk.spent:
            break
        read = await _fetch(walk, url)
        if read is not None:
            await _walk(walk, url, read, depth=0)
            return
    if not walk.done and not walk.spent:
        site = RobotsCache.robots_url(site_url).removesuffix("robots.txt")
        walk.note(f"no sitemap found on {site}")


async def _fetch(walk: Walk, url: str) -> ParsedSitemap | None:
    """Returns the sitemap at url; None when it is not to be had (the fetch row says why)."""
    result = await walk.get(url, "sitemap")
    if result is None or not result.ok:
        return None
    parsed = await asyncio.to_thread(parse_sitemap, result.body, result.final_url or url)
    if parsed.error and not parsed.urls and not parsed.sitemaps:
        result.outcome, result.error = Outcome.NOT_A_SITEMAP, parsed.error
        return None
    return parsed


async def _walk(walk: Walk, url: str, parsed: ParsedSitemap, depth: int) -> None:
    if parsed.urls:
        _take_urls(walk, url, parsed)
    now = walk.now
    children = newest_children(parsed, now) if depth < MAX_INDEX_DEPTH else []
    undated = any(_usable_lastmod(parsed, c, now) is None for c in children)
    for child in children:
        when = _usable_lastmod(parsed, child, now)
        # Dated children are read down to the first not newer than `since`, whatever a
        # newer one reached (an edited old post is listed among new ones); undated ones
        # until one reaches what is stored.
        if walk.full or walk.spent or (when is None and walk.result.closed):
            break
        if when is not None and when <= walk.since:
            if undated:  # they come last: what is new may be there (a lastmod in the future)
                continue
            walk.result.closed = True  # this child, and those older, list nothing newer
            break
        read = await _fetch(walk, child)
        if read is not None:
            await _walk(walk, child, read, depth + 1)
    if walk.spent and not walk.done:
        walk.note(f"backfill_max_pages ({walk.max_requests}) reached in sitemap {url}")


def _take_urls(walk: Walk, url: str, parsed: ParsedSitemap) -> None:
    """Takes the urlset's URLs dated after `since`. Undated ones are left: beside dated
    ones they are a site's other pages (home, about); when none is dated, the sitemap
    says nothing of what is new, and the walk cannot close on it."""
    before = walk.undated
    walk.take(parsed.urls, dated_only=True)
    left = walk.undated - before
    if left and any(walk.date(e) for e in parsed.urls):
        walk.undated = before  # not articles, most likely: they hold no gap open
    elif left:
        future = sum(1 for e in parsed.urls if (e.published or e.updated) and not walk.date(e))
        detail = f" ({future} dated in the future)" if future else ""
        walk.note(f"sitemap {url} gives no usable dates: {left} unknown URLs not "
                  f"taken{detail}")  # fmt: skip


def _usable_lastmod(parsed: ParsedSitemap, child: str, now: datetime) -> datetime | None:
    """Returns the child's lastmod; None when it has none or gives one in the future."""
    when = parsed.sitemap_lastmod.get(child)
    return when if when is not None and when <= now + FUTURE_SLACK else None


def newest_children(parsed: ParsedSitemap, now: datetime) -> list[str]:
    """Returns an index's children that may list articles, the newest by lastmod first;
    undated ones after, post sitemaps first, then last listed first (indexes list the
    newest last, mostly). A future lastmod is undated. Sitemaps of static pages, users,
    authors, categories and tags (WordPress's wp-sitemap lists them undated) are left
    out: they list no articles, and undated they would hold every gap open."""
    children = [c for c in parsed.sitemaps if not _NOT_ARTICLES.search(_name(c))]
    dated = {c: d for c in children if (d := _usable_lastmod(parsed, c, now)) is not None}
    newest = sorted(dated, key=dated.__getitem__, reverse=True)
    undated = [c for c in reversed(children) if c not in dated]
    return newest + sorted(undated, key=lambda c: not _POSTS.search(_name(c)))


def _name(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1]
