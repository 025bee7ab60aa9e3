"""How a writer opens a DuckDB file: small row groups, so closing it after each batch (a
checkpoint) never rewrites a large one; the file is still the plain file readers open."""

from __future__ import annotations

import duckdb

from storage.db import ROW_GROUP_ROWS, connect


def _append(db, start: int, rows: int) -> None:
    with connect(db) as con:
        con.execute(
            "INSERT INTO runs (run_id, started_at, state) "
            "SELECT 'r' || i, now(), 'COMPLETED' FROM range(?, ?) t(i)",
            [start, start + rows],
        )


def test_writers_append_in_row_groups_of_row_group_rows(tmp_path):
    db = tmp_path / "news.duckdb"
    # Closed after each "batch", as the flow does: the last row group fills across closes.
    for n in range(6):
        _append(db, n * 1_000, 1_000)

    with duckdb.connect(str(db), read_only=True) as con:
        groups = con.execute(
            "SELECT row_group_id, max(count) FROM pragma_storage_info('runs') "
            "WHERE column_name = 'run_id' GROUP BY 1"
        ).fetchall()
        total = con.execute("SELECT count(*) FROM runs").fetchone()[0]

    assert total == 6_000
    assert len(groups) >= 6_000 // ROW_GROUP_ROWS  # DuckDB's default would make one
    assert max(rows for _, rows in groups) <= ROW_GROUP_ROWS


def test_the_file_keeps_its_usual_name_inside_sql(tmp_path):
    db = tmp_path / "news.duckdb"
    with connect(db) as con:
        assert con.execute("SELECT current_database()").fetchone()[0] == "news"
        con.execute("CREATE TEMP TABLE scratch AS SELECT 1 AS x")  # temp tables still work
        assert con.execute("SELECT count(*) FROM news.main.runs").fetchone()[0] == 0
