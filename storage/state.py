"""Reads and writes what one night needs to remember for the next: feeds, sources, runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from storage.schema import KEYS
from storage.transaction import in_transaction
from storage.upsert import upsert as keyed_upsert


@dataclass(frozen=True, slots=True)
class FeedState:
    feed_url: str
    source: str
    etag: str | None = None
    last_modified: str | None = None
    consecutive_failures: int = 0


@dataclass(frozen=True, slots=True)
class SourceState:
    source: str
    discovered_feed: str | None = None
    consecutive_failures: int = 0
    healthy: bool = True
    last_ok_at: datetime | None = None
    last_error: str | None = None
    last_attempt_at: datetime | None = None
    gaps: int = 0  # runs whose gap backfill could not close (fetchers/backfill.py)
    last_gap_at: datetime | None = None
    paging: str | None = None  # how its feed pages back: next|blogger|wordpress|none


@dataclass(frozen=True, slots=True)
class KnownPage:
    url: str
    entry_updated: datetime | None
    gone: bool  # the last fetch answered 404/410: not asked again every night


def feed_states(con: duckdb.DuckDBPyConnection) -> dict[str, FeedState]:
    """Returns the stored validators (ETag, Last-Modified) of every feed, by URL."""
    rows = con.execute(
        "SELECT feed_url, source, etag, last_modified, consecutive_failures FROM feeds"
    ).fetchall()
    return {r[0]: FeedState(*r) for r in rows}


def source_states(con: duckdb.DuckDBPyConnection) -> dict[str, SourceState]:
    """Returns each source's remembered feed and health, by source name."""
    rows = con.execute(
        "SELECT source, discovered_feed, consecutive_failures, healthy, last_ok_at, last_error,"
        " last_attempt_at, coalesce(gaps, 0), last_gap_at, paging FROM source_health"
    ).fetchall()
    return {r[0]: SourceState(*r) for r in rows}


def known_pages(con: duckdb.DuckDBPyConnection, urls: list[str]) -> dict[str, KnownPage]:
    """Returns what is stored about these URLs: articles we have, and pages that are gone."""
    if not urls:
        return {}
    con.register("wanted", pa.table({"url": pa.array(sorted(set(urls)), pa.string())}))
    try:
        rows = con.execute(
            """
            WITH last_page_fetch AS (
                SELECT url, arg_max(outcome, fetched_at) AS outcome
                FROM fetches WHERE kind = 'page' AND url IN (SELECT url FROM wanted)
                GROUP BY url)
            SELECT w.url, a.entry_updated, a.url IS NOT NULL, coalesce(f.outcome = 'gone', false)
            FROM wanted w LEFT JOIN articles a USING (url) LEFT JOIN last_page_fetch f USING (url)
            WHERE a.url IS NOT NULL OR f.outcome = 'gone'
            """
        ).fetchall()
    finally:
        con.unregister("wanted")
    return {
        url: KnownPage(url, updated, gone and not stored) for url, updated, stored, gone in rows
    }


def http_cache(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[datetime, int | None, bytes]]:
    """Returns cached small documents (robots.txt) by URL: fetched_at, status, body."""
    rows = con.execute("SELECT url, fetched_at, status, body FROM http_cache").fetchall()
    return {url: (fetched_at, status, body or b"") for url, fetched_at, status, body in rows}


def save_http_cache(
    con: duckdb.DuckDBPyConnection, entries: dict[str, tuple[datetime, int | None, bytes]]
) -> None:
    """Stores small documents (robots.txt) for reuse by the next runs."""
    rows = [{"url": u, "fetched_at": t, "status": s, "body": b} for u, (t, s, b) in entries.items()]
    upsert(con, "http_cache", rows)


def save_feed_states(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Upserts feeds rows: validators, last outcome, consecutive failures."""
    upsert(con, "feeds", rows)


def save_source_states(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Upserts source_health rows."""
    upsert(con, "source_health", rows)


def upsert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Writes rows into table in one transaction; a row whose key is stored is replaced
    in the columns given."""
    if not rows:
        return
    incoming = pa.Table.from_pylist(rows)
    keys = set(KEYS[table])
    update = [c for c in incoming.column_names if c not in keys]
    con.register("incoming_rows", incoming)
    try:
        in_transaction(
            con,
            lambda: keyed_upsert(con, table, "SELECT * FROM incoming_rows", update),
            f"save {table}",
        )
    finally:
        con.unregister("incoming_rows")


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, started_at: datetime) -> None:
    """Records a run as RUNNING (again, if a retried run reuses its id)."""
    rows = "SELECT ?::VARCHAR AS run_id, ?::TIMESTAMPTZ AS started_at, 'RUNNING' AS state"
    in_transaction(
        con,
        lambda: keyed_upsert(con, "runs", rows, ["state"], [run_id, started_at]),
        "start run",
    )


_RUN_COLUMNS = (
    "finished_at", "state", "sources_total", "sources_failed", "articles_new",
    "articles_updated", "articles_unchanged", "fetches", "fetch_errors", "message",
)  # fmt: skip


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, summary: dict) -> None:
    """Records a run's end, state and counts (creating the row if start was not recorded)."""
    rows = (
        "SELECT $run_id::VARCHAR AS run_id, $started_at::TIMESTAMPTZ AS started_at,"
        " $finished_at::TIMESTAMPTZ AS finished_at, $state::VARCHAR AS state,"
        " $sources_total::INTEGER AS sources_total, $sources_failed::INTEGER AS sources_failed,"
        " $articles_new::INTEGER AS articles_new, $articles_updated::INTEGER AS articles_updated,"
        " $articles_unchanged::INTEGER AS articles_unchanged, $fetches::INTEGER AS fetches,"
        " $fetch_errors::INTEGER AS fetch_errors, $message::VARCHAR AS message"
    )
    params = {"run_id": run_id, **{k: summary[k] for k in (*_RUN_COLUMNS, "started_at")}}
    in_transaction(con, lambda: keyed_upsert(con, "runs", rows, _RUN_COLUMNS, params), "finish run")


@dataclass(frozen=True)
class Memory:
    """What the database remembered for tonight's run, as read when the night opened (from
    the last snapshot when the database was busy). Read-only: what the night learns is
    written back, and read by the next night."""

    db: str
    feeds: dict[str, FeedState] | None = None
    sources: dict[str, SourceState] | None = None
    http_cache: dict | None = None
    furniture: dict | None = None  # by source: its SourceFurniture (storage.furniture)

    def discovered_feed(self, source: str) -> str | None:
        state = (self.sources or {}).get(source)
        return state.discovered_feed if state else None


def load_memory(con: duckdb.DuckDBPyConnection, db: str) -> Memory:
    """Returns the feeds, sources and cached documents stored in the database."""
    return Memory(
        db=db, feeds=feed_states(con), sources=source_states(con), http_cache=http_cache(con)
    )
