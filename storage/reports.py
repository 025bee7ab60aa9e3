"""Typed reads for reports: what the run summary's chart, `newsflow sources` and the
analyst's commands show of the database.

A chart day is the article's publication date (UTC), or the day it was first seen when
the page gave no date. The window is the `days` days ending at the newest such day that
is not in the future, so a source's silence shows as a gap.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

import duckdb

DEFAULT_DAYS = 30

ARTICLES_PER_DAY_SQL = """
WITH dated AS (
    SELECT source,
           CAST(timezone('UTC', coalesce(published_at, first_seen_at)) AS DATE) AS day
    FROM articles
), window_end AS (
    SELECT max(day) AS last FROM dated WHERE day <= CAST(timezone('UTC', now()) AS DATE)
)
SELECT day, source, count(*) AS articles
FROM dated, window_end
WHERE day <= last AND day > last - CAST(? AS INTEGER)
GROUP BY day, source
ORDER BY day, source
"""


class DayCount(NamedTuple):
    """How many of a source's articles a chart day has."""

    day: date
    source: str
    articles: int


class SourceOverview(NamedTuple):
    """What `newsflow sources` shows of one source: its last fetch and its health."""

    fetched_at: datetime | None = None  # of its last fetch
    outcome: str | None = None  # of that fetch
    articles: int = 0
    failures: int = 0  # consecutive
    healthy: bool | None = None  # None: never run
    feed: str | None = None  # discovered for kind=auto
    error: str | None = None  # the last one
    attempt: datetime | None = None  # the last one
    gaps: int = 0  # runs that lost entries backfill could not recover
    last_gap_at: datetime | None = None


def articles_per_day(con: duckdb.DuckDBPyConnection, days: int = DEFAULT_DAYS) -> list[DayCount]:
    """Returns the articles of each day and source in the chart's window, oldest day first."""
    return [DayCount(*row) for row in con.execute(ARTICLES_PER_DAY_SQL, [days]).fetchall()]


def source_overview(con: duckdb.DuckDBPyConnection) -> dict[str, SourceOverview]:
    """Returns the overview of every source ever seen, by name."""
    return {row[0]: SourceOverview(*row[1:]) for row in con.execute(SOURCES_SQL).fetchall()}


def article_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Returns the sources that have articles, in alphabetical order."""
    return [r[0] for r in con.execute("SELECT DISTINCT source FROM articles ORDER BY 1").fetchall()]


def discovered_feeds(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Returns the feed earlier nights found for each `auto` source that has one."""
    return dict(
        con.execute(
            "SELECT source, discovered_feed FROM source_health WHERE discovered_feed IS NOT NULL"
        ).fetchall()
    )


SOURCES_SQL = """
SELECT s.source, f.fetched_at, f.outcome, coalesce(a.n, 0), h.consecutive_failures,
       h.healthy, h.discovered_feed, h.last_error, h.last_attempt_at, coalesce(h.gaps, 0),
       h.last_gap_at
FROM (SELECT DISTINCT source FROM fetches UNION SELECT source FROM source_health) s
LEFT JOIN (SELECT source, max(fetched_at) AS fetched_at, arg_max(outcome, fetched_at) AS outcome
           FROM fetches GROUP BY source) f USING (source)
LEFT JOIN (SELECT source, count(*) AS n FROM articles GROUP BY source) a USING (source)
LEFT JOIN source_health h USING (source)
"""
