"""Reads a DuckLake as it was at a past moment: a timestamp, or the start of a run.

Every DuckLake commit is a snapshot. "As of" a moment means the last snapshot committed at
or before it; the start of a run (its `runs.started_at`) is the moment before the run
wrote anything, so "as of last night's run" is what was known before that night.
Snapshots older than `[storage] keep_snapshots_days` are expired by maintenance.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from newsflow.errors import StorageError
from storage.lake import ALIAS, is_lake, open_lake, open_snapshot, shown


@dataclass(frozen=True, slots=True)
class Moment:
    """The snapshot a query as of `asked` reads."""

    asked: str  # as given: a timestamp or a run id
    at: datetime
    snapshot_id: int
    snapshot_time: datetime
    run_id: str | None = None

    def describe(self) -> str:
        """Returns which snapshot answers, in words (for stderr)."""
        moment = f"run {self.run_id} started {self.at}" if self.run_id else str(self.at)
        return f"as of {moment}: snapshot {self.snapshot_id}, committed {self.snapshot_time}"


@contextmanager
def connect_as_of(db: str, when: str) -> Iterator[tuple[duckdb.DuckDBPyConnection, Moment]]:
    """Yields a read-only connection to the lake as it was at `when`, and which snapshot.

    Raises StorageError for a DuckDB file (it keeps no history), an unknown run id, or a
    moment before the oldest snapshot kept.
    """
    if not is_lake(db):
        raise StorageError(
            str(db),
            "--as-of needs a DuckLake (ducklake:sqlite:PATH or ducklake:postgres:dbname=…):"
            " a DuckDB file keeps no history of its past states",
        )
    current = open_lake(db, read_only=True)
    try:
        moment = resolve(current, when, db)
    finally:
        current.close()
    con = open_snapshot(db, moment.snapshot_id)
    try:
        yield con, moment
    finally:
        con.close()


def resolve(con: duckdb.DuckDBPyConnection, when: str, db: str = ALIAS) -> Moment:
    """Returns the snapshot for `when`: an ISO timestamp (UTC unless it says otherwise) or
    a run id from `runs`."""
    at, run_id = _timestamp(when), None
    if at is None:
        at, run_id = _run_start(con, when), when
    rows = con.execute(
        f"SELECT snapshot_id, snapshot_time FROM {ALIAS}.snapshots() WHERE snapshot_time <= ?"
        " ORDER BY snapshot_id DESC LIMIT 1",
        [at],
    ).fetchall()
    if not rows:
        [(oldest,)] = con.execute(f"SELECT min(snapshot_time) FROM {ALIAS}.snapshots()").fetchall()
        raise StorageError(
            shown(db), f"no snapshot at or before {at}: the oldest kept is from {oldest}"
        )
    [(snapshot_id, snapshot_time)] = rows
    return Moment(when, at, snapshot_id, snapshot_time, run_id)


def _timestamp(text: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _run_start(con: duckdb.DuckDBPyConnection, run_id: str) -> datetime:
    rows = con.execute("SELECT started_at FROM runs WHERE run_id = ?", [run_id]).fetchall()
    if not rows:
        raise StorageError(
            run_id,
            "neither a timestamp (2026-11-27T02:00:00+00:00) nor a run id in `runs`"
            ' (newsflow query "SELECT run_id, started_at FROM runs ORDER BY started_at DESC")',
        )
    return rows[0][0]
