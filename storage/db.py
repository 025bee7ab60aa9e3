"""Opens the DuckDB file: migrated on write, retried while another process holds it."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from newsflow.errors import DatabaseBusyError, StorageError
from storage.schema import migrate

log = logging.getLogger(__name__)

_LOCK_MESSAGES = ("could not set lock", "conflicting lock", "database is locked")
# DuckDB rewrites a table's last row group whole at each checkpoint, and closing the file
# checkpoints: with its default 122,880 rows that is up to ~250 MB of article text and
# raw HTML read and recompressed after every batch (on a 100,000-article file 6-7 CPU-s
# and a 1.5 GB peak a batch; docs/benchmarks.md). With row groups of DuckDB's vector size
# the rewrite stays small: over 80 batches the peak stayed under ~520 MB (8,192 rows:
# climbing to ~620 MB). An ATTACH option, not stored in the file: every writer opens it so.
ROW_GROUP_ROWS = 2_048


@contextmanager
def connect(
    path: str | Path, *, read_only: bool = False, wait_seconds: float = 5.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yields a connection to the database file, closed on exit.

    Raises DatabaseBusyError when another process still holds the file after
    `wait_seconds`, StorageError when it cannot be opened at all.
    """
    path = Path(path)
    if not read_only:
        _ensure_directory(path)
    elif not path.exists():
        raise StorageError(str(path), "database file does not exist yet (run `newsflow ingest`)")
    con = _open_with_retry(path, read_only, wait_seconds)
    try:
        if not read_only:
            migrate(con)
        yield con
    finally:
        con.close()


def _open_with_retry(path: Path, read_only: bool, wait_seconds: float):
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return _open_file(path, read_only)
        except duckdb.Error as exc:
            message = str(exc)
            if not any(m in message.lower() for m in _LOCK_MESSAGES):
                raise StorageError(str(path), message.splitlines()[0]) from None
            if time.monotonic() >= deadline:
                raise DatabaseBusyError(
                    str(path), f"held by another process ({message.splitlines()[0]})"
                ) from None
            log.info("database %s is busy, retrying in %.2fs", path, delay)
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _open_file(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    con = duckdb.connect()
    try:  # named as duckdb.connect(path) names it: the file's stem
        name = '"' + path.stem.replace('"', '""') + '"'
        location = "'" + str(path).replace("'", "''") + "'"
        con.execute(f"ATTACH {location} AS {name} (ROW_GROUP_SIZE {ROW_GROUP_ROWS})")
        con.execute(f"USE {name}")
    except BaseException:
        con.close()
        raise
    return con


def _ensure_directory(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(str(path), f"cannot create directory {path.parent}: {exc}") from None
    probe = path.parent / f".{path.name}.probe"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StorageError(str(path), f"directory {path.parent} is not writable: {exc}") from None
