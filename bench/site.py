"""The corpus served as a news site on 127.0.0.1, and sources files pointing at it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from newsflow.demo.site import SiteServer
from tests.support.corpus import locate_corpus, not_found, read_index
from tests.support.corpus_site import corpus_site, rss_feed

REPO = Path(__file__).resolve().parents[1]
PER_SECTION = 250  # well under max_articles_per_source (500): every page is fetched

# Politeness applies per host and everything here is one host, 127.0.0.1.
SETTINGS = """\
[settings]
allow_private_networks = true
per_host_delay_seconds = 0
per_host_concurrency = 8
timeout_seconds = 20
max_articles_per_source = 1000
"""


@cache
def corpus() -> Path:
    """Returns the shared corpus folder ($NEWSFLOW_CORPUS or ../shared/corpus); exits
    saying how to get it when it is missing."""
    folder = locate_corpus()
    if folder is None:
        raise SystemExit(not_found())
    return folder


def pages_per_copy() -> int:
    return len(read_index(corpus(), "pages"))


def copies_for(pages: int) -> int:
    """Returns how many replicas of the corpus give at least `pages` pages."""
    return -(-pages // pages_per_copy())


def serve_corpus(pages: int, prefix: str = "") -> SiteServer:
    """Returns a (not yet started) server of `pages` corpus pages behind feeds: the corpus
    replicated as often as needed, its feeds linking the first `pages` of them.

    `prefix` makes the URLs distinct from another run's, for "new pages" runs.
    """
    copies = copies_for(pages)
    sections = max(1, -(-pages // PER_SECTION))

    def build(base: str):
        site = corpus_site(corpus(), base + prefix, copies=copies, sections=sections)
        links = [path for path in site.files if path.startswith("/c")][:pages]
        for n in range(sections):
            feed = rss_feed(base + prefix, links[n::sections])
            site.files[f"/section{n}/feed.xml"] = ("application/rss+xml", feed)
        if prefix:
            site.files = {prefix + path: body for path, body in site.files.items()}
        site.files["/robots.txt"] = ("text/plain", b"User-agent: *\nAllow: /\n")
        return site

    server = SiteServer(build)
    server.sections, server.pages = sections, pages
    return server


def feed_urls(server: SiteServer, prefix: str = "") -> list[str]:
    """Returns the URLs of the server's section feeds."""
    return [f"{server.base_url}{prefix}/section{n}/feed.xml" for n in range(server.sections)]


def write_sources(path: Path, feeds: list[str]) -> Path:
    """Writes a sources.toml with one feed source per URL; returns its path."""
    blocks = [
        f'[[sources]]\nname = "s{n}"\nurl = "{url}"\nkind = "feed"\n' for n, url in enumerate(feeds)
    ]
    path.write_text(SETTINGS + "\n" + "\n".join(blocks), encoding="utf-8")
    return path
