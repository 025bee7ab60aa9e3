"""Keyed writes that mean the same on both backends: a row whose key is stored is not added
twice. A DuckDB file enforces the key itself (INSERT … ON CONFLICT, through its index); a
DuckLake has no keys, so the same write is a MERGE on the key columns of storage.schema.KEYS.

Incoming rows are first cut to one per key, so neither backend ever sees a key twice in
one statement.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from storage.schema import KEYS, UNINDEXED, is_lake_connection


def upsert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows_sql: str,
    update: Sequence[str] = (),
    params: Sequence | dict | None = None,
) -> None:
    """Inserts the rows `rows_sql` selects into `table`, matched on the table's key: a row
    whose key is stored already gets its `update` columns from the incoming row (or, with
    no `update`, is left as it is)."""
    keys = KEYS[table]
    incoming = (
        f"SELECT * FROM ({rows_sql}) QUALIFY row_number() OVER (PARTITION BY {', '.join(keys)}) = 1"
    )
    # A table the file declares no key for (its index cost more than it saved) is merged
    # on its key columns, as on a lake: ON CONFLICT needs an index to name.
    if table in UNINDEXED or is_lake_connection(con):
        sql = _merge(table, keys, incoming, update)
    else:
        sql = _insert_on_conflict(table, keys, incoming, update)
    con.execute(sql, params)


def _merge(table: str, keys: Sequence[str], incoming: str, update: Sequence[str]) -> str:
    on = " AND ".join(f"{table}.{k} = incoming.{k}" for k in keys)
    matched = ""
    if update:
        matched = " WHEN MATCHED THEN UPDATE SET " + ", ".join(
            f"{c} = incoming.{c}" for c in update
        )
    return (
        f"MERGE INTO {table} USING ({incoming}) AS incoming ON {on}{matched}"
        " WHEN NOT MATCHED THEN INSERT BY NAME"
    )


def _insert_on_conflict(
    table: str, keys: Sequence[str], incoming: str, update: Sequence[str]
) -> str:
    action = "DO NOTHING"
    if update:
        action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in update)
    return f"INSERT INTO {table} BY NAME {incoming} ON CONFLICT ({', '.join(keys)}) {action}"
