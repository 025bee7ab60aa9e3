"""Nested sitemap indexes through the crawler, on 127.0.0.1: followed to a bounded depth,
and what was cut recorded on the index's fetch row."""

from __future__ import annotations

import asyncio

from fetchers.crawl import crawl_source
from fetchers.http import Fetcher
from fetchers.sitemap_tree import MAX_CHILD_SITEMAPS, MAX_SITEMAP_DEPTH
from newsflow.demo.site import Site, SiteServer
from newsflow.models import Source
from newsflow.outcomes import Outcome
from tests.support.fetching import TEST_SETTINGS

XML = "application/xml"


def _index(base: str, children: list[str]) -> bytes:
    items = "".join(f"<sitemap><loc>{base}{c}</loc></sitemap>" for c in children)
    return (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
        f'sitemap/0.9">{items}</sitemapindex>'
    ).encode()


def _urlset(base: str, pages: list[str]) -> bytes:
    items = "".join(f"<url><loc>{base}{p}</loc></url>" for p in pages)
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{items}</urlset>"
    ).encode()


def _crawl(server: SiteServer, path: str):
    async def run():
        async with Fetcher(TEST_SETTINGS) as fetcher:
            source = Source(name="deep", url=server.base_url + path, kind="sitemap")
            return await crawl_source(fetcher, source, {}, None)

    return asyncio.run(run())


def _nested_site(base: str) -> Site:
    """/index.xml -> /years.xml -> /2026.xml -> /2026-05.xml (pages), and a chain one level
    deeper than allowed: /2026.xml -> /2026-deep.xml -> /2026-deeper.xml (pages)."""
    site = Site()
    site.files["/index.xml"] = (XML, _index(base, ["/years.xml", "/pages.xml"]))
    site.files["/pages.xml"] = (XML, _urlset(base, ["/about.html"]))
    site.files["/years.xml"] = (XML, _index(base, ["/2026.xml"]))
    site.files["/2026.xml"] = (XML, _index(base, ["/2026-05.xml", "/2026-deep.xml"]))
    site.files["/2026-05.xml"] = (XML, _urlset(base, ["/2026/05/a.html", "/2026/05/b.html"]))
    site.files["/2026-deep.xml"] = (XML, _index(base, ["/2026-deeper.xml"]))
    site.files["/2026-deeper.xml"] = (XML, _urlset(base, ["/too/deep.html"]))
    return site


def test_nested_indexes_are_followed_and_the_cut_recorded():
    assert MAX_SITEMAP_DEPTH == 3  # the site below is built for this depth
    with SiteServer(_nested_site) as server:
        crawl = _crawl(server, "/index.xml")
        base = server.base_url

    assert crawl.error is None
    urls = {e.url for e in crawl.entries}
    assert {base + "/2026/05/a.html", base + "/2026/05/b.html", base + "/about.html"} <= urls
    assert base + "/too/deep.html" not in urls
    by_url = {f.url: f for f in crawl.fetches}
    assert base + "/2026-deeper.xml" not in by_url  # never asked
    deep = by_url[base + "/2026-deep.xml"]
    assert deep.outcome is Outcome.OK
    assert "nested deeper than 3 levels" in deep.error and "/2026-deeper.xml" in deep.error


def test_child_sitemaps_over_the_limit_are_recorded_not_silently_dropped():
    count = MAX_CHILD_SITEMAPS + 5
    children = [f"/part-{n:02d}.xml" for n in range(count)]

    def site(base: str) -> Site:
        built = Site({"/index.xml": (XML, _index(base, children))})
        for n, child in enumerate(children):
            built.files[child] = (XML, _urlset(base, [f"/p/{n}.html"]))
        return built

    with SiteServer(site) as server:
        crawl = _crawl(server, "/index.xml")
        base = server.base_url

    assert len(crawl.fetches) == 1 + MAX_CHILD_SITEMAPS
    assert len(crawl.entries) == MAX_CHILD_SITEMAPS
    assert base + f"/p/{count - 1}.html" in {e.url for e in crawl.entries}  # newest kept
    index = crawl.fetches[0]
    assert index.outcome is Outcome.OK
    assert index.error.startswith(f"5 child sitemaps not read (over the limit of {count - 5}")
