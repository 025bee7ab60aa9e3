"""Walking back past a feed's window, on busy sites served on 127.0.0.1."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from fetchers.backfill import Backfill, backfill, gap_in
from fetchers.crawl import crawl_source
from fetchers.http import Fetcher
from newsflow.models import FeedEntry, Source
from tests.support.busy_site import BusySite, SiteShape
from tests.support.fetching import settings

POLITE = settings(respect_robots_txt=True)


def walk(site: BusySite, stored: int, max_requests: int = 10, paging=None, also=(), **options):
    """Returns the backfill of `site` when its `stored` oldest posts are stored (and the
    posts numbered in `also`)."""
    known = {site.url_of(p) for p in site.posts[:stored]} | {
        site.url_of(site.posts[n]) for n in also
    }
    since = site.posts[stored - 1].published if stored else None

    async def run() -> Backfill:
        async with Fetcher(options.pop("config", POLITE)) as fetcher:
            crawl = await crawl_source(fetcher, Source("busy", site.feed_url, "feed"), {}, None)
            assert crawl.error is None, crawl.error
            return await backfill(fetcher, crawl, known, since, max_requests, paging, **options)

    return asyncio.run(run())


def served(site: BusySite, first: int, last: int) -> set[str]:
    return {site.url_of(p) for p in site.posts[first:last]}


@pytest.mark.parametrize(
    ("paging", "links", "learned"),
    [("wordpress", True, "wordpress"), ("blogger", True, "next"), ("blogger", False, "blogger"),
     ("rfc5005", True, "next")],
)  # fmt: skip
def test_feed_paging_walks_back_to_the_stored_posts(paging, links, learned):
    with BusySite("busy", SiteShape(paging=paging, window=10, next_links=links)) as site:
        site.publish(70)
        found = walk(site, stored=40)
    assert found.closed and found.reason is None
    assert {e.url for e in found.entries} == served(site, 40, 60)  # 60..69 were on page 1
    assert {f.kind for f in found.fetches} == {"feed_page"}
    assert len(found.fetches) == 3  # pages 2 and 3 new, page 4 reaches post 39
    assert found.paging == learned


def test_rfc5005_prev_archive_links_walk_back_to_the_stored_posts():
    with BusySite("busy", SiteShape(paging="rfc5005", older_rel="prev-archive")) as site:
        site.publish(70)
        first_page = site.answer("/feed.atom")[2].decode()
        found = walk(site, stored=40)
        asked = [p for p in site.requests if p.startswith("/feed.atom")]
    assert "rel='prev-archive'" in first_page and "rel='next'" not in first_page
    assert found.closed and found.reason is None
    assert {e.url for e in found.entries} == served(site, 40, 60)
    assert asked == ["/feed.atom", "/feed.atom?page=2", "/feed.atom?page=3", "/feed.atom?page=4"]
    assert {f.kind for f in found.fetches} == {"feed_page"}
    assert found.paging == "next"  # remembered as link paging, whichever rel it was


def test_an_unannounced_wordpress_paging_is_tried_once_and_learned():
    with BusySite("busy", SiteShape(paging="wordpress", generator=False)) as site:
        site.publish(40)
        found = walk(site, stored=15)
        assert found.closed and found.paging == "wordpress"
        assert "/feed/?paged=2" in site.requests


def test_a_feed_without_paging_is_tried_once_then_remembered_as_none():
    with BusySite("busy", SiteShape(paging="none")) as site:
        site.publish(40)
        first = walk(site, stored=15)
        site.requests.clear()
        again = walk(site, stored=15, paging=first.paging)
    assert not first.closed and first.paging == "none"
    assert "/feed.xml?paged=2" in {f.url.removeprefix(site.base_url) for f in first.fetches}
    assert not again.closed and again.paging is None
    assert not any("paged" in path for path in site.requests)  # not tried again
    assert "no older pages" in again.reason and "no sitemap" in again.reason


@pytest.mark.parametrize("sitemap", ["robots", "plain", "index", "news", "wp"])
def test_sitemaps_give_the_posts_newer_than_the_last_stored(sitemap):
    with BusySite("busy", SiteShape(paging="none", sitemap=sitemap)) as site:
        site.publish(70)
        found = walk(site, stored=40, paging="none")
    assert found.closed, found.reason
    assert {e.url for e in found.entries} == served(site, 40, 60)
    assert {f.kind for f in found.fetches} == {"sitemap"}


def test_a_sitemap_index_of_50000_children_costs_only_its_newest():
    shape = SiteShape(sitemap="index", index_padding=50_000)
    with BusySite("busy", shape) as site:
        site.publish(70)
        found = walk(site, stored=40, paging="none", config=settings(max_page_bytes=20_000_000))
        asked = [p for p in site.requests if p.startswith("/sitemap")]
    assert found.closed and {e.url for e in found.entries} == served(site, 40, 60)
    # the index, then the children newest first until the one holding post 39
    assert asked == ["/sitemap.xml", "/sitemap-6.xml", "/sitemap-5.xml", "/sitemap-4.xml"]


def test_the_bound_stops_a_walk_and_says_so():
    with BusySite("busy", SiteShape(paging="wordpress", window=10)) as site:
        site.publish(200)
        found = walk(site, stored=10, max_requests=3)
    assert not found.closed and len(found.fetches) == 3
    assert found.reason == f"backfill_max_pages (3) reached on feed {site.feed_url}"
    assert len(found.entries) == 30  # what the pages read gave is kept all the same


def test_max_entries_bounds_what_is_kept():
    with BusySite("busy", SiteShape(paging="wordpress", window=10)) as site:
        site.publish(100)
        found = walk(site, stored=10, max_entries=25)
    assert not found.closed and len(found.entries) == 25
    assert "max_articles_per_source reached: 25 older entries" in found.reason


@pytest.mark.parametrize(
    ("shape", "why"),
    [
        (SiteShape(paging="rfc5005", loop=True), "loops back"),
        (SiteShape(paging="wordpress", ignore_paging=True), "repeats entries already read"),
        (SiteShape(paging="blogger", ignore_paging=True), "repeats entries already read"),
        (SiteShape(paging="rfc5005", ignore_paging=True), "repeats entries already read"),
    ],
)
def test_paging_that_loops_or_repeats_is_stopped_and_said(shape, why):
    with BusySite("busy", shape) as site:
        site.publish(100)
        found = walk(site, stored=10)
        asked = len(site.requests)
    assert not found.closed and why in found.reason
    assert asked <= 8  # robots, the feed, a page or two, the sitemap probes


@pytest.mark.parametrize(
    ("shape", "kind"),
    [(SiteShape(paging="wordpress"), "feed_page"), (SiteShape(sitemap="index"), "sitemap")],
)
def test_a_walk_keeps_the_per_host_delay(shape, kind):
    delay = 0.3
    config = settings(respect_robots_txt=True, per_host_delay_seconds=delay)
    with BusySite("busy", shape) as site:
        site.publish(70)
        found = walk(site, stored=40, paging="none" if kind == "sitemap" else None, config=config)
        arrivals = [heard.at for heard in site.log]
    assert found.closed and kind in {f.kind for f in found.fetches}
    assert len(arrivals) >= 5  # robots.txt, the feed, then the walk's own requests
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) >= delay - 0.05  # arrival times jitter a little around the starts


@pytest.mark.parametrize(
    ("lastmod", "why"), [("future", "in the future"), ("missing", "no usable dates")]
)
@pytest.mark.parametrize(
    ("sitemap", "padding"), [("plain", 0), ("index", 5000)]
)  # an index's old children, dated, must not close a gap its live undated ones hold
def test_sitemap_dates_in_the_future_or_missing_are_not_taken(lastmod, why, sitemap, padding):
    shape = SiteShape(sitemap=sitemap, lastmod=lastmod, index_padding=padding)
    with BusySite("busy", shape) as site:
        site.publish(70)
        found = walk(site, stored=40, paging="none")
    assert not found.closed and found.entries == []
    assert why in found.reason


def entry(n: int, day: int | None) -> FeedEntry:
    when = datetime(2025, 3, day, tzinfo=UTC) if day else None
    return FeedEntry(
        url=f"https://b.example/{n}", feed_url="https://b.example/feed", published=when
    )


def test_gap_in_needs_history_and_no_overlap():
    window = [entry(n, 20) for n in range(10)]
    newest = datetime(2025, 3, 10, tzinfo=UTC)
    assert gap_in(window, set(), newest, has_history=True)
    assert not gap_in(window, set(), newest, has_history=False)  # a first run
    assert not gap_in(window, {"https://b.example/3"}, newest, has_history=True)
    assert not gap_in([], set(), newest, has_history=True)


def test_gap_in_by_dates_and_without_them():
    newest = datetime(2025, 3, 10, tzinfo=UTC)
    reaching_back = [entry(1, 20), entry(2, 9)]  # an unseen old post: the window overlaps
    assert not gap_in(reaching_back, set(), newest, has_history=True)
    assert gap_in([entry(1, None), entry(2, None)], set(), newest, has_history=True)
    future = FeedEntry("https://b.example/f", "f", published=datetime.now(UTC) + timedelta(days=9))
    assert gap_in([future], set(), newest, has_history=True)


def test_a_reordered_window_is_no_gap():
    with BusySite("busy", SiteShape(reorder=True)) as site:
        site.publish(30)
        known = {site.url_of(p) for p in site.posts[:25]}

        async def read():
            async with Fetcher(POLITE) as fetcher:
                return await crawl_source(fetcher, Source("b", site.feed_url, "feed"), {}, None)

        crawl = asyncio.run(read())
    assert crawl.entries[0].url == site.url_of(site.posts[20])  # oldest first
    assert not gap_in(crawl.entries, known, site.posts[24].published, has_history=True)


def test_entries_without_dates_close_on_a_stored_url():
    with BusySite("busy", SiteShape(paging="wordpress", undated=True)) as site:
        site.publish(40)
        found = walk(site, stored=15)
    assert found.closed and {e.url for e in found.entries} == served(site, 15, 30)
    assert all(e.published is None for e in found.entries)


def test_a_failing_page_ends_the_walk_with_its_outcome():
    with BusySite("busy", SiteShape(paging="rfc5005")) as site:
        site.publish(40)
        site.failing.add("/feed.atom?page=3")
        found = walk(site, stored=5)
        asked = site.requests.count("/feed.atom?page=3")
    assert not found.closed and "http_error" in found.reason and "page=3" in found.reason
    assert {e.url for e in found.entries} == served(site, 20, 30)  # page 2's are kept
    assert asked == 2  # a 5xx is retried once, as every request


def test_robots_txt_governs_the_walk():
    with BusySite("busy", SiteShape(paging="wordpress", disallow="/feed/?paged=")) as site:
        site.publish(40)
        found = walk(site, stored=15)
        asked = [p for p in site.requests if "paged" in p]
    assert not found.closed and asked == []
    assert found.fetches[0].outcome == "robots_denied" and "robots_denied" in found.reason


def test_feed_links_and_generator_are_read_from_rss_atom_and_json_feed():
    from fetchers.feeds import parse_feed

    rss = b"""<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
    <channel><title>t</title><generator>https://wordpress.org/?v=6.4</generator>
    <atom:link href="/feed/?paged=2" rel="next"/><item><link>https://b.example/1</link></item>
    </channel></rss>"""
    json_feed = b'{"version": "https://jsonfeed.org/version/1.1", "next_url": "/feed.json?p=2",'
    json_feed += b' "items": [{"id": "1", "url": "https://b.example/1"}]}'
    read = parse_feed(rss, "https://b.example/feed/")
    assert read.links == (("next", "https://b.example/feed/?paged=2"),)
    assert read.generator == "https://wordpress.org/?v=6.4"
    assert parse_feed(json_feed, "https://b.example/feed.json").links == (
        ("next", "https://b.example/feed.json?p=2"),
    )


def test_wordpress_core_sitemaps_cost_the_posts_sitemap_only():
    with BusySite("busy", SiteShape(sitemap="wp")) as site:
        site.publish(70)
        found = walk(site, stored=40, paging="none")
        asked = [p for p in site.requests if "sitemap" in p]
    assert found.closed
    assert asked == ["/sitemap.xml", "/sitemap_index.xml", "/wp-sitemap.xml",
                     "/wp-sitemap-posts-post-1.xml"]  # fmt: skip


def test_an_index_is_read_down_to_its_first_old_child_whatever_a_newer_one_holds():
    with BusySite("busy", SiteShape(sitemap="index")) as site:
        site.publish(70)
        found = walk(site, stored=35, paging="none", also=[55])  # post 55 stored, edited
        asked = [p for p in site.requests if p.startswith("/sitemap")]
    assert found.closed and {e.url for e in found.entries} == served(site, 35, 60) - {
        site.url_of(site.posts[55])}  # fmt: skip
    assert asked == ["/sitemap.xml", "/sitemap-6.xml", "/sitemap-5.xml", "/sitemap-4.xml",
                     "/sitemap-3.xml"]  # fmt: skip


def test_a_replayed_timeline_passes_its_own_clock():
    later = datetime(2031, 6, 1, tzinfo=UTC)  # a bench's clock, years ahead of the real one
    with BusySite("busy", SiteShape(sitemap="plain")) as site:
        site.publish(70, at=later - timedelta(days=10))
        on_its_clock = walk(site, stored=40, paging="none", now=later)
        on_the_real_clock = walk(site, stored=40, paging="none")
    assert on_its_clock.closed and {e.url for e in on_its_clock.entries} == served(site, 40, 60)
    assert not on_the_real_clock.closed and "in the future" in on_the_real_clock.reason
    window = [FeedEntry(site.url_of(p), "f", published=p.published) for p in site.posts[60:]]
    window.append(FeedEntry("https://b.example/old", "f", published=site.posts[30].published))
    newest = site.posts[39].published
    assert not gap_in(window, set(), newest, True, now=later)  # it reaches back: no gap
    assert gap_in(window, set(), newest, True)  # on the real clock: no usable date
