"""Shuts an analyst's DuckDB connection in: the database, and nothing else on the machine.

`newsflow query` runs whatever SQL it is given. A read-only file refuses writes to the
database, but DuckDB can also read and write any file (`COPY ... TO`, `EXPORT DATABASE`,
`read_text`, `glob`, `ATTACH`, `PRAGMA profiling_output`), download and load extensions
(`INSTALL` after `SET custom_extension_repository`) and change its own settings (`SET`).
`lock_down` turns all of that off, after the caller has loaded what it needs: files
(external access), extensions loading themselves, then the configuration itself, so that
no statement can turn any of it back on. Commands that must write files (exports, search
indexes) do so in their own code, never through an analyst's SQL.

Some folders stay open, and DuckDB lets a statement write wherever it may read: a lake's
data path (its Parquet files) and the temp folder beside a database file. So statements
that write files (`COPY`, `COPY FROM DATABASE`, `EXPORT DATABASE`, `ATTACH`, and those
run under `EXPLAIN ANALYZE`) are refused before anything runs (`refuse_writes`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import duckdb

from newsflow.errors import StorageError
from storage.extensions import load_extension
from storage.lake import recorded_data_path
from storage.schema import is_lake_connection

_LOCKS = (
    "SET enable_external_access = false",  # no file but the open database, no network
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_community_extensions = false",
    "SET lock_configuration = true",  # last: from here on no SET, RESET or PRAGMA changes it
)


_WRITING = {
    duckdb.StatementType.COPY: "COPY",
    duckdb.StatementType.COPY_DATABASE: "COPY FROM DATABASE",
    duckdb.StatementType.EXPORT: "EXPORT DATABASE",
    duckdb.StatementType.ATTACH: "ATTACH",
}
# What an EXPLAIN explains (leading comments, then EXPLAIN and its options): EXPLAIN
# ANALYZE runs it.
_EXPLAINED = re.compile(
    r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*explain\b\s*(?:analy[sz]e\b|\([^()]*\))?(.*)$",
    re.IGNORECASE | re.DOTALL,
)


def refuse_writes(con: duckdb.DuckDBPyConnection, sql: str, db: str) -> None:
    """Raises StorageError naming the first statement of `sql` that would write a file."""
    for statement in con.extract_statements(sql):
        if statement.type == duckdb.StatementType.EXPLAIN:
            explained = _EXPLAINED.match(statement.query)
            if explained is None:
                raise StorageError(db, "newsflow query writes no file: unreadable EXPLAIN")
            refuse_writes(con, explained.group(1), db)
        elif statement.type in _WRITING:
            raise StorageError(
                db, f"newsflow query writes no file: {_WRITING[statement.type]} refused"
            )


def lock_down(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Returns con with file, network and extension access off and its settings locked."""
    if is_lake_connection(con):
        # A DuckLake's tables are the Parquet files under its data path: the one folder
        # its queries must still read (the attach is read-only: they cannot write there).
        path = recorded_data_path(con).replace("'", "''")
        con.execute(f"SET allowed_directories = ['{path}']")
    for statement in _LOCKS:
        con.execute(statement)
    return con


class Answer(NamedTuple):
    """What a query gave: its columns' names and its rows."""

    columns: list[str]
    rows: Iterable[tuple]


def answer(con: duckdb.DuckDBPyConnection, sql: str) -> Answer:
    """Returns what `sql` gives on con, as it runs there (see `answer_locked_down`)."""
    cursor = con.execute(sql)
    return Answer([d[0] for d in cursor.description or []], cursor.fetchall())


def answer_locked_down(con: duckdb.DuckDBPyConnection, sql: str, db: str) -> Answer:
    """Returns what an analyst's `sql` gives on con (the database `db`), once con is locked
    down, its rows streamed as DuckDB makes them: read them before con closes."""
    refuse_writes(con, sql, db)
    load_extension(con, "fts")  # before the lock: match_bm25 on the index (docs/search.md)
    cursor = lock_down(con).execute(sql)
    return Answer([d[0] for d in cursor.description or []], _streamed(cursor))


def _streamed(cursor: duckdb.DuckDBPyConnection, chunk: int = 10_000) -> Iterator[tuple]:
    """Yields the result's rows a chunk at a time: a big result is never held whole."""
    while rows := cursor.fetchmany(chunk):
        yield from rows
