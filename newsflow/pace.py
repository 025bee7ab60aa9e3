"""When a source should next be read: before its feed's window rolls over.

A feed shows its latest N entries. A source publishing r entries an hour fills that
window in N / r hours, after which what it published first is gone from the feed unseen.
Reading again at about half that time leaves room for a burst; the interval is kept
between `[settings] min_interval_minutes` and `max_interval_days`.

Two things tell how long the window lasts, and neither alone can be trusted:

- how many of the window's entries were new since the last read, and how long ago that
  read was (ground truth about the site, but noisy: one or two new posts at night say
  little about the day);
- the entries' own dates (the whole window's span, so steadier; but some feeds date
  every entry with the time of the request, or in the future).

A feed that pages back need not be read before its window rolls over, only before what a
walk back can reach does (`reach`): what rolled off is walked back at the next read.

So a read that found something new takes the shorter of the two (dates that lie make
the source read often, never lose it), and a read that found nothing new trusts the
count alone (a feed whose dates lie is not read every 15 minutes for ever).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# A source read once, with nothing to go on (no dates): read again after a day, as the
# nightly run did before any source had a pace of its own.
FIRST_GUESS = timedelta(days=1)
# Every entry new since the last read: the window lasted at most that long, maybe much
# less. Shrinking by this much a read finds a busy source's pace in a few reads.
ROLLED_OVER_SHRINK = 4
# Nothing new since the last read (or a 304, which does not say how big the window is):
# the window lasts at least this many times that long, so each quiet read at least
# doubles the wait.
QUIET_GROWTH = 4


@dataclass(frozen=True, slots=True)
class PaceBounds:
    """The shortest and longest time between two reads of one source."""

    shortest: timedelta = timedelta(minutes=15)
    longest: timedelta = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Reading:
    """What one read of a source showed: its window of entries, as of `at`.

    `entries` is how many links the window held, `new` how many of them were not stored
    before, `dates` the entries' publication (else update) dates the feed gave, and
    `since` the last successful read before this one (None on a first read).
    `not_modified`: the feed answered 304, so nothing is new and its size is unknown.
    """

    at: datetime
    entries: int = 0
    new: int = 0
    dates: tuple[datetime, ...] = ()
    since: datetime | None = None
    not_modified: bool = False
    # How many windows the site lets a walk back reach: 1 for a feed alone; a feed that
    # pages back, 1 + the pages a gap's walk may read (backfill_max_pages).
    reach: float = 1.0


def window_lasts(reading: Reading) -> timedelta | None:
    """Returns how long the source takes to fill its window, as this read shows it;
    None when the read tells nothing (a first read without dates)."""
    counted = counted_window(reading)
    if counted is not None and (reading.new == 0 or reading.not_modified):
        return counted
    dated = dated_window(reading)
    if counted is None or dated is None:
        return dated if counted is None else counted
    return min(counted, dated)


def counted_window(reading: Reading) -> timedelta | None:
    """Returns the window's lifetime from how much of it was new since the last read."""
    if reading.since is None or reading.at <= reading.since:
        return None
    elapsed = reading.at - reading.since
    if reading.not_modified or reading.new == 0:
        # Nothing in `elapsed`: the window lasts at least `entries` times that long.
        return elapsed * max(reading.entries, QUIET_GROWTH)
    if reading.new >= reading.entries:
        return elapsed / ROLLED_OVER_SHRINK
    return elapsed * reading.entries / reading.new


def dated_window(reading: Reading) -> timedelta | None:
    """Returns the window's lifetime from its entries' dates: from the oldest to now,
    scaled to the whole window when some entries carry no date, or as the newest half of
    them says if that is shorter (a site busier now than the window's start: the morning
    of a news site). Dates in the future are not believed; fewer than two tell nothing."""
    past = sorted((d for d in reading.dates if d <= reading.at), reverse=True)
    if len(past) < 2:
        return None
    window = max(reading.entries, len(past))
    half = past[: max(len(past) // 2, 2)]
    return min((reading.at - dates[-1]) * window / len(dates) for dates in (past, half))


def read_interval(reading: Reading, bounds: PaceBounds) -> timedelta:
    """Returns how long to wait before reading the source again: half its window's
    lifetime, within `bounds`."""
    lasts = window_lasts(reading)
    wait = FIRST_GUESS if lasts is None else lasts * reading.reach / 2
    return min(max(wait, bounds.shortest), bounds.longest)


def next_due(reading: Reading, bounds: PaceBounds) -> datetime:
    """Returns when the source should next be read, after the read `reading` describes."""
    return reading.at + read_interval(reading, bounds)


def later(*moments: datetime | None) -> datetime | None:
    """Returns the latest of the moments given (None ones left out); None when all are.
    A source waits for both its pace and its health back-off: the later one wins."""
    known = [m for m in moments if m is not None]
    return max(known) if known else None
