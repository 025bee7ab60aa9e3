"""Notices when a site changes its layout: per source, the last run's extracted text
against its recent runs, in SQL over what the nights already keep (`fetches` for the
pages that failed extraction, `article_versions` for the text each run stored). No state
of its own: `source_status.extraction_alert` is this query, and the run summary lists it.

A redesign rarely breaks a fetch; it breaks extraction quietly: the story's element is
renamed, and newsflow stores a teaser, a cookie notice or nothing. Two signs, each
against the source's own usual: the median length of the texts stored halves, or the
share of pages whose extraction failed jumps.
"""

from __future__ import annotations

import duckdb

RECENT_RUNS = 10  # earlier runs with pages that make a source's usual
MIN_RUNS = 3  # fewer earlier runs than this: no usual to compare with yet
LENGTH_DROP = 0.5  # the last run's median text length under this share of the usual
MIN_FAILED = 2  # failed pages in the last run, at least, for a jump
FAILURE_RATE = 0.5  # and at least this share of its pages
FAILURE_JUMP = 0.25  # and this much above the usual share

# One row per source with pages in at least one run: `extraction_alert` NULL when fine.
ALERTS_CTE = f"""
page_runs AS (
    SELECT source, run_id, min(fetched_at) AS run_at,
           count(*) FILTER (outcome = 'extract_error') AS extract_failed,
           count(*) FILTER (outcome IN ('ok', 'extract_error')) AS pages
    FROM fetches WHERE kind = 'page' GROUP BY source, run_id
), stored_lengths AS (
    SELECT a.source, v.run_id, median(length(v.text)) AS median_chars
    FROM article_versions v JOIN articles a USING (url) GROUP BY a.source, v.run_id
), ranked AS (
    SELECT p.*, l.median_chars,
           row_number() OVER (PARTITION BY p.source ORDER BY p.run_at DESC) AS n
    FROM page_runs p LEFT JOIN stored_lengths l USING (source, run_id)
    WHERE p.pages > 0
), judged AS (
    SELECT source,
           any_value(median_chars) FILTER (n = 1) AS last_chars,
           median(median_chars) FILTER (n > 1) AS usual_chars,
           sum(extract_failed) FILTER (n = 1) AS last_failed,
           sum(extract_failed) FILTER (n = 1) / sum(pages) FILTER (n = 1) AS last_rate,
           coalesce(sum(extract_failed) FILTER (n > 1) / sum(pages) FILTER (n > 1), 0)
               AS usual_rate,
           count(*) FILTER (n > 1) AS earlier_runs
    FROM ranked WHERE n <= {RECENT_RUNS + 1} GROUP BY source
), alerts AS (
    SELECT source, CASE
        WHEN earlier_runs < {MIN_RUNS} THEN NULL
        WHEN last_failed >= {MIN_FAILED} AND last_rate >= {FAILURE_RATE}
             AND last_rate >= usual_rate + {FAILURE_JUMP}
            THEN printf('extraction failures jumped: %d%% of the last run''s pages, usually %d%%',
                        round(100 * last_rate)::INTEGER, round(100 * usual_rate)::INTEGER)
        WHEN last_chars < {LENGTH_DROP} * usual_chars
            THEN printf('median text length fell to %d characters, usually %d',
                        last_chars::INTEGER, usual_chars::INTEGER)
        END AS extraction_alert
    FROM judged
)"""


def extraction_alerts(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Returns the sources whose extraction looks broken since their last run, each with
    what was seen ("median text length fell to 212 characters, usually 2840")."""
    rows = con.execute(
        f"WITH {ALERTS_CTE} SELECT source, extraction_alert FROM alerts"
        " WHERE extraction_alert IS NOT NULL ORDER BY source"
    ).fetchall()
    return dict(rows)
