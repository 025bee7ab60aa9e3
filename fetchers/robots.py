"""What a polite crawler owes each host: obeying its robots.txt (RFC 9309, cached across
nights by the caller) and pacing its requests (`HostPacer`)."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from protego import Protego

from fetchers.urls import host_of

MAX_AGE = timedelta(hours=24)  # RFC 9309 lets a crawler cache robots.txt up to 24 hours
MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309: parse at least the first 500 KiB

Entry = tuple[datetime, int | None, bytes]


class RobotsCache:
    """robots.txt answers by robots URL: `entries` maps it to (fetched_at, status, body).

    Preloaded from storage (the `http_cache` table) and read back afterwards, so the file
    is asked at most once a day per host. `status` None means unreachable; an unreachable
    or 5xx answer disallows everything for this run only: the next run asks again.
    """

    def __init__(self, entries: dict[str, Entry] | None = None):
        self.entries: dict[str, Entry] = dict(entries or {})
        self._parsed: dict[str, Protego | bool] = {}
        self._asked: set[str] = set()  # robots URLs requested during this run

    @staticmethod
    def robots_url(url: str) -> str:
        """Returns the robots.txt URL that governs url."""
        return f"{urlsplit(url).scheme.lower()}://{host_of(url)}/robots.txt"

    def needs_fetch(self, robots_url: str, now: datetime | None = None) -> bool:
        """Returns whether robots_url must be requested: no answer this run, none fresh stored."""
        if robots_url in self._asked:
            return False
        entry = self.entries.get(robots_url)
        if entry is None or entry[1] is None or entry[1] >= 500 or entry[1] == 429:
            return True  # an outage is not remembered across runs
        fetched_at = entry[0] if entry[0].tzinfo else entry[0].replace(tzinfo=UTC)
        return (now or datetime.now(UTC)) - fetched_at >= MAX_AGE

    def store(self, robots_url: str, status: int | None, body: bytes) -> None:
        """Records this run's answer for robots_url (status None: unreachable)."""
        self.entries[robots_url] = (datetime.now(UTC), status, body[:MAX_ROBOTS_BYTES])
        self._asked.add(robots_url)
        self._parsed.pop(robots_url, None)

    def is_parsed(self, robots_url: str) -> bool:
        """Returns whether robots_url's answer is parsed already (`allowed` is then cheap)."""
        return robots_url in self._parsed

    def parse(self, robots_url: str) -> None:
        """Parses robots_url's stored answer (up to 500 KiB: callers run it in a thread)."""
        self._parsed[robots_url] = self._parse(robots_url)

    def allowed(self, url: str, user_agent: str) -> bool:
        """Returns whether robots.txt lets user_agent fetch url (no answer: disallowed)."""
        robots_url = self.robots_url(url)
        rules = self._parsed.get(robots_url)
        if rules is None:
            rules = self._parsed[robots_url] = self._parse(robots_url)
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(url, user_agent)

    def _parse(self, robots_url: str) -> Protego | bool:
        _, status, body = self.entries.get(robots_url, (None, None, b""))
        if status is None or status >= 500 or status == 429:
            return False  # unreachable, overloaded or broken: complete disallow (RFC 9309 2.3.1.4)
        if status >= 400:
            return True  # no robots.txt: everything allowed (RFC 9309 2.3.1.3)
        if status >= 300:
            return True  # redirects were followed; a leftover 3xx means no usable file
        return Protego.parse(body.decode("utf-8", errors="replace"))


class HostPacer:
    """Paces requests: at most `per_host` in flight and `delay` seconds between request
    starts to one host, at most `overall` in flight in all."""

    def __init__(self, per_host: int, delay: float, overall: int):
        self.per_host, self.delay = max(1, per_host), delay
        self._overall = asyncio.Semaphore(overall)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._next_start: dict[str, float] = defaultdict(float)

    def hold_off(self, url: str, seconds: float) -> None:
        """Delays the next request start to url's host by at least seconds (Retry-After)."""
        host = host_of(url)
        self._next_start[host] = max(self._next_start[host], time.monotonic() + seconds)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Yields once a request to url's host may start. The host's limits come first, the
        overall cap last, so requests queued for one busy host hold no slot others could use."""
        host = host_of(url)
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.per_host)
        async with self._hosts[host]:
            async with self._locks[host]:
                wait = self._next_start[host] - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                await self._overall.acquire()
                self._next_start[host] = time.monotonic() + self.delay
            try:
                yield
            finally:
                self._overall.release()
