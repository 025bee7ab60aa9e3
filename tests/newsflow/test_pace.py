"""Each source at its own pace: hand-made histories of reads, and the interval they give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsflow.pace import FIRST_GUESS, PaceBounds, Reading, later, next_due, read_interval

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
BOUNDS = PaceBounds(shortest=timedelta(minutes=15), longest=timedelta(days=7))
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def _dated(every: timedelta, n: int) -> tuple[datetime, ...]:
    """Returns n entry dates, the newest an `every` ago, one each `every` before that."""
    return tuple(NOW - every * (i + 1) for i in range(n))


def test_a_busy_site_s_first_read_is_timed_by_its_entries_dates():
    # 300 posts a day, a window of 20: the window lasts ~1.6 hours; read in ~48 minutes.
    reading = Reading(at=NOW, entries=20, new=20, dates=_dated(DAY / 300, 20))
    assert read_interval(reading, BOUNDS) == pytest.approx(
        DAY / 300 * 20 / 2, abs=timedelta(seconds=1)
    )
    assert read_interval(reading, BOUNDS) < timedelta(hours=1)


def test_a_blog_posting_monthly_is_read_weekly_at_most():
    reading = Reading(at=NOW, entries=10, new=10, dates=_dated(30 * DAY, 10))
    assert read_interval(reading, BOUNDS) == BOUNDS.longest


def test_a_first_read_without_dates_waits_a_day():
    reading = Reading(at=NOW, entries=25, new=25)
    assert read_interval(reading, BOUNDS) == FIRST_GUESS


def test_the_share_of_the_window_that_is_new_sets_the_pace():
    # 5 of 20 new in 4 hours: the window lasts 16 hours; read again in 8.
    reading = Reading(at=NOW, entries=20, new=5, since=NOW - 4 * HOUR)
    assert read_interval(reading, BOUNDS) == 8 * HOUR


def test_the_count_wins_over_dates_that_lie():
    # Every entry dated with the time of the request, yet nothing new in a day.
    reading = Reading(at=NOW, entries=10, new=0, dates=(NOW,) * 10, since=NOW - DAY)
    assert read_interval(reading, BOUNDS) == 5 * DAY


def test_dates_in_the_future_are_not_believed():
    future = tuple(NOW + timedelta(days=i) for i in range(1, 10))
    reading = Reading(at=NOW, entries=10, new=10, dates=future)
    assert read_interval(reading, BOUNDS) == FIRST_GUESS


def test_a_window_all_new_since_the_last_read_is_read_much_sooner():
    reading = Reading(at=NOW, entries=10, new=10, since=NOW - 8 * HOUR)
    assert read_interval(reading, BOUNDS) == HOUR  # 8 hours / 4, halved


def test_nothing_new_lengthens_the_wait_even_on_a_304():
    quiet = Reading(at=NOW, since=NOW - 2 * HOUR, not_modified=True)
    assert read_interval(quiet, BOUNDS) == 4 * HOUR  # twice as long at least
    # Read after that, still nothing: the wait keeps growing until the bound.
    history, at, since = [], NOW, NOW - 2 * HOUR
    for _ in range(12):
        wait = read_interval(Reading(at=at, since=since, not_modified=True), BOUNDS)
        history.append(wait)
        since, at = at, at + wait
    assert history == sorted(history) and history[-1] == BOUNDS.longest


def test_a_steady_site_settles_on_half_its_window():
    # 2 posts an hour, a window of 20 (10 hours): simulated reads settle near 5 hours.
    at, since, wait = NOW, None, None
    for _ in range(8):
        new = 20 if since is None else min(20, round((at - since) / HOUR * 2))
        reading = Reading(at=at, entries=20, new=new, dates=_dated(HOUR / 2, 20), since=since)
        wait = read_interval(reading, BOUNDS)
        since, at = at, at + wait
    assert wait == 5 * HOUR


def test_bounds_are_kept_on_both_sides():
    burst = Reading(at=NOW, entries=50, new=50, dates=(NOW - timedelta(seconds=1),) * 50)
    assert read_interval(burst, BOUNDS) == BOUNDS.shortest
    tight = PaceBounds(shortest=HOUR, longest=2 * HOUR)
    assert read_interval(Reading(at=NOW, entries=5, new=5), tight) == 2 * HOUR


def test_next_due_counts_from_the_read_and_the_later_time_wins():
    reading = Reading(at=NOW, entries=20, new=5, since=NOW - 4 * HOUR)
    assert next_due(reading, BOUNDS) == NOW + 8 * HOUR
    backoff = NOW + 2 * DAY
    assert later(next_due(reading, BOUNDS), backoff) == backoff
    assert later(None, NOW) == NOW and later(None, None) is None


def test_a_count_of_one_at_night_does_not_outweigh_the_window_s_dates():
    # 30 posts a day, a window of 20 spanning 16 hours; one new post in the last 2 hours
    # of the night. The count alone says 40 hours; the dates say 16: read in 8.
    reading = Reading(
        at=NOW, entries=20, new=1, dates=_dated(48 * timedelta(minutes=1), 20), since=NOW - 2 * HOUR
    )
    assert read_interval(reading, BOUNDS) == pytest.approx(8 * HOUR, abs=timedelta(minutes=1))


def test_a_site_busier_now_than_at_its_window_s_start_is_read_sooner():
    # The window's older half a post an hour, its newer half four an hour (a morning).
    dates = _dated(HOUR / 4, 10) + tuple(NOW - 2.5 * HOUR - HOUR * i for i in range(1, 11))
    reading = Reading(at=NOW, entries=20, new=20, dates=dates)
    steady = Reading(at=NOW, entries=20, new=20, dates=_dated(HOUR, 20))
    assert read_interval(reading, BOUNDS) < read_interval(steady, BOUNDS) / 3


def test_a_feed_that_pages_back_is_read_before_what_a_walk_reaches_rolls_over():
    reading = Reading(at=NOW, entries=20, new=5, since=NOW - 4 * HOUR)
    assert read_interval(reading, BOUNDS) == 8 * HOUR
    paged = Reading(at=NOW, entries=20, new=5, since=NOW - 4 * HOUR, reach=3)
    assert read_interval(paged, BOUNDS) == 24 * HOUR  # three windows' worth, halved
