"""The loopback web of bench/coverage.py: 54 busy sites (tests/support/busy_site.py), each
on its own port, and the publishing timeline they replay, the same for every strategy.

Nine rates, from a post a month to 300 a day, times six shapes (a feed alone, each kind of
feed paging, a sitemap named by robots.txt with `lastmod`, a news sitemap); feed windows
10 to 50. Busy sites publish more by day than by night (1.6 times their mean at noon UTC,
0.4 at midnight), as news sites do. A seeded random timeline: every run replays it alike.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.support.busy_site import BusySite, SiteShape

RATES_PER_DAY = (1 / 30, 1 / 7, 1, 4, 12, 30, 80, 150, 300)
WINDOWS = (10, 20, 25, 50, 10, 20, 25, 50, 10)  # by rate: the busiest shows only 10
SHAPES = (
    ("none", "none"),
    ("wordpress", "none"),
    ("blogger", "none"),
    ("rfc5005", "none"),
    ("none", "robots"),
    ("none", "news"),
)
HISTORY_POSTS = 60  # published before the first run: a full window, and more behind it
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # the first run: a Monday, 02:00 UTC


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """One site of the web: its name, shape, window and mean posts a day."""

    name: str
    paging: str
    sitemap: str
    window: int
    per_day: float

    @property
    def feed_only(self) -> bool:
        return self.paging == "none" and self.sitemap == "none"


def site_specs() -> list[SiteSpec]:
    """Returns the 54 sites: every rate with every shape."""
    return [
        SiteSpec(f"r{r}-{p}-{m}", p, m, WINDOWS[r], rate)
        for r, rate in enumerate(RATES_PER_DAY)
        for p, m in SHAPES
    ]


def timeline(spec: SiteSpec, days: int, seed: int) -> list[datetime]:
    """Returns when the site publishes during the `days` after START, oldest first: a
    Poisson process at its rate, thinned by the hour of the day."""
    rng = random.Random(f"{seed}-{spec.name}")
    peak = spec.per_day * 1.6 / 24  # posts an hour at noon
    at, end, times = START, START + timedelta(days=days), []
    while True:
        at += timedelta(hours=rng.expovariate(peak))
        if at > end:
            return times
        hour = at.hour + at.minute / 60
        if rng.random() < (1 + 0.6 * math.sin(2 * math.pi * (hour - 6) / 24)) / 1.6:
            times.append(at)


def history(spec: SiteSpec) -> list[datetime]:
    """Returns the dates of the posts the site had before START, at its mean rate."""
    every = timedelta(days=1 / spec.per_day)
    return [START - every * (HISTORY_POSTS - i) for i in range(HISTORY_POSTS)]


class Web:
    """The sites served, and their timelines replayed up to a moment the bench sets."""

    def __init__(self, days: int, seed: int):
        self.specs = site_specs()
        self.sites = {
            s.name: BusySite(s.name, SiteShape(paging=s.paging, sitemap=s.sitemap, window=s.window),
                             seed=i)
            for i, s in enumerate(self.specs)
        }  # fmt: skip
        self.pending = {s.name: timeline(s, days, seed) for s in self.specs}
        self.published: dict[str, list[datetime]] = {s.name: [] for s in self.specs}
        self.published_until: list[datetime] = []  # the moments publish_until was called

    def __enter__(self) -> Web:
        for spec in self.specs:
            site = self.sites[spec.name].__enter__()
            for when in history(spec):
                site.publish(1, at=when)
        return self

    def __exit__(self, *exc) -> None:
        for site in self.sites.values():
            site.__exit__(*exc)

    def publish_until(self, now: datetime) -> None:
        """Publishes every post of the timeline dated at or before `now`."""
        self.published_until.append(now)
        for name, pending in self.pending.items():
            while pending and pending[0] <= now:
                self.sites[name].publish(1, at=pending[0])
                self.published[name].append(pending.pop(0))

    def requests(self) -> int:
        """Returns how many requests the sites have answered so far."""
        return sum(len(site.requests) for site in self.sites.values())

    def urls_published(self, name: str, until: datetime) -> set[str]:
        """Returns the URLs of the posts the site published after START up to `until`."""
        site = self.sites[name]
        return {site.url_of(p) for p in site.posts if START < p.published <= until}
