"""Typed reads for reports: what the run summary's chart and `newsflow sources` show.

A chart day is the article's publication date (UTC), or the day it was first seen when
the page gave no date. The window is the `days` days ending at the newest such day that
is not in the future, so a source's silence shows as a gap.
"""

from __future__ import annotations

from datetime import date

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


def articles_per_day(
    con: duckdb.DuckDBPyConnection, days: int = DEFAULT_DAYS
) -> list[tuple[date, str, int]]:
    """Returns (day, source, articles) for the chart's window, oldest day first."""
    return [(d, s, n) for d, s, n in con.execute(ARTICLES_PER_DAY_SQL, [days]).fetchall()]


def source_overview(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """Returns {source: (last fetched_at, its outcome, articles, consecutive failures,
    healthy, discovered feed, last error, last attempt, read interval in seconds, next due,
    gaps, last gap)} for every source ever seen."""
    return {row[0]: row[1:] for row in con.execute(SOURCES_SQL).fetchall()}


SOURCES_SQL = """
SELECT s.source, f.fetched_at, f.outcome, coalesce(a.n, 0), h.consecutive_failures,
       h.healthy, h.discovered_feed, h.last_error, h.last_attempt_at, h.read_interval_seconds,
       h.next_due_at, coalesce(h.gaps, 0), h.last_gap_at
FROM (SELECT DISTINCT source FROM fetches UNION SELECT source FROM source_health) s
LEFT JOIN (SELECT source, max(fetched_at) AS fetched_at, arg_max(outcome, fetched_at) AS outcome
           FROM fetches GROUP BY source) f USING (source)
LEFT JOIN (SELECT source, count(*) AS n FROM articles GROUP BY source) a USING (source)
LEFT JOIN source_health h USING (source)
"""
