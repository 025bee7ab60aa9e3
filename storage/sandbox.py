"""Shuts an analyst's DuckDB connection in: the database, and nothing else on the machine.

`newsflow query` runs whatever SQL it is given. A read-only file refuses writes to the
database, but DuckDB can also read and write any file (`COPY ... TO`, `EXPORT DATABASE`,
`read_text`, `glob`, `ATTACH`, `PRAGMA profiling_output`), download and load extensions
(`INSTALL` after `SET custom_extension_repository`) and change its own settings (`SET`).
`lock_down` turns all of that off, after the caller has loaded what it needs: files
(external access), extensions loading themselves, then the configuration itself, so that
no statement can turn any of it back on. Commands that must write files (exports, search
indexes) do so in their own code, never through an analyst's SQL.
"""

from __future__ import annotations

from typing import NamedTuple

import duckdb

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
    rows: list[tuple]


def answer(con: duckdb.DuckDBPyConnection, sql: str) -> Answer:
    """Returns what `sql` gives on con, as it runs there (see `answer_locked_down`)."""
    cursor = con.execute(sql)
    return Answer([d[0] for d in cursor.description or []], cursor.fetchall())


def answer_locked_down(con: duckdb.DuckDBPyConnection, sql: str) -> Answer:
    """Returns what an analyst's `sql` gives on con, once con is locked down."""
    load_extension(con, "fts")  # before the lock: match_bm25 on the search index (README)
    return answer(lock_down(con), sql)
