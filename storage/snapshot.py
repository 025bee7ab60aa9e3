"""A copy of what planning needs, kept beside the database for nights when it is busy.

DuckDB refuses even read-only opens while another process writes, so after every run
the known article URLs and feed validators are exported to `<db>.snapshot/` as Parquet,
which any process can read at any time. A DuckLake is never busy for readers, so it
needs no copy.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import duckdb

from storage.lake import is_lake
from storage.state import FeedState, KnownPage, Memory, SourceState

log = logging.getLogger(__name__)

QUERIES = {
    "known": """SELECT url, entry_updated, false AS gone FROM articles
                UNION ALL
                SELECT url, NULL, true FROM fetches WHERE kind = 'page'
                GROUP BY url HAVING arg_max(outcome, fetched_at) = 'gone'""",
    "feeds": "SELECT feed_url, source, etag, last_modified, consecutive_failures FROM feeds",
    "sources": """SELECT source, discovered_feed, consecutive_failures, healthy, last_ok_at,
                  last_error, last_attempt_at, coalesce(gaps, 0) AS gaps,
                  last_gap_at, paging FROM source_health""",
}


def snapshot_dir(db: str | Path) -> Path:
    db = Path(db)
    return db.with_name(db.name + ".snapshot")


def write(con: duckdb.DuckDBPyConnection, db: str | Path) -> None:
    """Replaces the snapshot with the database's current state (a lake needs none)."""
    if is_lake(db):
        return
    target = snapshot_dir(db)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, query in QUERIES.items():
        con.execute(f"COPY ({query}) TO '{tmp / (name + '.parquet')}' (FORMAT parquet)")
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _read(db: str | Path, name: str, where: str = "", params=None) -> list[tuple]:
    path = snapshot_dir(db) / f"{name}.parquet"
    if not path.exists():
        return []
    with duckdb.connect() as con:
        return con.execute(f"SELECT * FROM read_parquet('{path}') {where}", params).fetchall()


def load_memory(db: str) -> Memory:
    """Returns the Memory of the last snapshot (read when the database is busy)."""
    feeds = {r[0]: FeedState(*r) for r in _read(db, "feeds")}
    sources = {r[0]: SourceState(*r) for r in _read(db, "sources")}
    if not (feeds or sources):
        log.warning("no snapshot beside %s: every link counts as new tonight", db)
    return Memory(db=db, feeds=feeds, sources=sources, http_cache={})


def known_pages(db: str, urls: list[str]) -> dict[str, KnownPage]:
    """Returns what the snapshot knows about these URLs."""
    rows = _read(db, "known", "WHERE url IN (SELECT unnest(?))", [list(set(urls))])
    return {url: KnownPage(url, updated, gone) for url, updated, gone in rows}
