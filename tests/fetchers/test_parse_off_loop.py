"""One source's large feed costs no other source its time: feeds are parsed off the event
loop, so a small source on a slow-but-OK server answers within its timeout beside two
large feeds. And a feed of very many items is read only as far as a night can use."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from fetchers.crawl import FEED_ITEMS_PER_ARTICLE, crawl_source
from fetchers.feeds import parse_feed
from fetchers.http import Fetcher
from newsflow.models import Source
from newsflow.outcomes import Outcome
from tests.support.feed_files import FeedFilesServer, rss
from tests.support.fetching import TEST_SETTINGS

BIG_ITEMS = 15_000  # ~4 MB; parsing one takes longer than the small source's timeout
SLOW_ANSWER = 1.0  # seconds the small source's server takes: well within TIMEOUT
TIMEOUT = 2.0


def _rss(items: int, prefix: str) -> bytes:
    return rss(items, "http://example.org", prefix)


def _feed_server() -> FeedFilesServer:
    """Two large feeds served at once and a small one after SLOW_ANSWER seconds."""
    files = {"/big-1.xml": _rss(BIG_ITEMS, "a"), "/big-2.xml": _rss(BIG_ITEMS, "b"),
             "/small.xml": _rss(3, "small")}  # fmt: skip
    return FeedFilesServer(files, late={"/small.xml": SLOW_ANSWER})


def test_a_small_source_is_unaffected_by_two_large_feeds_beside_it():
    settings = replace(
        TEST_SETTINGS,
        timeout_seconds=TIMEOUT,
        max_page_bytes=20_000_000,
        max_articles_per_source=BIG_ITEMS,  # no cut: the whole of each big feed is parsed
    )
    sources = [Source(name=n, url="", kind="feed") for n in ("big-1", "big-2", "small")]

    async def read_all(base: str):
        async with Fetcher(settings, backoff_seconds=0.05) as fetcher:
            return await asyncio.gather(
                *(crawl_source(fetcher, replace(s, url=f"{base}/{s.name}.xml"), {}, None)
                  for s in sources)
            )  # fmt: skip

    with _feed_server() as server:
        big_1, big_2, small = asyncio.run(read_all(server.base))
        hits = dict(server.hits)

    assert small.error is None, small.error
    assert [f.outcome for f in small.fetches] == [Outcome.OK]
    assert hits["/small.xml"] == 1  # no timeout, so no retry
    assert len(small.entries) == 3
    assert len(big_1.entries) == len(big_2.entries) == BIG_ITEMS


def test_a_feed_of_very_many_items_is_read_only_as_far_as_a_night_can_use():
    body = _rss(3_000, "archive")
    parsed = parse_feed(body, "http://example.org/feed", max_items=100)
    assert len(parsed.entries) == 100 and parsed.cut == 2_900
    assert parsed.entries[0].url == "http://example.org/archive/0"  # the newest, listed first
    assert parsed.bozo is None  # the cut document is closed as the original closes
    assert parse_feed(body, "http://example.org/feed").cut == 0


def test_the_cut_is_recorded_on_the_feed_fetch():
    limit = 50
    settings = replace(TEST_SETTINGS, max_articles_per_source=limit, max_page_bytes=20_000_000)
    with _feed_server() as server:
        server.files["/archive.xml"] = _rss(1_000, "archive")

        async def read():
            async with Fetcher(settings) as fetcher:
                source = Source(name="archive", url=f"{server.base}/archive.xml", kind="feed")
                return await crawl_source(fetcher, source, {}, None)

        crawl = asyncio.run(read())

    kept = FEED_ITEMS_PER_ARTICLE * limit
    assert len(crawl.entries) == kept
    (fetch,) = crawl.fetches
    assert fetch.outcome is Outcome.OK and crawl.error is None
    assert fetch.error == f"{1_000 - kept} items after the first {kept} not read"


@pytest.mark.parametrize("shape", ["atom", "json"])
def test_atom_and_json_feeds_are_cut_too(shape):
    if shape == "atom":
        entries = "".join(
            f"<entry><title>{n}</title><link href='http://example.org/{n}'/><id>{n}</id></entry>"
            for n in range(30)
        )
        body = f"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>{entries}</feed>"
    else:
        items = ",".join(f'{{"id": "{n}", "url": "http://example.org/{n}"}}' for n in range(30))
        body = f'{{"version": "https://jsonfeed.org/version/1.1", "items": [{items}]}}'
    parsed = parse_feed(body.encode(), "http://example.org/feed", max_items=10)
    assert [e.url for e in parsed.entries] == [f"http://example.org/{n}" for n in range(10)]
    assert parsed.cut == 20
