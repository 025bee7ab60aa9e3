"""A busy site on 127.0.0.1 whose feed shows only its latest posts: the loopback web of
"no article lost between runs" (fetchers/backfill.py), for tests and bench/.

For coverage-pace and bench/coverage.py: `BusySite(name, paging=..., sitemap=...,
window=10)` is a context manager serving one site on its own port (a port is a host to
politeness); `site.publish(30)` adds posts between runs (dated `every` apart after the
last, or from `at`); `site.posts` (oldest first), `site.url_of(post)`, `site.feed_url`
and `site.requests` (paths asked, in order) tell what there is and what was asked;
paths put in `site.failing` answer 500.
`paging` is how its feed reaches older posts: "none", "wordpress" (`/feed/?paged=N`),
"blogger" (`/feeds/posts/default?start-index=&max-results=`, with rel=next) or
"rfc5005" (`/feed.atom?page=N`, rel=next, or rel=prev-archive with
`older_rel="prev-archive"`: RFC 5005's archived feeds); `sitemap` is "none", "robots" (a urlset
robots.txt names), "plain" (`/sitemap.xml`), "index" (`/sitemap.xml`, an index of
10-post urlsets, plus `index_padding` old children), "news" (a news sitemap robots.txt
names) or "wp" (WordPress core's `/wp-sitemap.xml`: an undated index of posts with
lastmod, and pages, categories and users without). Misbehaviours, for the bad-input
tests: `loop` (page 2 links back to page 1),
`ignore_paging` (every page is the first), `reorder` (the window oldest first),
`undated` (no dates in the feed), `lastmod` "future" or "missing", `generator` False
(a WordPress feed that does not say so), `next_links` False (Blogger without rel=next),
`disallow` (a robots.txt rule).
Importable without pytest.
"""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from newsflow.demo.site import Post, blogger_site, post_path
from tests.support.many_blogs import generated_post

FEED_PATHS = {
    "none": "/feed.xml",
    "wordpress": "/feed/",
    "blogger": "/feeds/posts/default",
    "rfc5005": "/feed.atom",
}
START = datetime(2025, 3, 1, tzinfo=UTC)


@dataclass
class SiteShape:
    """How a busy site serves its posts (see the module docstring)."""

    paging: str = "none"
    sitemap: str = "none"
    window: int = 10
    loop: bool = False
    ignore_paging: bool = False
    reorder: bool = False
    undated: bool = False
    lastmod: str = "ok"  # ok | future | missing
    generator: bool = True
    next_links: bool = True  # Atom pages link the next one (rel=next)
    older_rel: str = "next"  # the rel an Atom page gives its older page: next | prev-archive
    disallow: str | None = None  # a robots.txt Disallow rule
    index_padding: int = 0  # old children listed before the real ones in an index


@dataclass(frozen=True)
class Heard:
    """One request as the site received it."""

    at: float  # time.monotonic() when its headers were read
    path: str
    headers: dict[str, str]


@dataclass
class BusySite:
    """One busy site served on 127.0.0.1; use as a context manager."""

    name: str
    shape: SiteShape = field(default_factory=SiteShape)
    every: timedelta = timedelta(hours=1)
    seed: int = 0
    posts: list[Post] = field(default_factory=list)  # oldest first
    requests: list[str] = field(default_factory=list)
    log: list[Heard] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)  # paths (with query) answered 500

    def __post_init__(self) -> None:
        self._pages: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> BusySite:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def feed_url(self) -> str:
        return self.base_url + FEED_PATHS[self.shape.paging]

    def url_of(self, post: Post) -> str:
        return self.base_url + post_path(post)

    def publish(self, count: int, at: datetime | None = None) -> list[Post]:
        """Adds `count` posts, `every` apart from `at` (else after the last post)."""
        with self._lock:
            first = at or (self.posts[-1].published + self.every if self.posts else START)
            new = [self._post(len(self.posts) + i, first + i * self.every) for i in range(count)]
            self.posts.extend(new)
            for post in new:
                site = blogger_site(self.name, [post], self.base_url, "en")
                self._pages[post_path(post)] = site.files[post_path(post)][1]
            return new

    def _post(self, n: int, when: datetime) -> Post:
        post = generated_post(self.seed, n)
        return replace(post, slug=f"{self.name}-{n}", published=when)

    def answer(self, path: str) -> tuple[int, str, bytes]:
        """Returns (status, content type, body) for a GET of path."""
        from tests.support.busy_site_documents import document

        if path in self.failing:
            return 500, "text/plain", b"server error"
        with self._lock:
            newest_first = list(reversed(self.posts))
            page = self._pages.get(path.split("?")[0])
        if page is not None:
            return 200, "text/html; charset=utf-8", page
        return document(self, newest_first, path)


def _handler(site: BusySite):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            site.requests.append(self.path)
            site.log.append(Heard(time.monotonic(), self.path, dict(self.headers.items())))
            status, content_type, body = site.answer(self.path)
            etag = f'"{hash(body) & 0xFFFFFFFF:08x}"'
            if status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if status == 200:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep test and bench output quiet
            pass

    return Handler


def query_int(path: str, name: str, default: int) -> int:
    """Returns the integer query parameter `name` of path (default when absent or bad)."""
    values = parse_qs(urlsplit(path).query).get(name)
    try:
        return int(values[0]) if values else default
    except ValueError:
        return default


def escape(text: str) -> str:
    return html.escape(text, quote=True)
