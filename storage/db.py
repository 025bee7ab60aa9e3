"""Opens the database: a DuckDB file (migrated on write, retried while another process
holds it) or a DuckLake (storage/lake.py), behind one `connect`."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from newsflow.errors import DatabaseBusyError, StorageError
from storage.lake import is_lake, open_lake
from storage.schema import migrate

log = logging.getLogger(__name__)

_LOCK_MESSAGES = ("could not set lock", "conflicting lock", "database is locked")
# What DuckDB says of a file written in a storage format newer than it can read.
NEWER_FORMAT = "created with an newer version of DuckDB"
# A file's main header: checksum, b"DUCK", storage version, flags, then the writer's name.
_HEADER_BYTES = 84
_VERSION_NAME = slice(52, 84)
# DuckDB rewrites a table's last row group whole at each checkpoint, and closing the file
# checkpoints: with its default 122,880 rows that is up to ~250 MB of article text and
# raw HTML read and recompressed after every batch (on a 100,000-article file 6-7 CPU-s
# and a 1.5 GB peak a batch; docs/benchmarks.md). With row groups of DuckDB's vector size
# the rewrite stays small: over 80 batches the peak stayed under ~520 MB (8,192 rows:
# climbing to ~620 MB). An ATTACH option, not stored in the file: every writer opens it so.
ROW_GROUP_ROWS = 2_048


@contextmanager
def connect(
    db: str | Path,
    *,
    read_only: bool = False,
    wait_seconds: float = 5.0,
    data_path: str | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yields a connection to the database `db`, closed on exit: the schema's tables are
    reachable by their plain names whichever the backend.

    `db` is a DuckDB file's path, or a DuckLake (`ducklake:sqlite:PATH`,
    `ducklake:postgres:dbname=…`); `data_path` is where a new lake puts its Parquet files.
    Raises DatabaseBusyError when another process still holds the file after
    `wait_seconds`, StorageError when it cannot be opened at all.
    """
    if is_lake(db):
        con = open_lake(str(db), data_path=data_path, read_only=read_only)
    else:
        path = Path(db)
        if not read_only:
            _ensure_directory(path)
        elif not path.exists():
            missing = "database file does not exist yet (run `newsflow ingest`)"
            raise StorageError(str(path), missing)
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
            if NEWER_FORMAT in message:
                raise StorageError(str(path), newer_format_advice(path)) from None
            if not any(m in message.lower() for m in _LOCK_MESSAGES):
                raise StorageError(str(path), message.splitlines()[0]) from None
            if time.monotonic() >= deadline:
                raise DatabaseBusyError(
                    str(path), f"held by another process ({message.splitlines()[0]})"
                ) from None
            log.info("database %s is busy, retrying in %.2fs", path, delay)
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def newer_format_advice(path: Path) -> str:
    """Returns why a file written by a newer DuckDB cannot be opened, and how to move it."""
    writer = written_by(path) or "a newer DuckDB"
    return (
        f"written by DuckDB {writer}, whose storage format DuckDB {duckdb.__version__} (pinned"
        f" by newsflow) cannot read. To move it: with DuckDB {writer} run"
        " EXPORT DATABASE 'news-export' (FORMAT parquet) on it, then with"
        f" {duckdb.__version__} run IMPORT DATABASE 'news-export' in a new file and use that"
        " (docs/operations.md: 'A database written by DuckDB 2.x'); or move the file aside"
        " and ingest again."
    )


def written_by(path: Path) -> str | None:
    """Returns the DuckDB version named in a database file's header (`v2.0.1`), if any."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(_HEADER_BYTES)
    except OSError:
        return None
    if header[8:12] != b"DUCK":
        return None
    name = header[_VERSION_NAME].split(b"\0", 1)[0].decode("ascii", "replace")
    return name or None


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
