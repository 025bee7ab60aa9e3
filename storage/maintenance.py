"""Keeps a DuckLake small after a night, with DuckLake's own functions.

Every commit of a night adds a few small Parquet files per table and a snapshot (newsflow
inlines no rows in the catalog: storage/lake.py says why); every update adds a delete
file. After the night: adjacent small files are merged (a merged file keeps each row's
snapshot, so `--as-of` still reads it and the small files can go at once), files mostly
deleted are rewritten, snapshots older than `[storage] keep_snapshots_days` expired (how
far `--as-of` can go back), the files no kept snapshot reads deleted, and files a killed
writer left behind deleted once a day old (a younger one may be a commit in progress).

The report gives both what a query reads now (live files) and what storage holds.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass

import duckdb

from newsflow.errors import StorageError
from storage.lake import ALIAS, recorded_data_path
from storage.schema import KEYS, is_lake_connection
from storage.transaction import in_transaction

log = logging.getLogger(__name__)

ORPHAN_AGE_HOURS = 24


@dataclass(frozen=True, slots=True)
class Files:
    count: int
    bytes: int


@dataclass(frozen=True, slots=True)
class LakeState:
    live: Files  # the data and delete files of the current snapshot: what a query reads
    stored: Files  # every file under the data path: what storage holds
    snapshots: int


@dataclass(frozen=True, slots=True)
class MaintenanceReport:
    before: LakeState
    after: LakeState
    merged: int  # files merged into bigger ones
    deleted: int  # files deleted from storage
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)

    def brief(self) -> str:
        b, a = self.before, self.after
        return (
            f"live files {b.live.count} -> {a.live.count} ({b.live.bytes:,} -> {a.live.bytes:,}"
            f" bytes); on storage {b.stored.count} -> {a.stored.count} ({b.stored.bytes:,} ->"
            f" {a.stored.bytes:,} bytes); snapshots {b.snapshots} -> {a.snapshots}"
        )


def maintain(con: duckdb.DuckDBPyConnection, keep_snapshots_days: int) -> MaintenanceReport:
    """Returns the lake's files and bytes before and after merging small files, expiring
    snapshots older than `keep_snapshots_days` and deleting the files none needs.

    Raises StorageError on a DuckDB file, which has no files or snapshots to tidy.
    """
    if not is_lake_connection(con):
        raise StorageError("db", "maintenance is for a DuckLake; a DuckDB file needs none")
    try:
        return _maintain(con, keep_snapshots_days)
    except duckdb.Error as exc:
        raise StorageError(
            ALIAS, f"maintenance failed: {' '.join(str(exc).split())[:300]}"
        ) from None


def _maintain(con: duckdb.DuckDBPyConnection, keep_snapshots_days: int) -> MaintenanceReport:
    started = time.monotonic()
    before = lake_state(con)
    merged = in_transaction(con, lambda: _merge(con), "merge files")
    in_transaction(con, lambda: con.execute(f"CALL ducklake_rewrite_data_files('{ALIAS}')"),
                   "rewrite files with deletes")  # fmt: skip
    in_transaction(con, lambda: _expire(con, keep_snapshots_days), "expire snapshots")
    deleted = len(con.execute(f"CALL ducklake_cleanup_old_files('{ALIAS}', cleanup_all => true)")
                  .fetchall())  # fmt: skip
    deleted += len(
        con.execute(
            f"CALL ducklake_delete_orphaned_files('{ALIAS}',"
            f" older_than => now() - INTERVAL ({ORPHAN_AGE_HOURS}) HOUR)"
        ).fetchall()
    )
    report = MaintenanceReport(before, lake_state(con), merged, deleted, time.monotonic() - started)
    log.info("lake maintenance: %s", report.brief())
    return report


def lake_state(con: duckdb.DuckDBPyConnection) -> LakeState:
    """Returns the files the current snapshot reads, the files on storage, the snapshots."""
    live_count = live_bytes = 0
    for table in KEYS:
        rows = con.execute(
            "SELECT data_file_size_bytes, delete_file, delete_file_size_bytes"
            f" FROM ducklake_list_files('{ALIAS}', ?)",
            [table],
        ).fetchall()
        for data_bytes, delete_file, delete_bytes in rows:
            live_count += 1 + (delete_file is not None)
            live_bytes += data_bytes + (delete_bytes or 0)
    [(snapshots,)] = con.execute(f"SELECT count(*) FROM {ALIAS}.snapshots()").fetchall()
    return LakeState(Files(live_count, live_bytes), _stored(con), snapshots)


def _stored(con: duckdb.DuckDBPyConnection) -> Files:
    pattern = recorded_data_path(con).rstrip("/") + "/**"
    # Only `size` is read: read_blob fetches no content it is not asked for.
    [(count, size)] = con.execute(
        "SELECT count(*), coalesce(sum(size), 0) FROM read_blob(?)", [pattern]
    ).fetchall()
    return Files(count, size)


def _merge(con: duckdb.DuckDBPyConnection) -> int:
    rows = con.execute(f"CALL ducklake_merge_adjacent_files('{ALIAS}')").fetchall()
    return sum(merged for _schema, _table, merged, _into in rows)


def _expire(con: duckdb.DuckDBPyConnection, keep_days: int) -> None:
    con.execute(
        f"CALL ducklake_expire_snapshots('{ALIAS}', older_than => now() - INTERVAL (?) DAY)",
        [keep_days],
    )
