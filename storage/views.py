"""The views for the questions every analyst asks (created by schema migration 5).

- `latest_articles`: one row per story (a cluster of syndicated copies, or a lone
  article), newest first, with the first copy seen and how many copies there are.
- `daily_counts`: articles per publication day (UTC; first seen when undated), source
  and language (detected, else declared).
- `source_status`: each source's last night: requests, pages fetched, new and updated
  articles, failures, its health, and when it is next due (migration 8); how many runs
  left entries unseen that backfill could not recover (`gaps`, `last_gap_at`).
"""

from __future__ import annotations

_LANGUAGE = """(SELECT url, any_value(code) AS code FROM article_tags
                WHERE kind = 'language' GROUP BY url)"""

LATEST_ARTICLES = f"""
CREATE VIEW latest_articles AS
SELECT arg_min(a.url, a.first_seen_at) AS url,
       arg_min(a.title, a.first_seen_at) AS title,
       arg_min(a.source, a.first_seen_at) AS source,
       arg_min(coalesce(l.code, a.language), a.first_seen_at) AS language,
       max(coalesce(a.published_at, a.first_seen_at)) AS latest_at,
       min(a.first_seen_at) AS first_seen_at,
       count(*) AS cluster_size,
       count(DISTINCT a.source) AS sources,
       coalesce(a.cluster_id, a.url) AS story
FROM articles a LEFT JOIN {_LANGUAGE} l USING (url)
GROUP BY coalesce(a.cluster_id, a.url)
ORDER BY latest_at DESC, url;
"""

DAILY_COUNTS = f"""
CREATE VIEW daily_counts AS
SELECT CAST(timezone('UTC', coalesce(a.published_at, a.first_seen_at)) AS DATE) AS day,
       a.source, coalesce(l.code, a.language) AS language, count(*) AS articles
FROM articles a LEFT JOIN {_LANGUAGE} l USING (url)
GROUP BY ALL ORDER BY day DESC, a.source, language;
"""

# source_health counters that read 0, not NULL, for a source without a health row.
COUNTERS = frozenset({"gaps"})
# Migration 8: each source's gaps backfill could not close (fetchers/backfill.py).
GAP_COLUMNS = ("gaps", "last_gap_at")


def source_status_sql(health_columns: tuple[str, ...] = ()) -> str:
    """Returns the DDL of `source_status`, with these `source_health` columns after the
    others. Each migration that adds columns to source_health and to the view recreates
    the view with its own list: an earlier migration's view never names a later column.
    """
    extra = "".join(
        f", coalesce(h.{c}, 0) AS {c}" if c in COUNTERS else f", h.{c}" for c in health_columns
    )
    return f"""
CREATE VIEW source_status AS
WITH per_run AS (
    SELECT source, run_id, min(fetched_at) AS run_at, count(*) AS requests,
           count(*) FILTER (kind = 'page' AND outcome = 'ok') AS fetched,
           count(*) FILTER (outcome NOT IN ('ok', 'not_modified')) AS failed
    FROM fetches GROUP BY source, run_id
), last AS (
    SELECT * FROM per_run QUALIFY row_number() OVER (PARTITION BY source ORDER BY run_at DESC) = 1
), versions AS (
    SELECT a.source, v.run_id, count(*) FILTER (v.version = 1) AS new,
           count(*) FILTER (v.version > 1) AS updated
    FROM article_versions v JOIN articles a USING (url) GROUP BY ALL
)
SELECT coalesce(l.source, h.source) AS source, l.run_id AS last_run_id, l.run_at AS last_run_at,
       coalesce(l.requests, 0) AS requests, coalesce(l.fetched, 0) AS fetched,
       coalesce(v.new, 0) AS new, coalesce(v.updated, 0) AS updated,
       coalesce(l.failed, 0) AS failed,
       CASE WHEN h.source IS NULL THEN 'never recorded'
            WHEN NOT h.healthy THEN 'unhealthy'
            WHEN h.consecutive_failures > 0 THEN 'failing'
            ELSE 'healthy' END AS health,
       h.consecutive_failures, h.last_ok_at, h.last_error{extra}
FROM last l
FULL JOIN source_health h ON h.source = l.source
LEFT JOIN versions v ON v.source = l.source AND v.run_id = l.run_id
ORDER BY source;
"""


# What migration 5 created: `source_status` as it was then.
VIEWS_SQL = LATEST_ARTICLES + DAILY_COUNTS + source_status_sql()
