"""Faults end to end: every misbehaving endpoint and hostile XML through the real flow, and
every corpus feed (served with its HTTP headers) through the real crawl path."""

from __future__ import annotations

import asyncio
import html
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import duckdb
import pytest

from fetchers.crawl import crawl_source
from fetchers.http import Fetcher
from fetchers.urls import normalize_url
from newsflow.demo.site import SiteServer
from newsflow.models import Settings, Source
from newsflow.outcomes import Outcome
from tests.support.corpus_site import corpus_site
from tests.support.fault_outcomes import FAULTS, SURVIVED
from tests.support.faultserver import FaultServer
from tests.support.flows import run_flow, write_sources

SETTINGS = """\
[settings]
allow_private_networks = true
per_host_delay_seconds = 0
per_host_concurrency = 8
timeout_seconds = 3
"""
GOOD_PAGES = 20
BLANK = b"<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>"


def _query(db, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _rss(links: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{html.escape(u)}</link></item>" for u in links)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>mixed</title>{items}'
        "</channel></rss>".encode()
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def site(corpus_dir):
    """The corpus pages on 127.0.0.1, `/c0/<name>.html`; tests add their own feeds."""
    with SiteServer(lambda base: corpus_site(corpus_dir, base)) as server:
        server.pages = sorted(p for p in server.site.files if p.startswith("/c0/"))
        yield server


def test_every_fault_in_one_run_is_recorded_and_the_good_pages_stored(
    tmp_path, site, prefect_server
):
    good = [site.base_url + p for p in site.pages[:GOOD_PAGES]]
    blank, dead = site.base_url + "/blank.html", f"http://127.0.0.1:{_closed_port()}/a.html"
    site.site.files["/blank.html"] = ("text/html", BLANK)
    with FaultServer() as faults:
        bad = {normalize_url(faults.url(path)): outcome for path, outcome in FAULTS.items()}
        survived = [normalize_url(faults.url(path)) for path in SURVIVED]
        links = good + survived + list(bad) + [blank, dead]
        site.site.files["/mixed.xml"] = ("application/rss+xml", _rss(links))
        sources = write_sources(
            tmp_path / "s.toml", [("mixed", site.base_url + "/mixed.xml", "feed")], SETTINGS
        )
        state = run_flow(sources, tmp_path / "news.duckdb")
    db = tmp_path / "news.duckdb"

    assert state.is_completed(), state.message
    pages = {
        u: (o, e, f)
        for u, o, e, f in _query(
            db, "SELECT url, outcome, error, final_url FROM fetches WHERE kind = 'page'"
        )
    }
    articles = {u for (u,) in _query(db, "SELECT url FROM articles")}
    assert set(good) <= articles
    assert all(pages[u][0] == "ok" and pages[u][2] in articles for u in survived)
    assert {u: pages[u][0] for u in bad} == bad
    assert all(pages[u][1] for u in bad), "every failed fetch says why"
    assert not articles & set(bad)
    assert pages[blank][0] == "extract_error" and pages[blank][1]
    # Nothing listens on the dead host: its robots.txt cannot be read, so nothing is asked.
    assert pages[dead][0] == "robots_denied"
    robots = _query(
        db, f"SELECT outcome FROM fetches WHERE url = '{dead.rsplit('/', 1)[0]}/robots.txt'"
    )
    assert robots == [("connect_error",)]
    assert _query(db, "SELECT state, fetch_errors >= 30 FROM runs") == [("COMPLETED", True)]


def _hostile_feeds(base: str, canary: str, pages: list[str]) -> dict[str, tuple[str, bytes]]:
    """Returns path -> (kind, body) of XML documents that try to read a file or explode."""
    lols = "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )  # ten to the ninth "lol"s if expanded
    big = "A" * 100_000
    docs = {
        "/xxe-file.xml": f'<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{canary}">]>',
        "/xxe-param.xml": f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "file://{canary}"> %p;]>',
        "/xxe-http.xml": f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{base}/xxe-canary">]>',
        "/xxe-dtd.xml": f'<!DOCTYPE rss SYSTEM "{base}/xxe-dtd">',
        "/xxe-dtd-file.xml": f'<!DOCTYPE rss SYSTEM "file://{canary}">',
        "/laughs.xml": f'<!DOCTYPE rss [<!ENTITY lol0 "lol">{lols}]>',
        "/quadratic.xml": f'<!DOCTYPE rss [<!ENTITY a "{big}">]>',
    }
    refs = {"/laughs.xml": "&lol9;", "/quadratic.xml": "&a;" * 2_000}
    feeds = {}
    for (path, doctype), page in zip(docs.items(), pages, strict=False):
        ref = refs.get(path, "&x;" if "ENTITY x" in doctype else "")
        body = (
            f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>{ref}</title>'
            f"<item><title>{ref}</title><link>{base}{page}?q={ref}</link>"
            f"<description>{ref}</description></item></channel></rss>"
        )
        feeds[path] = ("feed", body.encode())
    wide = (
        feeds["/xxe-file.xml"][1]
        .decode()
        .replace('version="1.0"?', 'version="1.0" encoding="UTF-16"?')
    )
    feeds["/xxe-utf16.xml"] = ("feed", wide.encode("utf-16"))
    feeds["/xxe-sitemap.xml"] = (
        "sitemap",
        (
            f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file://{canary}">]>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}'
            f"{pages[-1]}?q=&x;</loc></url></urlset>"
        ).encode(),
    )
    return feeds


def _all_text(db) -> str:
    """Returns every text value stored in every table of the database, as one string."""
    columns = _query(
        db,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE data_type LIKE 'VARCHAR%' AND table_name IN (SELECT table_name "
        "FROM information_schema.tables WHERE table_type = 'BASE TABLE')",
    )
    parts = [
        _query(db, f'SELECT string_agg("{c}"::VARCHAR, \' \') FROM "{t}"')[0][0] or ""
        for t, c in columns
    ]
    return "\n".join(parts)


def test_hostile_xml_reads_no_file_and_expands_no_bomb(tmp_path, site, prefect_server):
    secret = f"CANARY-{uuid.uuid4().hex}"
    canary = tmp_path / "canary.txt"
    canary.write_text(secret)
    feeds = _hostile_feeds(site.base_url, str(canary), site.pages[:9])
    site.site.files.update({p: ("application/xml", body) for p, (_, body) in feeds.items()})
    site.site.files["/good.xml"] = ("application/rss+xml", _rss([site.base_url + site.pages[9]]))
    named = [
        (p.strip("/").replace(".xml", ""), site.base_url + p, k) for p, (k, _) in feeds.items()
    ]
    sources = write_sources(
        tmp_path / "s.toml", [*named, ("good", site.base_url + "/good.xml", "feed")], SETTINGS
    )
    db = tmp_path / "news.duckdb"

    state = run_flow(sources, db)

    assert state.is_completed(), state.message
    stored = _all_text(db)
    assert "CANARY-" not in stored and secret not in state.message
    assert "lol" * 10 not in stored and "A" * 1000 not in stored
    assert not {"/xxe-canary", "/xxe-dtd"} & set(site.paths())  # no request made by the parser
    assert not [p for p in site.paths() if "CANARY" in p]  # nor a page URL carrying the file
    errors = dict(_query(db, "SELECT source, last_error FROM source_health"))
    assert set(errors) == {name for name, _, _ in named} | {"good"}
    # Each hostile source was read with its DTD defused, or refused with a reason: no crash.
    assert not [e for e in errors.values() if e and "internal error" in e]
    assert _query(db, "SELECT count(*) > 1 FROM articles") == [(True,)]


class _FeedFiles(BaseHTTPRequestHandler):
    """Serves the corpus feeds with the HTTP headers their index lists."""

    entries: dict[str, dict]
    folder: Path  # the corpus's feeds/

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        entry = self.entries.get(unquote(self.path.lstrip("/")))
        if entry is None:
            self.send_error(404)
            return
        body = (self.folder / entry["file"]).read_bytes()
        headers = [h.split(":", 1) for h in entry["http_headers"]]
        self.send_response(200)
        if not any(name.strip().lower() == "content-type" for name, _ in headers):
            json_feed = entry["file"].endswith(".json")
            self.send_header("Content-Type", "application/feed+json" if json_feed else "text/xml")
        for name, value in headers:
            self.send_header(name.strip(), value.strip())
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _crawl_corpus_feeds(feeds: Path, feeds_index: list[dict]) -> list:
    entries = {e["file"]: e for e in feeds_index}
    handler = type("Handler", (_FeedFiles,), {"entries": entries, "folder": feeds})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    settings = Settings(
        allow_private_networks=True,
        per_host_delay_seconds=0,
        per_host_concurrency=8,
        respect_robots_txt=False,
        timeout_seconds=5,
    )

    async def crawl_all():
        async with Fetcher(settings) as fetcher:
            return await asyncio.gather(
                *(
                    crawl_source(fetcher, Source(e["file"], base + e["file"], "feed"), {}, None)
                    for e in feeds_index
                )
            )

    try:
        return asyncio.run(crawl_all())
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_every_corpus_feed_is_fetched_and_parsed_without_a_crash(corpus_dir, feeds_index):
    crawls = _crawl_corpus_feeds(corpus_dir / "feeds", feeds_index)

    assert len(crawls) == len(feeds_index) == 150
    crashed = [(c.source.name, c.error) for c in crawls if c.error and "internal" in c.error]
    assert crashed == []
    for crawl in crawls:
        [fetch] = crawl.fetches
        assert Outcome(fetch.outcome).as_stored == fetch.outcome, (crawl.source.name, fetch.outcome)
        assert (crawl.error is None) == (fetch.outcome == "ok"), crawl.source.name
    by_file = {c.source.name: c.feeds[0] for c in crawls}
    # The headers of the index were served, and seen by the crawler.
    assert by_file["wellformed/http/headers_etag.xml"].etag == "foo"
    assert by_file["encoding/bozo_http_text_plain.xml"].content_type == "text/plain"
    # Ill-formed, mis-encoded, entity-laden: all salvaged, except the one with no document.
    unread = {c.source.name: c.error for c in crawls if c.error}
    assert set(unread) == {"illformed/rss_empty_document.xml"}, unread
