"""Finds stored pages whose extraction or tags are stale, and hands back their raw HTML."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

_OVERRIDES = pa.schema([("source", pa.string()), ("tagger", pa.string()),
                        ("tagger_version", pa.string())])  # fmt: skip


@dataclass(frozen=True, slots=True)
class StoredPage:
    url: str
    source: str
    fetched_at: datetime
    content_type: str | None
    html: bytes
    # What the feed declared when the page was fetched (merged into the stored article).
    feed_url: str | None = None
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


def stale_urls(
    con: duckdb.DuckDBPyConnection,
    versions: dict[str, str],
    everything: bool = False,
    by_source: dict[str, dict[str, str]] | None = None,
    source: str | None = None,
) -> list[str]:
    """Returns the articles not yet looked at by every tagger at its current version.

    `by_source`: versions a source's articles are made with instead (its own extraction
    rules); `source`: that source's articles only, every one of them."""
    if everything or source:
        return [r[0] for r in con.execute(
            "SELECT url FROM articles WHERE ?::VARCHAR IS NULL OR source = ? ORDER BY url",
            [source, source]).fetchall()]  # fmt: skip
    current = pa.table({"tagger": list(versions), "tagger_version": list(versions.values())})
    own = [(s, t, v) for s, vs in (by_source or {}).items() for t, v in vs.items()]
    overrides = pa.table({"source": [o[0] for o in own], "tagger": [o[1] for o in own],
                          "tagger_version": [o[2] for o in own]}, schema=_OVERRIDES)  # fmt: skip
    con.register("current_taggers", current)
    con.register("source_taggers", overrides)
    try:
        rows = con.execute(
            """
            SELECT a.url FROM articles a CROSS JOIN current_taggers c
            LEFT JOIN source_taggers o ON o.source = a.source AND o.tagger = c.tagger
            LEFT JOIN article_taggers t ON t.url = a.url AND t.tagger = c.tagger
            WHERE t.tagger_version IS DISTINCT FROM coalesce(o.tagger_version, c.tagger_version)
            GROUP BY a.url ORDER BY a.url
            """
        ).fetchall()
    finally:
        con.unregister("current_taggers")
        con.unregister("source_taggers")
    return [r[0] for r in rows]


def stored_pages(
    con: duckdb.DuckDBPyConnection, urls: list[str], batch_size: int = 200
) -> Iterator[list[StoredPage]]:
    """Yields, in batches, the latest raw HTML kept for each of these articles."""
    for start in range(0, len(urls), batch_size):
        chunk = urls[start : start + batch_size]
        rows = con.execute(
            """
            SELECT r.url, a.source, arg_max(r.fetched_at, r.fetched_at),
                   arg_max(r.content_type, r.fetched_at), arg_max(r.html_zlib, r.fetched_at),
                   any_value(a.feed_url), any_value(a.categories),
                   any_value(a.keywords_declared)
            FROM raw_pages r JOIN articles a USING (url)
            WHERE r.url IN (SELECT unnest(?)) GROUP BY r.url, a.source
            """,
            [chunk],
        ).fetchall()
        yield [
            StoredPage(
                url,
                source,
                at,
                ctype,
                zlib.decompress(blob),
                feed,
                tuple(cats or ()),
                tuple(keys or ()),
            )  # fmt: skip
            for url, source, at, ctype, blob, feed, cats, keys in rows
        ]
