"""Bulk, idempotent writes of one batch of fetches, articles and tags, in one transaction."""

from __future__ import annotations

import functools
import hashlib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType

import duckdb
import pyarrow as pa

from newsflow.models import FetchResult, PageResult
from storage.raw_html import keep_waiting
from storage.schema import ARTICLE_COLUMNS
from storage.transaction import in_transaction
from storage.upsert import upsert

_NONE: Mapping[str, bytes] = MappingProxyType({})  # tables of articles without their pages


@dataclass
class BatchCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: BatchCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged


def fetch_rows(run_id: str, fetches: list[FetchResult]) -> pa.Table:
    """Returns the `fetches` rows of a batch as an Arrow table."""
    rows = [
        {
            "fetch_id": _fetch_id(run_id, f),
            "url": f.url,
            "source": f.source,
            "run_id": run_id,
            "kind": f.kind,
            "fetched_at": f.fetched_at,
            "status": f.status,
            "outcome": str(f.outcome),
            "error": f.error,
            "elapsed_ms": f.elapsed_ms,
            "bytes": f.size,
            "final_url": f.final_url or None,
        }
        for f in fetches
    ]
    return pa.Table.from_pylist(rows, schema=_FETCH_SCHEMA)


def article_rows(results: list[PageResult], raw_html: Mapping[str, bytes] = _NONE) -> pa.Table:
    """Returns the extracted articles of a batch as an Arrow table (last copy of a URL wins);
    `raw_html` holds each article's page as fetched, by the article's URL."""
    by_url = {r.article.url: r.article for r in results if r.article is not None}
    rows = [
        {name: getattr(a, name) for name in _ARTICLE_FIELDS}
        # level 6: 2.3x the CPU, 14% smaller
        | {"html_zlib": zlib.compress(raw_html.get(a.url, b""), 1)}
        for a in by_url.values()
    ]
    return pa.Table.from_pylist(rows, schema=_ARTICLE_SCHEMA)


def tag_rows(results: list[PageResult], tagged_at: datetime) -> pa.Table:
    """Returns the tags of a batch's articles as an Arrow table."""
    rows = {}
    for r in results:
        if r.article is None:
            continue
        for t in r.tags:
            rows[(r.article.url, t.kind, t.value, t.tagger)] = {
                "url": r.article.url,
                "kind": t.kind,
                "value": t.value,
                "score": t.score,
                "tagger": t.tagger,
                "tagger_version": t.tagger_version,
                "code": t.code,
                "surface": t.surface,
                "tagged_at": tagged_at,
            }
    return pa.Table.from_pylist(list(rows.values()), schema=_TAG_SCHEMA)


def tagger_rows(results: list[PageResult], versions: dict[str, str], at: datetime) -> pa.Table:
    """Returns one row per tagged article and tagger: which version looked at it."""
    rows = [
        {"url": r.article.url, "tagger": name, "tagger_version": version, "tagged_at": at}
        for r in results
        if r.article is not None and r.tagged
        for name, version in versions.items()
    ]
    return pa.Table.from_pylist(rows, schema=_TAGGER_SCHEMA)


def batch_tables(
    run_id: str,
    fetches: list[FetchResult],
    results: list[PageResult],
    versions: dict[str, str],
    now: datetime,
    raw_html: Mapping[str, bytes],
) -> dict[str, pa.Table]:
    """Returns a batch's four tables by name (fetches, articles, tags, taggers), as
    `write_batch` takes them and staging keeps them; `versions` are the taggers' that ran,
    `raw_html` the articles' pages as fetched, by URL."""
    return {
        "fetches": fetch_rows(run_id, fetches),
        "articles": article_rows(results, raw_html),
        "tags": tag_rows(results, now),
        "taggers": tagger_rows(results, versions, now),
    }


def write_results(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    fetches: list[FetchResult],
    results: list[PageResult],
    versions: dict[str, str],
    now: datetime,
    raw_html: Mapping[str, bytes],
) -> dict[str, BatchCounts]:
    """Writes one batch of fetches and page results (`raw_html`: their pages as fetched, by
    URL); returns write_batch's counts."""
    tables = batch_tables(run_id, fetches, results, versions, now, raw_html)
    return write_batch(con, run_id, *tables.values())


def write_batch(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    fetches: pa.Table,
    articles: pa.Table,
    tags: pa.Table,
    taggers: pa.Table | None = None,
    raw_waiting: Path | None = None,
) -> dict[str, BatchCounts]:
    """Returns, by source, how many articles were new, updated and unchanged, once written.

    One transaction: a crash leaves either the whole batch or none of it. Writing the
    same batch twice changes nothing the second time. On a DuckLake another writer's
    commit may win the race; the batch is then written again from the start.
    With `raw_waiting` (a file's night) the batch's raw HTML goes to that Parquet file,
    before the commit, instead of `raw_pages` (storage.raw_html).
    """
    inputs = {
        "in_fetches": fetches,
        "in_articles": articles,
        "in_tags": tags,
        "in_taggers": taggers if taggers is not None else _TAGGER_SCHEMA.empty_table(),
    }
    for name, table in inputs.items():
        con.register(name, table)
    try:
        rows = {name: table.num_rows for name, table in inputs.items()}
        work = functools.partial(_write, con, run_id, rows, raw_waiting)
        return in_transaction(con, work, "write batch")
    finally:
        for name in inputs:
            con.unregister(name)


def _write(
    con: duckdb.DuckDBPyConnection, run_id: str, rows: dict, raw_waiting: Path | None
) -> dict[str, BatchCounts]:
    # Statements with nothing to write are skipped: each costs ~50 ms on a lake.
    if rows["in_fetches"]:
        upsert(con, "fetches", "SELECT * FROM in_fetches")
    counts = _upsert_articles(con, run_id, raw_waiting) if rows["in_articles"] else {}
    if rows["in_tags"] or rows["in_taggers"]:
        _replace_tags(con)
    if rows["in_taggers"]:
        upsert(con, "article_taggers", "SELECT * FROM in_taggers",
               update=("tagger_version", "tagged_at"))  # fmt: skip
    return counts


def _upsert_articles(
    con: duckdb.DuckDBPyConnection, run_id: str, raw_waiting: Path | None
) -> dict[str, BatchCounts]:
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE batch AS
        SELECT i.*, a.content_hash AS old_hash, coalesce(a.versions, 0) AS old_versions,
               CASE WHEN a.url IS NULL THEN 'new'
                    WHEN a.content_hash <> i.content_hash THEN 'updated'
                    ELSE 'unchanged' END AS change
        FROM in_articles i LEFT JOIN articles a USING (url)
        """
    )
    counts = {
        source: BatchCounts(new, updated, unchanged)
        for source, new, updated, unchanged in con.execute(
            "SELECT source, count(*) FILTER (change = 'new'), count(*) FILTER (change = 'updated'),"
            " count(*) FILTER (change = 'unchanged') FROM batch GROUP BY source"
        ).fetchall()
    }
    if any(c.new or c.updated for c in counts.values()):
        _store_changed(con, run_id, raw_waiting)
    if any(c.unchanged for c in counts.values()):
        con.execute(
            """
            UPDATE articles SET last_seen_at = greatest(articles.last_seen_at, b.fetched_at),
                   entry_updated = coalesce(b.entry_updated, articles.entry_updated)
            FROM batch b WHERE articles.url = b.url AND b.change = 'unchanged'
            """
        )
    return counts


def _store_changed(con: duckdb.DuckDBPyConnection, run_id: str, raw_waiting: Path | None) -> None:
    """Stores the new and changed articles of `batch`, each with its new version; their raw
    HTML waits in `raw_waiting` for the night's close when given."""
    upsert(
        con,
        "article_versions",
        "SELECT url, content_hash, old_versions + 1 AS version, fetched_at, ?::VARCHAR AS run_id,"
        " title, text FROM batch WHERE change <> 'unchanged'",
        params=[run_id],
    )
    raw_rows = (
        "SELECT url, content_hash, fetched_at, NULL::VARCHAR AS content_type, encoding, html_zlib"
        " FROM batch WHERE change <> 'unchanged'"
    )
    if raw_waiting is None:
        upsert(con, "raw_pages", raw_rows)
    else:
        keep_waiting(raw_waiting, con.execute(raw_rows).to_arrow_table())
    upsert(
        con,
        "articles",
        f"SELECT {_ARTICLE_SELECT} FROM batch WHERE change <> 'unchanged'",
        update=_ARTICLE_UPDATES,
    )


# How a batch fills the article columns it carries under no name of theirs (cluster_id is
# storage.clusters' to write), and what a changed article's row keeps of its first version:
# it takes every other column from the new one. The columns are storage.schema's.
_FROM_BATCH = {
    "first_seen_at": "fetched_at",
    "last_seen_at": "fetched_at",
    "versions": "old_versions + 1",
    "cluster_id": None,
}
_KEPT = frozenset({"url", "source", "first_seen_at", "cluster_id"})
_ARTICLE_SELECT = ", ".join(
    c.name if _FROM_BATCH.get(c.name, c.name) == c.name else f"{_FROM_BATCH[c.name]} AS {c.name}"
    for c in ARTICLE_COLUMNS
    if _FROM_BATCH.get(c.name, c.name) is not None
)
_ARTICLE_UPDATES = tuple(c.name for c in ARTICLE_COLUMNS if c.name not in _KEPT)


def _replace_tags(con: duckdb.DuckDBPyConnection) -> None:
    # A re-tagged article's tags from the same taggers replace the old ones entirely. (On
    # a lake, a DELETE that removes rows makes concurrent inserts into `tags` conflict;
    # one that removes nothing, as for a new article, does not.)
    con.execute(
        "DELETE FROM tags WHERE (url, tagger) IN (SELECT url, tagger FROM in_taggers"
        " UNION SELECT url, tagger FROM in_tags)"
    )
    upsert(con, "tags", "SELECT * FROM in_tags")


def _fetch_id(run_id: str, f: FetchResult) -> str:
    key = f"{run_id}|{f.kind}|{f.url}|{f.fetched_at.isoformat()}"
    return hashlib.sha1(key.encode()).hexdigest()


_TS = pa.timestamp("us", tz="UTC")
_FETCH_SCHEMA = pa.schema(
    [
        ("fetch_id", pa.string()),
        ("url", pa.string()),
        ("source", pa.string()),
        ("run_id", pa.string()),
        ("kind", pa.string()),
        ("fetched_at", _TS),
        ("status", pa.int32()),
        ("outcome", pa.string()),
        ("error", pa.string()),
        ("elapsed_ms", pa.int32()),
        ("bytes", pa.int64()),
        ("final_url", pa.string()),
    ]
)
_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "VARCHAR[]": pa.list_(pa.string()),
    "TIMESTAMPTZ": _TS,
    "BOOLEAN": pa.bool_(),
}


def _article_schema() -> pa.Schema:
    """Returns the Arrow schema of a batch's articles: the columns of `articles` a batch
    fills from a field of its own (fetched_at once), then the page's raw HTML."""
    fields: dict[str, pa.DataType] = {}
    for column in ARTICLE_COLUMNS:
        field = _FROM_BATCH.get(column.name, column.name)
        if field is not None and field.isidentifier():
            fields.setdefault(field, _ARROW_TYPES[column.type])
    return pa.schema([*fields.items(), ("encoding", pa.string()), ("html_zlib", pa.binary())])


_ARTICLE_SCHEMA = _article_schema()
_ARTICLE_FIELDS = tuple(n for n in _ARTICLE_SCHEMA.names if n != "html_zlib")  # Article's
_TAGGER_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("tagger", pa.string()),
        ("tagger_version", pa.string()),
        ("tagged_at", _TS),
    ]
)
_TAG_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("kind", pa.string()),
        ("value", pa.string()),
        ("score", pa.float64()),
        ("tagger", pa.string()),
        ("tagger_version", pa.string()),
        ("code", pa.string()),
        ("surface", pa.string()),
        ("tagged_at", _TS),
    ]
)
