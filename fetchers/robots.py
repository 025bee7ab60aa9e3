"""robots.txt per host (RFC 9309), cached across nights by the caller."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from protego import Protego

MAX_AGE = timedelta(hours=24)  # RFC 9309 lets a crawler cache robots.txt up to 24 hours


class RobotsCache:
    """robots.txt answers by robots URL: `entries` maps it to (fetched_at, status, body).

    Preloaded from storage and read back afterwards, so the file is asked at most
    once a day per host.
    """

    def __init__(self, entries: dict[str, tuple[datetime, int | None, bytes]] | None = None):
        self.entries = dict(entries or {})
        self._parsed: dict[str, Protego | bool] = {}

    @staticmethod
    def robots_url(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/robots.txt"

    def fresh(self, robots_url: str, now: datetime | None = None) -> bool:
        entry = self.entries.get(robots_url)
        now = now or datetime.now(UTC)
        return entry is not None and now - entry[0] < MAX_AGE

    def store(self, robots_url: str, status: int | None, body: bytes) -> None:
        self.entries[robots_url] = (datetime.now(UTC), status, body)
        self._parsed.pop(robots_url, None)

    def allowed(self, url: str, user_agent: str) -> bool:
        """Returns whether robots.txt lets user_agent fetch url (cached answer needed)."""
        robots_url = self.robots_url(url)
        rules = self._parsed.get(robots_url)
        if rules is None:
            rules = self._parse(robots_url)
            self._parsed[robots_url] = rules
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(url, user_agent)

    def _parse(self, robots_url: str) -> Protego | bool:
        _, status, body = self.entries.get(robots_url, (None, None, b""))
        if status is None or status >= 500:
            return False  # unreachable or server error: assume complete disallow (RFC 9309)
        if status >= 400:
            return True  # no robots.txt: everything allowed
        return Protego.parse(body.decode("utf-8", errors="replace"))
