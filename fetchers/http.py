"""Fetches URLs politely and defensively with one httpx client; every attempt is a FetchResult.

Politeness: robots.txt, at most `per_host_concurrency` requests in flight per host and
`per_host_delay_seconds` between request starts to one host. Defence: the SSRF guard
on every hop, bounded redirects, a deadline per exchange (a server trickling bytes is
cut off), bodies bounded while streaming (after decompression, so gzip bombs stop).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import defaultdict
from datetime import UTC, datetime
from urllib.parse import urldefrag, urljoin

import httpx

from fetchers.content import retry_after_seconds
from fetchers.guard import (
    BoundedDecoder,
    Resolver,
    check_public,
    content_problem,
    system_resolver,
)
from fetchers.pinning import HostSeparatedTransport, pin_to_address
from fetchers.robots import HostPacer, RobotsCache
from newsflow.credentials import Credentials, origin, split_userinfo
from newsflow.errors import FetchError
from newsflow.models import FetchResult, Settings
from newsflow.outcomes import Outcome

log = logging.getLogger(__name__)

MAX_RETRY_AFTER = 30.0  # seconds we are willing to wait for a 429/503 to clear
THROTTLE_RETRIES = 2
TRANSIENT_RETRIES = 1
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# A robots.txt that answered, even with nothing or an error, is the site's word on it.
ROBOTS_ANSWERS = frozenset({Outcome.OK, Outcome.EMPTY, Outcome.GONE, Outcome.HTTP_ERROR})
_HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
ACCEPT = {
    "page": _HTML,
    "home": _HTML,
    "feed": "application/rss+xml,application/atom+xml,application/feed+json,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1",
    "sitemap": "application/xml,text/xml;q=0.9,*/*;q=0.1",
    "robots": "text/plain,*/*;q=0.1",
}
ACCEPT["feed_page"] = ACCEPT["feed"]  # an older page of a feed (fetchers.backfill)
_EXCEPTION_OUTCOMES: tuple[tuple[tuple[type[BaseException], ...], Outcome], ...] = (
    ((TimeoutError, httpx.TimeoutException), Outcome.TIMEOUT),
    ((httpx.ConnectError, httpx.ProxyError), Outcome.CONNECT_ERROR),
    # RemoteProtocolError here: the server hung up before answering (in a body: `truncated`).
    (
        (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, ConnectionError),
        Outcome.RESET,
    ),
    ((httpx.DecodingError,), Outcome.DECODE_ERROR),
    ((httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError), Outcome.BAD_URL),
)


class Fetcher:
    """One httpx client shared by every request of a run; use as an async context manager."""

    def __init__(
        self,
        settings: Settings,
        *,
        robots: RobotsCache | None = None,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = 32,
        backoff_seconds: float = 1.0,
    ):
        self.settings = settings
        self.robots = robots if robots is not None else RobotsCache()
        self.side_fetches: list[FetchResult] = []  # robots.txt requests, for `fetches` rows
        self._resolver = resolver or system_resolver
        self._backoff = backoff_seconds
        self._pacer = HostPacer(
            settings.per_host_concurrency, settings.per_host_delay_seconds, max_connections
        )
        self._robots_locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._credentials: dict[tuple[str, str, int], Credentials] = {}
        self._client = httpx.AsyncClient(
            # Only encodings we inflate ourselves, within max_page_bytes.
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.timeout_seconds),
            follow_redirects=False,
            transport=transport or _separated_pools(max_connections),
            trust_env=False,  # configuration comes from Settings, never the environment
            limits=httpx.Limits(max_connections=max_connections),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self._client.aclose()

    def take_side_fetches(self) -> list[FetchResult]:
        """Returns the robots.txt fetches made so far, and forgets them."""
        taken, self.side_fetches = self.side_fetches, []
        return taken

    async def get_many(self, requests: list[tuple[str, dict]]) -> list[FetchResult]:
        """Returns one result per (url, `get` keyword arguments), in order, fetched concurrently."""
        return list(await asyncio.gather(*(self.get(url, **kwargs) for url, kwargs in requests)))

    async def get(
        self,
        url: str,
        *,
        source: str,
        kind: str,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """Returns the outcome of fetching url, retried when worth it; never raises for a
        network or HTTP problem (the outcome and `error` say what happened)."""
        url = self._without_userinfo(url)
        headers = {"Accept": accept or ACCEPT.get(kind, "*/*")}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for attempt in itertools.count():
            result = await self._attempt(url, source, kind, headers)
            wait = self._retry_wait(result, attempt)
            if wait is None:
                break
            await asyncio.sleep(wait)
        result.outcome = result.outcome.as_stored  # retries spent: a 5xx is an http_error
        if result.outcome is Outcome.NOT_MODIFIED:
            # A 304 need not repeat the validators; the ones we sent are still current.
            result.etag = result.etag or etag
            result.last_modified = result.last_modified or last_modified
        return result

    def authorise(self, url: str, credentials: Credentials) -> None:
        """Sends `credentials` (HTTP Basic) with every request to url's origin from now on."""
        self._credentials[origin(url)] = credentials

    def _without_userinfo(self, url: str) -> str:
        # A password in a URL is used, never kept: results, rows and logs get the bare URL.
        url, embedded = split_userinfo(url)
        if embedded is not None:
            self.authorise(url, embedded)
        return url

    def _auth(self, url: str) -> httpx.BasicAuth | None:
        credentials = self._credentials.get(origin(url))
        if credentials is None:
            return None
        return httpx.BasicAuth(credentials.username, credentials.password)

    def _retry_wait(self, result: FetchResult, attempt: int) -> float | None:
        """Returns the seconds to wait before the next attempt, or None to stop here."""
        if result.retry_after is not None:
            if attempt >= THROTTLE_RETRIES or result.retry_after > MAX_RETRY_AFTER:
                return None
            # The whole host is asked to wait, not only this request: the slot delays the retry.
            self._pacer.hold_off(result.final_url or result.url, result.retry_after)
            log.info("retrying %s after the %.1fs its server asked", result.url, result.retry_after)
            return 0.0
        if result.outcome.transient and attempt < TRANSIENT_RETRIES:
            wait = self._backoff * 2**attempt
            log.info("retrying %s in %.1fs after %s", result.url, wait, result.outcome)
            return wait
        return None

    async def _attempt(self, url: str, source: str, kind: str, headers: dict) -> FetchResult:
        """Returns the result of one try at url, redirects followed; never raises."""
        result = FetchResult(
            url=url, source=source, kind=kind, outcome=Outcome.OK, fetched_at=datetime.now(UTC)
        )
        started = time.monotonic()
        try:
            await self._follow(url, kind, headers, result)
        except FetchError as exc:
            result.outcome, result.error = exc.outcome, exc.reason
        except Exception as exc:  # one odd response must not end the batch it is in
            result.outcome, result.error = self._describe(exc, url)
        result.elapsed_ms = int((time.monotonic() - started) * 1000)
        if result.outcome.answered:
            log.debug("%s %s: %s in %d ms", kind, url, result.outcome, result.elapsed_ms)
        else:
            result.body = b""
            level = logging.INFO if kind == "robots" else logging.WARNING
            log.log(level, "%s %s: %s (%s)", kind, url, result.outcome, result.error)
        return result

    def _describe(self, exc: Exception, url: str) -> tuple[Outcome, str]:
        """Returns the outcome and error text for an exception raised while fetching url."""
        for types, outcome in _EXCEPTION_OUTCOMES:
            if isinstance(exc, types):
                if isinstance(exc, TimeoutError):
                    return outcome, f"no complete answer within {self.settings.timeout_seconds:g}s"
                # httpx wraps OS errors without a message: the cause has it.
                return outcome, str(exc) or str(exc.__context__ or "") or type(exc).__name__
        log.exception("unexpected error fetching %s", url)
        return Outcome.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}"

    async def _follow(self, url: str, kind: str, headers: dict, result: FetchResult) -> None:
        """Returns once the redirect chain from url ends; result holds its last answer."""
        seen: set[str] = set()
        current = url
        for _ in range(self.settings.max_redirects + 1):
            result.final_url = current
            seen.add(urldefrag(current).url)
            address = await check_public(
                current, self._resolver, self.settings.allow_private_networks
            )
            if self.settings.respect_robots_txt and kind != "robots":
                await self._check_robots(current, result.source)
            location = await self._exchange(current, kind, headers, result, address)
            if location is None:
                return
            current = self._without_userinfo(urljoin(current, location.strip()))
            if urldefrag(current).url in seen:
                raise FetchError(
                    url, f"redirect loop back to {current}", outcome=Outcome.REDIRECT_LOOP
                )
        raise FetchError(
            url,
            f"more than {self.settings.max_redirects} redirects",
            outcome=Outcome.TOO_MANY_REDIRECTS,
        )

    async def _exchange(
        self, url: str, kind: str, headers: dict, result: FetchResult, address: str | None
    ) -> str | None:
        """Returns the redirect target (None: none); fills result from one request/response.
        With `address`, the request goes there (the guard checked it), never to a new DNS
        answer for url's host."""
        target, extensions = url, {}
        if address is not None:
            pinned = pin_to_address(url, address)
            target, extensions = pinned.url, pinned.extensions
            headers = {**headers, **pinned.headers}
        async with (
            self._pacer.slot(url),
            asyncio.timeout(self.settings.timeout_seconds),
            self._client.stream(
                "GET", target, headers=headers, extensions=extensions, auth=self._auth(url)
            ) as response,
        ):
            result.status = response.status_code
            location = response.headers.get("location")
            if response.status_code in REDIRECTS and location:
                return location
            result.content_type = response.headers.get("content-type", "")
            result.etag = response.headers.get("etag")
            result.last_modified = response.headers.get("last-modified")
            self._classify(response, result)
            if result.outcome is Outcome.OK:
                result.body = await self._read_body(response, url)
                self._check_content(kind, result)
        return None

    def _classify(self, response: httpx.Response, result: FetchResult) -> None:
        """Sets result's outcome from the status; refuses a declared length over the limit."""
        status = response.status_code
        if status == 304:
            result.outcome = Outcome.NOT_MODIFIED
        elif status in (404, 410):
            result.outcome = Outcome.GONE
        elif status >= 500:
            result.outcome = Outcome.SERVER_ERROR  # becomes http_error once retries are spent
        elif status >= 300:
            result.outcome = Outcome.HTTP_ERROR
        if not result.outcome.answered:
            result.error = f"HTTP {status} {response.reason_phrase}".strip()
        if status in (429, 503):
            result.retry_after = retry_after_seconds(response.headers.get("retry-after"))
        length = response.headers.get("content-length", "")
        limit = self.settings.max_page_bytes
        if result.outcome is Outcome.OK and length.isdigit() and int(length) > limit:
            reason = f"Content-Length {length} over max_page_bytes {limit}"
            raise FetchError(result.url, reason, outcome=Outcome.TOO_LARGE)

    async def _read_body(self, response: httpx.Response, url: str) -> bytes:
        """Returns the decoded body; stops as soon as it grows past max_page_bytes."""
        limit, size, chunks = self.settings.max_page_bytes, 0, []
        decoder = BoundedDecoder(response.headers.get("content-encoding", ""), url)
        try:
            async for raw in response.aiter_raw():
                chunk = decoder.decode(raw, limit - size)
                size += len(chunk)
                if size > limit:
                    raise FetchError(url, f"body over max_page_bytes {limit} (stopped while "
                                     "streaming)", outcome=Outcome.TOO_LARGE)  # fmt: skip
                chunks.append(chunk)
        except httpx.RemoteProtocolError as exc:
            raise FetchError(url, f"body cut short: {exc}", outcome=Outcome.TRUNCATED) from None
        return b"".join(chunks)

    def _check_content(self, kind: str, result: FetchResult) -> None:
        """Raises FetchError (`empty`, `bad_content`) unless the body can be a `kind`."""
        if not result.body.strip():
            raise FetchError(result.url, "empty body", outcome=Outcome.EMPTY)
        problem = content_problem(kind, result.content_type, result.body)
        if problem:
            raise FetchError(result.url, problem, outcome=Outcome.BAD_CONTENT)

    async def _check_robots(self, url: str, source: str) -> None:
        """Returns when robots.txt allows url; raises FetchError `robots_denied` otherwise."""
        robots_url = RobotsCache.robots_url(url)
        async with self._robots_locks[robots_url]:
            if self.robots.needs_fetch(robots_url):
                fetched = await self.get(robots_url, source=source, kind="robots")
                self.side_fetches.append(fetched)
                answered = fetched.outcome in ROBOTS_ANSWERS
                self.robots.store(robots_url, fetched.status if answered else None, fetched.body)
            if not self.robots.is_parsed(robots_url):  # off the loop, as feeds are
                await asyncio.to_thread(self.robots.parse, robots_url)
        if not self.robots.allowed(url, self.settings.user_agent):
            raise FetchError(url, f"disallowed by {robots_url}", outcome=Outcome.ROBOTS_DENIED)


def _separated_pools(max_connections: int) -> HostSeparatedTransport:
    limits = httpx.Limits(max_connections=max_connections)
    tls = httpx.create_ssl_context()  # once: loading the CA bundle costs ~0.3 s of CPU
    return HostSeparatedTransport(lambda: httpx.AsyncHTTPTransport(verify=tls, limits=limits))
