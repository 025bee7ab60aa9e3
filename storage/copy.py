"""Copies a DuckDB file's tables into another database: how a file moves to a DuckLake.

The source is attached read-only next to the target; each table is copied in its own
transaction with the keyed write (storage/upsert.py), so a copy cut short can simply be
run again: rows already copied are not added twice.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from newsflow.errors import StorageError
from storage.db import connect, newer_format_advice, written_by
from storage.lake import is_lake
from storage.raw_html import COLUMNS, waiting_dir, waiting_files
from storage.schema import KEYS
from storage.transaction import in_transaction
from storage.upsert import upsert

log = logging.getLogger(__name__)

SOURCE = "copied_from"  # the alias the source file is attached under
# schema_version is the target's own (its migrations ran when it was opened).
TABLES = [table for table in KEYS if table != "schema_version"]


def copy_database(source: str | Path, target: str, data_path: str | None = None) -> dict:
    """Returns {table: rows in the source} once every row is in `target` as well.

    `source` is a DuckDB file (not touched); `target` any database `connect` opens.
    """
    source = Path(source)
    if is_lake(str(source)) or not source.is_file():
        raise StorageError(str(source), "expected an existing DuckDB file to copy from")
    with connect(target, data_path=data_path) as con:
        _attach_source(con, source)
        try:
            return {table: _copy_table(con, table, source) for table in TABLES}
        finally:
            con.execute(f"DETACH {SOURCE}")


def _attach_source(con: duckdb.DuckDBPyConnection, source: Path) -> None:
    try:
        con.execute(f"ATTACH '{str(source).replace(chr(39), chr(39) * 2)}' AS {SOURCE} (READ_ONLY)")
    except duckdb.Error as exc:
        if written_by(source) and "newer version" in str(exc):
            raise StorageError(str(source), newer_format_advice(source)) from None
        raise StorageError(str(source), str(exc).splitlines()[0]) from None


def _copy_table(con: duckdb.DuckDBPyConnection, table: str, source: Path) -> int:
    # Columns by name: a source from an older newsflow may lack newer columns.
    columns = [
        name
        for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = ?",
            [SOURCE, table],
        ).fetchall()
    ]
    if not columns:
        return 0
    rows_sql = f"SELECT {', '.join(columns)} FROM {SOURCE}.main.{table}"
    # A night cut short: its raw HTML may still wait beside the source (raw_pages only).
    if table == "raw_pages" and (waiting := [str(p) for p in waiting_files(waiting_dir(source))]):
        rows_sql += f" UNION ALL SELECT {COLUMNS} FROM read_parquet({waiting!r})"
    try:
        in_transaction(con, lambda: upsert(con, table, rows_sql), f"copy {table}")
    except duckdb.Error as exc:  # e.g. a damaged file of raw HTML waiting beside the source
        raise StorageError(str(source), f"copy {table}: {str(exc).splitlines()[0]}") from None
    [(rows,)] = con.execute(f"SELECT count(*) FROM {SOURCE}.main.{table}").fetchall()
    log.info("copied %s: %d rows", table, rows)
    return rows
