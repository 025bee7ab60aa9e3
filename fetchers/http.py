"""Fetches URLs politely and defensively with one httpx client; every attempt is a FetchResult.

Politeness: robots.txt, at most `per_host_concurrency` requests in flight per host and
`per_host_delay_seconds` between request starts to one host. Defence: the SSRF guard
on every hop, bounded redirects, a deadline per request (a server trickling bytes is
cut off), bodies bounded while streaming (after decompression, so gzip bombs stop).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpx

from fetchers.content import acceptable, retry_after_seconds
from fetchers.guard import Resolver, check_public, system_resolver
from fetchers.robots import RobotsCache
from fetchers.urls import host_of
from newsflow.errors import FetchError
from newsflow.models import FetchResult, Settings

log = logging.getLogger(__name__)

MAX_RETRY_AFTER = 30.0  # seconds we are willing to wait for a 429/503 to clear
RETRIES_AFTER_THROTTLE = 2
RETRIES_AFTER_TRANSIENT = 1
TRANSIENT = {"timeout", "connect_error", "reset", "truncated", "server_error"}
REDIRECTS = {301, 302, 303, 307, 308}


class Fetcher:
    """One httpx client shared by every request of a run; use as an async context manager."""

    def __init__(self, settings: Settings, *, robots: RobotsCache | None = None,
                 resolver: Resolver | None = None, transport: httpx.AsyncBaseTransport | None = None,
                 max_connections: int = 32, backoff_seconds: float = 1.0):
        self.settings = settings
        self.robots = robots if robots is not None else RobotsCache()
        self.side_fetches: list[FetchResult] = []  # robots.txt requests, for `fetches` rows
        self._resolver = resolver or system_resolver
        self._transport = transport
        self._backoff = backoff_seconds
        self._all = asyncio.Semaphore(max_connections)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._host_locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._robots_locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._next_start: dict[str, float] = defaultdict(float)
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        self._client = httpx.AsyncClient(
            headers={"User-Agent": self.settings.user_agent},
            timeout=httpx.Timeout(self.settings.timeout_seconds),
            follow_redirects=False, transport=self._transport,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )
        return self

    async def __aexit__(self, *exc) -> None:
        await self._client.aclose()

    def take_side_fetches(self) -> list[FetchResult]:
        """Returns the robots.txt fetches made so far, and forgets them."""
        taken, self.side_fetches = self.side_fetches, []
        return taken

    async def get(self, url: str, *, source: str, kind: str, etag: str | None = None,
                  last_modified: str | None = None) -> FetchResult:
        """Returns the outcome of fetching url (retried when worth it); never raises."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            result = await self._attempt(url, source, kind, headers)
            wait = self._retry_wait(result, attempt)
            if wait is None:
                return result
            log.info("retrying %s in %.1fs after %s", url, wait, result.outcome)
            await asyncio.sleep(wait)
            attempt += 1

    def _retry_wait(self, result: FetchResult, attempt: int) -> float | None:
        if result.status in (429, 503) and result.retry_after is not None:
            if attempt < RETRIES_AFTER_THROTTLE and result.retry_after <= MAX_RETRY_AFTER:
                return result.retry_after
            return None
        if result.outcome in TRANSIENT and attempt < RETRIES_AFTER_TRANSIENT:
            return self._backoff * 2**attempt
        return None

    async def _attempt(self, url: str, source: str, kind: str, headers: dict) -> FetchResult:
        result = FetchResult(url=url, source=source, kind=kind, outcome="ok",
                             fetched_at=datetime.now(UTC))
        started = time.monotonic()
        try:
            await self._follow(url, kind, headers, result)
        except FetchError as exc:
            result.outcome, result.error = exc.outcome, exc.reason
        except (TimeoutError, httpx.TimeoutException):
            result.outcome = "timeout"
            result.error = f"no complete answer within {self.settings.timeout_seconds:g}s"
        except httpx.ConnectError as exc:
            result.outcome, result.error = "connect_error", str(exc) or type(exc).__name__
        except httpx.RemoteProtocolError as exc:
            result.outcome, result.error = "truncated", str(exc) or type(exc).__name__
        except (httpx.ReadError, httpx.WriteError) as exc:
            result.outcome, result.error = "reset", str(exc) or type(exc).__name__
        except httpx.DecodingError as exc:
            result.outcome, result.error = "decode_error", str(exc)
        except httpx.HTTPError as exc:
            result.outcome, result.error = "error", f"{type(exc).__name__}: {exc}"
        result.elapsed_ms = int((time.monotonic() - started) * 1000)
        if result.outcome not in ("ok", "not_modified"):
            result.body = b""
            log.warning("%s %s: %s %s", kind, url, result.outcome, result.error or "")
        return result

    async def _follow(self, url: str, kind: str, headers: dict, result: FetchResult) -> None:
        seen = {url}
        current = url
        for _ in range(self.settings.max_redirects + 1):
            await check_public(current, self._resolver, self.settings.allow_private_networks)
            if self.settings.respect_robots_txt and kind != "robots":
                await self._check_robots(current, result.source)
            location = await self._request(current, kind, headers, result)
            if location is None:
                result.final_url = current
                return
            current = urljoin(current, location)
            if current in seen:
                raise FetchError(url, f"redirect loop back to {current}", outcome="redirect_loop")
            seen.add(current)
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects",
                         outcome="too_many_redirects")

    async def _request(self, url: str, kind: str, headers: dict, result: FetchResult) -> str | None:
        """Fills result from one HTTP exchange; returns the redirect target, if any."""
        async with self._slot(url), asyncio.timeout(self.settings.timeout_seconds):
            async with self._client.stream("GET", url, headers=headers) as response:
                result.status = response.status_code
                if response.status_code in REDIRECTS and "location" in response.headers:
                    return response.headers["location"]
                result.content_type = response.headers.get("content-type", "")
                result.etag = response.headers.get("etag")
                result.last_modified = response.headers.get("last-modified")
                self._classify(response, kind, result)
                if result.outcome == "ok":
                    result.body = await self._read_bounded(response, url)
                    if not result.body.strip():
                        raise FetchError(url, "empty body", outcome="empty")
                    if not acceptable(kind, result.content_type, result.body, url):
                        raise FetchError(url, f"not a {kind}: content type "
                                         f"{result.content_type or 'missing'}",
                                         outcome="bad_content")
        return None

    def _classify(self, response: httpx.Response, kind: str, result: FetchResult) -> None:
        status = response.status_code
        if status == 304:
            result.outcome = "not_modified"
        elif status in (404, 410):
            result.outcome, result.error = "gone", f"HTTP {status}"
        elif status >= 500:
            result.outcome, result.error = "server_error", f"HTTP {status}"
        elif status >= 400:
            result.outcome, result.error = "http_error", f"HTTP {status}"
        elif status >= 300:
            result.outcome, result.error = "http_error", f"HTTP {status} without Location"
        if status in (429, 503):
            result.retry_after = retry_after_seconds(response.headers.get("retry-after"))
            result.outcome = "http_error" if status == 429 else result.outcome
        length = response.headers.get("content-length", "")
        if result.outcome == "ok" and length.isdigit() and int(length) > self.settings.max_page_bytes:
            raise FetchError(result.url, f"Content-Length {length} over max_page_bytes "
                             f"{self.settings.max_page_bytes}", outcome="too_large")

    async def _read_bounded(self, response: httpx.Response, url: str) -> bytes:
        # Counted after decompression: a small gzip that inflates without end stops here.
        limit, chunks, size = self.settings.max_page_bytes, [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(url, f"body over max_page_bytes {limit} (stopped while "
                                 "streaming)", outcome="too_large")
            chunks.append(chunk)
        return b"".join(chunks)

    @asynccontextmanager
    async def _slot(self, url: str):
        host = host_of(url)
        per_host = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host_concurrency))
        async with self._all, per_host:
            async with self._host_locks[host]:
                wait = self._next_start[host] - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next_start[host] = time.monotonic() + self.settings.per_host_delay_seconds
            yield

    async def _check_robots(self, url: str, source: str) -> None:
        robots_url = RobotsCache.robots_url(url)
        async with self._robots_locks[robots_url]:
            if not self.robots.fresh(robots_url):
                fetched = await self._attempt(robots_url, source, "robots", {})
                self.side_fetches.append(fetched)
                status = fetched.status if fetched.outcome in ("ok", "gone", "http_error",
                                                               "empty", "bad_content") else None
                self.robots.store(robots_url, status, fetched.body)
        if not self.robots.allowed(url, self.settings.user_agent):
            raise FetchError(url, f"disallowed by {robots_url}", outcome="robots_denied")
