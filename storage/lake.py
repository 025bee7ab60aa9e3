"""DuckLake: the same tables in a SQL catalog (SQLite or PostgreSQL) with Parquet data files.

`db` strings are DuckDB's own attach strings: `ducklake:sqlite:PATH` (one machine, many
processes) and `ducklake:postgres:dbname=… host=… port=… user=…` (many machines). The
lake is attached as `lake` and made the default catalog, so every query names the
tables plainly, as on the file backend. The data path (where Parquet files go) is given
when the lake is created and recorded in its catalog: readers need only the catalog.

Attaching loads two extensions (~0.2 s), so each process keeps one DuckDB instance per
lake and hands out a cursor per `connect`; DuckLake gives every transaction its own
snapshot, so a long-lived attachment still sees other processes' commits.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
import time
from pathlib import Path

import duckdb

from newsflow.errors import StorageError
from storage.extensions import load_extension

log = logging.getLogger(__name__)

PREFIX = "ducklake:"
ALIAS = "lake"  # the name the lake is attached under; `USE lake` makes its tables plain
CATALOG_EXTENSIONS = {"sqlite": "sqlite_scanner", "postgres": "postgres_scanner"}
# SQLite as catalog: WAL lets readers go on while a writer commits; the busy timeout
# covers short waits (an upgrade to a write lock can still fail at once: that is retried).
# A read-only attach must not set the journal mode (that is a write).
SQLITE_WRITER = "METADATA_PARAMETERS MAP {'journal_mode': 'wal', 'busy_timeout': '10000'}"
SQLITE_READER = "METADATA_PARAMETERS MAP {'busy_timeout': '10000'}"
# Errors of a commit that lost a race with another writer: retrying from the start works.
# "Failed to load DuckLake": a commit that read the catalog while another process was
# creating the same tables on a new SQLite-catalogued lake (seen once in a full CI run).
_CONFLICT_MARKERS = (
    "transaction conflict",
    "database is locked",
    "could not serialize",
    "failed to load ducklake",
)

INIT_ATTEMPTS = 5

_engines: dict[tuple, duckdb.DuckDBPyConnection] = {}
_engines_lock = threading.Lock()


def is_lake(db: str | Path) -> bool:
    """Returns whether `db` names a DuckLake rather than a DuckDB file."""
    return str(db).startswith(PREFIX)


def catalog_kind(db: str | Path) -> str:
    """Returns `sqlite` or `postgres`; raises StorageError for any other DuckLake catalog."""
    kind, _, location = str(db)[len(PREFIX) :].partition(":")
    if kind not in CATALOG_EXTENSIONS or not location.strip():
        raise StorageError(
            shown(db),
            "expected ducklake:sqlite:PATH or ducklake:postgres:dbname=… host=… port=… user=…"
            " (a DuckDB-file catalog admits one process at a time: use the plain file instead)",
        )
    return kind


def shown(db: str | Path) -> str:
    """Returns `db` fit for a message or a log: a password in it is masked."""
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", str(db))


def is_conflict(exc: BaseException) -> bool:
    """Returns whether a failed commit lost a race with another writer (worth a retry)."""
    return isinstance(exc, duckdb.Error) and any(
        marker in str(exc).lower() for marker in _CONFLICT_MARKERS
    )


def open_lake(
    db: str, *, data_path: str | None = None, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Returns a new connection whose default catalog is the lake `db`.

    Raises StorageError when the catalog cannot be reached, does not exist yet (read-only),
    or records another data path than `data_path`.
    """
    # One instance per lake and mode: `data_path` matters only when it attaches first.
    key = (os.getpid(), db, read_only)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _attach(db, data_path=data_path, read_only=read_only)
    cursor = engine.cursor()
    try:
        cursor.execute(f"USE {ALIAS}")
    except duckdb.Error as exc:  # the instance is unusable: the next call attaches anew
        with _engines_lock:
            _engines.pop(key, None)
        raise StorageError(shown(db), _first_line(exc)) from None
    return cursor


def open_snapshot(db: str, snapshot_id: int) -> duckdb.DuckDBPyConnection:
    """Returns a read-only connection that sees the lake as of snapshot `snapshot_id`."""
    return _attach(db, read_only=True, options=f"SNAPSHOT_VERSION {int(snapshot_id)}")


def forget_engines() -> None:
    """Closes this process's lake instances: at exit, so a PostgreSQL catalog sees its
    sessions closed rather than cut, and in tests before they drop their catalogs."""
    with _engines_lock:
        for engine in _engines.values():
            engine.close()
        _engines.clear()


atexit.register(forget_engines)


def _attach(
    db: str, *, data_path: str | None = None, read_only: bool = False, options: str = ""
) -> duckdb.DuckDBPyConnection:
    # Processes that open a new lake at once race to create its catalog tables; the losers
    # fail ("already exists") and find the winner's catalog on the next try.
    for attempt in range(1, INIT_ATTEMPTS + 1):
        try:
            return _attach_once(db, data_path, read_only, options)
        except _CatalogRace:
            log.info("lake %s was being created by another process (try %d)", shown(db), attempt)
            time.sleep(0.2 * attempt)
    return _attach_once(db, data_path, read_only, options)


class _CatalogRace(StorageError):
    """A new lake's catalog was being created by another process: worth another try."""

    transient = True


def _attach_once(
    db: str, data_path: str | None, read_only: bool, options: str
) -> duckdb.DuckDBPyConnection:
    kind = catalog_kind(db)
    if kind == "sqlite" and read_only and not Path(str(db).split(":", 2)[2]).exists():
        raise StorageError(
            shown(db), "the lake's catalog does not exist yet (run `newsflow ingest`)"
        )
    con = duckdb.connect()
    try:
        load_extension(con, "ducklake")
        load_extension(con, CATALOG_EXTENSIONS[kind])
        if data_path and "://" in data_path:
            load_extension(con, "httpfs")
        attach_options = _attach_options(kind, data_path, read_only, options)
        con.execute(f"ATTACH {_quote(db)} AS {ALIAS} ({attach_options})")
        con.execute(f"USE {ALIAS}")
        if not data_path and "://" in recorded_data_path(con):
            load_extension(con, "httpfs")  # files on object storage: s3://, https://
    except duckdb.Error as exc:
        con.close()
        message = str(exc)
        if "Failed to initialize DuckLake" in message and (
            "already exists" in message or is_conflict(exc)
        ):
            raise _CatalogRace(
                shown(db), "its catalog is being created by another process"
            ) from None
        raise StorageError(shown(db), _attach_error(exc)) from None
    log.info("attached lake %s (data path %s)", shown(db), data_path or "from its catalog")
    return con


def recorded_data_path(con: duckdb.DuckDBPyConnection) -> str:
    """Returns the data path the attached lake's catalog records."""
    [(path,)] = con.execute(
        f"SELECT value FROM {ALIAS}.options() WHERE option_name = 'data_path'"
    ).fetchall()
    return path


def _attach_options(kind: str, data_path: str | None, read_only: bool, extra: str) -> str:
    options = []
    if kind == "sqlite":
        options.append(SQLITE_READER if read_only else SQLITE_WRITER)
    if data_path:
        options.append(f"DATA_PATH {_quote(data_path)}")
    if not read_only:
        # No rows inlined in the catalog: in DuckLake 1.5.5, inlined rows of a table that
        # gained a column (migration 4) break maintenance ("Referenced column
        # last_attempt_at not found" on rewrite) and, after it, reads (a dropped inlined
        # table). Small commits make small files instead, which maintenance merges.
        options.append("DATA_INLINING_ROW_LIMIT 0")
    if read_only:
        options.append("READ_ONLY")
    if extra:
        options.append(extra)
    return ", ".join(options)


def _attach_error(exc: duckdb.Error) -> str:
    message = " ".join(str(exc).split())
    if "does not match existing data path" in message:
        return (
            f"{message} Set [storage] data_path in sources.toml to the lake's data path"
            " (a lake's Parquet files stay where it was created)."
        )
    return message[:500]


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
