"""What the database knows of each source's past, for telling whether a feed read left
entries behind (fetchers.backfill): the newest entry stored, and the URLs seen before."""

from __future__ import annotations

from datetime import datetime

import duckdb

# A stored date further ahead than this is a site's mistake: it would hide every gap.
_SANE_DATE = "coalesce(published_at, entry_updated)"


def newest_stored(con: duckdb.DuckDBPyConnection, sources: list[str]) -> dict[str, datetime | None]:
    """Returns, for each of these sources that has stored articles, the newest date they
    carry (published, else the feed's updated; None when none is dated); dates more than
    a day ahead are left out."""
    if not sources:
        return {}
    rows = con.execute(
        f"""SELECT source, max({_SANE_DATE}) FILTER ({_SANE_DATE} <= now() + INTERVAL 1 DAY)
            FROM articles WHERE source IN (SELECT unnest(?::VARCHAR[])) GROUP BY source""",
        [sorted(set(sources))],
    ).fetchall()
    return dict(rows)


def seen_urls(con: duckdb.DuckDBPyConnection, urls: list[str]) -> set[str]:
    """Returns those of these URLs a source showed before: stored as articles, or asked
    as pages (whatever became of them: a feed links the URL it linked before)."""
    if not urls:
        return set()
    rows = con.execute(
        """SELECT url FROM articles WHERE url IN (SELECT unnest($urls::VARCHAR[]))
           UNION SELECT url FROM fetches
           WHERE kind = 'page' AND url IN (SELECT unnest($urls::VARCHAR[]))""",
        {"urls": sorted(set(urls))},
    ).fetchall()
    return {url for (url,) in rows}


def stored_urls(con: duckdb.DuckDBPyConnection, source: str) -> set[str]:
    """Returns every URL the source showed before: its articles, and its pages asked."""
    rows = con.execute(
        """SELECT url FROM articles WHERE source = $source
           UNION SELECT url FROM fetches WHERE source = $source AND kind = 'page'""",
        {"source": source},
    ).fetchall()
    return {url for (url,) in rows}
