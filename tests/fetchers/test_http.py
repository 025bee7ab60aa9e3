"""Fetcher against the fault server: every misbehaviour becomes an outcome, never an exception."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from fetchers.http import Fetcher
from fetchers.robots import RobotsCache
from newsflow.outcomes import Outcome
from tests.support.faultserver import CP1251, ETAG, FEED, HTML, LAST_MODIFIED, SJIS
from tests.support.fetching import BACKOFF, TEST_SETTINGS, fetch, settings

FAST = settings(timeout_seconds=1.0)


def test_ok_page_fills_every_field(server) -> None:
    before = datetime.now(UTC)
    result = fetch(server.url("/ok"))
    assert (result.outcome, result.status, result.body, result.error) == ("ok", 200, HTML, None)
    assert result.content_type == "text/html; charset=utf-8"
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    assert result.final_url == result.url == server.url("/ok")
    assert result.fetched_at.tzinfo is UTC and result.fetched_at >= before
    assert result.source == "test" and result.kind == "page"


def test_elapsed_ms_is_the_time_the_server_took(server) -> None:
    # The server answers after 300 ms: the fetch measured at least that, and less than
    # the timeout (it was not, say, counted from when the fetcher was made).
    result = fetch(server.url("/sleep?s=0.3"))
    assert result.outcome == "ok"
    assert 300 <= result.elapsed_ms < TEST_SETTINGS.timeout_seconds * 1000


def test_request_headers(server) -> None:
    result = fetch(server.url("/headers"), kind="feed", etag='"e"', last_modified=LAST_MODIFIED)
    sent = {k.lower(): v for k, v in json.loads(result.body).items()}
    assert sent["user-agent"] == TEST_SETTINGS.user_agent
    assert sent["if-none-match"] == '"e"' and sent["if-modified-since"] == LAST_MODIFIED
    assert sent["accept"].startswith("application/rss+xml")
    assert sent["accept-encoding"] == "gzip, deflate"  # only what we can inflate within bounds
    custom = fetch(server.url("/headers"), kind="feed", accept="application/json")
    assert json.loads(custom.body)["Accept"] == "application/json"


@pytest.mark.parametrize(
    "validators", [{"etag": ETAG}, {"last_modified": LAST_MODIFIED}], ids=["etag", "date"]
)
def test_conditional_get_not_modified(server, validators: dict) -> None:
    result = fetch(server.url("/conditional"), **validators)
    assert (result.outcome, result.status, result.body) == ("not_modified", 304, b"")
    assert result.etag == ETAG  # kept for the next night's conditional GET


def test_conditional_get_changed(server) -> None:
    result = fetch(server.url("/conditional"), etag='"old"')
    assert (result.outcome, result.body, result.etag) == ("ok", HTML, ETAG)


@pytest.mark.parametrize("code", [404, 410])
def test_gone_is_never_retried(server, code: int) -> None:
    result = fetch(server.url(f"/status/{code}"))
    assert (result.outcome, result.status) == ("gone", code)
    assert len(server.hits_of(f"/status/{code}")) == 1


def test_server_error_retried_once_then_http_error(server) -> None:
    result = fetch(server.url("/status/500"))
    assert (result.outcome, result.status, result.body) == ("http_error", 500, b"")
    assert "500" in result.error
    assert len(server.hits_of("/status/500")) == 2


def test_503_retry_after_is_honoured_then_ok(server) -> None:
    result = fetch(server.url("/flaky-503"))
    assert (result.outcome, result.body) == ("ok", HTML)
    first, second = server.hits_of("/flaky-503")
    assert second.started - first.started >= 0.95  # Retry-After: 1


def test_429_retried_at_most_twice_then_http_error(server) -> None:
    past = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    result = fetch(server.url(f"/throttle?after={past}"))  # an HTTP date: no wait
    assert (result.outcome, result.status, result.retry_after) == ("http_error", 429, 0.0)
    assert len(server.hits_of("/throttle")) == 3


def test_long_retry_after_is_not_waited_for(server) -> None:
    result = fetch(server.url("/throttle?after=3600"))
    assert (result.outcome, result.retry_after) == ("http_error", 3600.0)
    assert len(server.hits_of("/throttle")) == 1


def test_redirect_chain_followed(server) -> None:
    result = fetch(server.url("/redirect/chain/3"))
    assert (result.outcome, result.body) == ("ok", HTML)
    assert result.final_url == server.url("/ok") and result.url == server.url("/redirect/chain/3")


def test_too_many_redirects(server) -> None:
    result = fetch(server.url("/redirect/chain/3"), config=settings(max_redirects=2))
    assert result.outcome == "too_many_redirects"
    assert server.hits_of("/ok") == [] and len(server.hits) == 3


def test_redirect_loop(server) -> None:
    result = fetch(server.url("/redirect/loop-a"))
    assert result.outcome == "redirect_loop" and "loop-a" in result.error
    assert len(server.hits) == 2


@pytest.mark.parametrize("path", ["/slow", "/slow?every=0.3", "/hang"])
def test_deadline_cuts_slow_and_silent_servers(server, path: str) -> None:
    # Every 0.3 s a byte comes, so no read times out: only the per-request deadline ends it.
    result = fetch(server.url(path), config=FAST)
    assert (result.outcome, result.body) == ("timeout", b"")
    assert result.elapsed_ms < 1600
    assert len(server.hits_of(path)) == 2  # a timeout is retried once


@pytest.mark.parametrize(
    ("path", "outcome"),
    [("/reset", "reset"), ("/close", "reset"), ("/truncated", "truncated")],
)
def test_broken_connections(server, path: str, outcome: str) -> None:
    result = fetch(server.url(path))
    assert (result.outcome, result.body) == (outcome, b"")
    assert result.error
    assert len(server.hits_of(path)) == 2


def test_connect_error(server) -> None:
    server.__exit__(None, None, None)  # nothing listens on the port any more
    result = fetch(server.url("/ok"))
    assert result.outcome == "connect_error"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/huge", "while streaming"),
        ("/huge-declared", "Content-Length"),
        ("/gzip-bomb", "while streaming"),
    ],
)
def test_too_large_bodies_are_dropped(server, path: str, reason: str) -> None:
    result = fetch(server.url(path))
    assert (result.outcome, result.body) == ("too_large", b"")
    assert reason in result.error


@pytest.mark.parametrize("path", ["/gzip-ok", "/deflate-raw"])
def test_compressed_bodies_are_decoded(server, path: str) -> None:
    assert fetch(server.url(path)).body == HTML


def test_bad_gzip_is_a_decode_error(server) -> None:
    assert fetch(server.url("/bad-gzip")).outcome == "decode_error"


@pytest.mark.parametrize(
    ("path", "kind", "reason"),
    [
        ("/pdf", "page", "PDF"),
        ("/pdf-as-html", "page", "PDF"),
        ("/png", "page", "image/png"),
        ("/binary", "page", "binary"),
        ("/html-binary", "page", "binary"),
        ("/binary", "feed", "binary"),
        ("/feed.xml", "page", "application/rss+xml"),
    ],
)
def test_bad_content(server, path: str, kind: str, reason: str) -> None:
    result = fetch(server.url(path), kind=kind)
    assert (result.outcome, result.body) == ("bad_content", b"")
    assert reason in result.error


@pytest.mark.parametrize(
    ("path", "kind", "body"),
    [("/no-type-html", "page", HTML), ("/feed.xml", "feed", FEED), ("/feed-octet", "feed", FEED)],
)
def test_sniffed_content_accepted(server, path: str, kind: str, body: bytes) -> None:
    assert fetch(server.url(path), kind=kind).body == body


def test_empty_body(server) -> None:
    result = fetch(server.url("/empty"))
    assert (result.outcome, result.status) == ("empty", 200)


@pytest.mark.parametrize(("path", "raw"), [("/legacy/cp1251", CP1251), ("/legacy/sjis", SJIS)])
def test_legacy_encodings_kept_as_raw_bytes(server, path: str, raw: bytes) -> None:
    # Decoding is the extractor's job (from the meta charset): the bytes arrive untouched.
    result = fetch(server.url(path))
    assert (result.outcome, result.body, result.content_type) == ("ok", raw, "text/html")


@pytest.mark.parametrize(
    ("url", "outcome"),
    [
        ("http://[::1/", "bad_url"),
        ("http://127.0.0.1:99999/", "bad_url"),
        ("http://127.0.0.1:1/\x00", "bad_url"),
        ("ftp://example.com/", "blocked_private"),
        ("not a url", "blocked_private"),
        ("", "blocked_private"),
    ],
)
def test_bad_urls_are_outcomes(url: str, outcome: str) -> None:
    result = fetch(url)
    assert result.outcome == outcome and result.error


def test_outcomes_are_from_the_documented_set(server) -> None:
    paths = ["/ok", "/status/404", "/reset", "/pdf", "/empty", "/truncated", "/huge"]
    for path in paths:
        outcome = fetch(server.url(path)).outcome
        assert Outcome(outcome).as_stored == outcome


def run_many(config, requests, **options):
    async def run():
        async with Fetcher(config, backoff_seconds=BACKOFF, **options) as fetcher:
            return await fetcher.get_many(requests), fetcher

    return asyncio.run(run())


def page(url: str) -> tuple[str, dict]:
    return url, {"source": "test", "kind": "page"}


def test_get_many_keeps_order(server) -> None:
    paths = ["/status/404", "/ok", "/pdf", "/empty", "/gzip-ok"]
    results, _ = run_many(TEST_SETTINGS, [page(server.url(p)) for p in paths])
    assert [r.url for r in results] == [server.url(p) for p in paths]
    assert [r.outcome for r in results] == ["gone", "ok", "bad_content", "empty", "ok"]


def test_every_corpus_page_arrives_intact(server, corpus_dir, pages_index) -> None:
    # Real pages (odd doctypes, BOMs, legacy charsets) must pass the content checks untouched.
    server.corpus = corpus_dir
    config = settings(max_page_bytes=5_000_000)
    urls = [server.url(f"/corpus/{entry['file']}") for entry in pages_index]
    results, _ = run_many(config, [page(url) for url in urls])
    failed = {r.url: r.error for r in results if r.outcome != "ok"}
    assert failed == {}
    for entry, result in zip(pages_index, results, strict=True):
        assert result.body == (corpus_dir / "pages" / entry["file"]).read_bytes()


def test_delay_between_starts_to_one_host(server) -> None:
    config = settings(per_host_delay_seconds=0.3, per_host_concurrency=4)
    run_many(config, [page(server.url(f"/ok?n={i}")) for i in range(4)])
    starts = sorted(h.started for h in server.hits)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert len(starts) == 4 and min(gaps) >= 0.25  # server-side clocks add some jitter
    assert starts[-1] - starts[0] >= 0.88


def test_concurrency_per_host(server) -> None:
    config = settings(per_host_concurrency=1)
    run_many(config, [page(server.url(f"/sleep?s=0.2&n={i}")) for i in range(3)])
    spans = sorted((h.started, h.ended) for h in server.hits)
    pairs = zip(spans, spans[1:], strict=False)
    assert len(spans) == 3 and all(later[0] >= earlier[1] - 0.01 for earlier, later in pairs)


def test_different_hosts_run_in_parallel(server) -> None:
    config = settings(per_host_concurrency=1, per_host_delay_seconds=5.0)
    hosts = ["127.0.0.1", "localhost"]
    run_many(config, [page(server.url("/sleep?s=0.5", host=h)) for h in hosts])
    (a_start, a_end), (b_start, b_end) = sorted((h.started, h.ended) for h in server.hits)
    assert b_start < a_end  # overlapping: neither host waited for the other's delay


def robots_run(server, paths, cache=None, robots=None):
    if robots:
        server.robots = robots
    config = settings(respect_robots_txt=True)
    cache = cache if cache is not None else RobotsCache()
    results, fetcher = run_many(config, [page(server.url(p)) for p in paths], robots=cache)
    return results, fetcher.take_side_fetches(), cache


def test_robots_disallowed_path_is_never_requested(server) -> None:
    results, side, cache = robots_run(server, ["/private/x", "/ok", "/private/y"])
    assert [r.outcome for r in results] == ["robots_denied", "ok", "robots_denied"]
    assert server.hits_of("/private/x") == [] and server.hits_of("/private/y") == []
    assert len(server.hits_of("/robots.txt")) == 1  # asked once for the host
    assert [(f.kind, f.outcome) for f in side] == [("robots", "ok")]
    robots_url = server.url("/robots.txt")
    assert cache.entries[robots_url][1:] == (200, server.robots[1])


def test_robots_fresh_cache_is_reused_without_a_request(server) -> None:
    robots_url = server.url("/robots.txt")
    fresh = RobotsCache({robots_url: (datetime.now(UTC) - timedelta(hours=23), 200, b"")})
    results, side, _ = robots_run(server, ["/private/x"], cache=fresh)
    assert results[0].outcome == "ok" and side == []  # the cached file allows everything
    assert server.hits_of("/robots.txt") == []


def test_robots_stale_cache_is_fetched_again(server) -> None:
    robots_url = server.url("/robots.txt")
    naive = datetime.now() - timedelta(hours=25)  # naive, as a store may give it back
    stale = RobotsCache({robots_url: (naive, 200, b"")})
    results, _, _ = robots_run(server, ["/private/x"], cache=stale)
    assert results[0].outcome == "robots_denied"
    assert len(server.hits_of("/robots.txt")) == 1


def test_robots_server_error_disallows_all_for_this_run_only(server) -> None:
    results, side, cache = robots_run(server, ["/ok", "/feed.xml"], robots=(500, b"oops"))
    assert [r.outcome for r in results] == ["robots_denied", "robots_denied"]
    assert server.hits_of("/ok") == [] and len(server.hits_of("/robots.txt")) == 2  # 1 retry
    robots_url = server.url("/robots.txt")
    assert cache.entries[robots_url][1] == 500 and side[0].outcome == "http_error"
    assert RobotsCache(cache.entries).needs_fetch(robots_url)  # next run asks again


def test_robots_missing_allows_all(server) -> None:
    results, _, cache = robots_run(server, ["/private/x"], robots=(404, b"nope"))
    assert results[0].outcome == "ok"
    assert not cache.needs_fetch(server.url("/robots.txt"))


def test_robots_rules_for_our_user_agent() -> None:
    body = b"User-agent: newsflow-test\nDisallow: /mine\n\nUser-agent: *\nDisallow: /all\n"
    cache = RobotsCache({"https://x.example/robots.txt": (datetime.now(UTC), 200, body)})
    assert not cache.allowed("https://x.example/mine/1", TEST_SETTINGS.user_agent)
    assert cache.allowed("https://x.example/all/1", TEST_SETTINGS.user_agent)
    assert not cache.allowed("https://x.example/all/1", "someone-else")
    assert not cache.allowed("https://other.example/", "ua")  # no answer yet: not allowed
    assert RobotsCache.robots_url("HTTPS://X.example:443/a?b") == "https://x.example/robots.txt"
