"""One schema on both backends: same tables, columns and keys; the docs' queries run on each."""

from __future__ import annotations

import re

from storage.reports import articles_per_day, source_overview
from storage.schema import KEYS, MIGRATIONS, UNINDEXED, for_lake
from storage.writes import write_batch
from tests.support.backends import make_backend
from tests.support.batches import NOW, batch_rows, stored_article
from tests.support.docs import all_text, page_text


def _columns(con) -> dict[str, list[tuple[str, str, str]]]:
    rows = con.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
        " WHERE table_catalog = current_database() AND table_schema = 'main'"
        " ORDER BY table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list] = {}
    for table, column, data_type, nullable in rows:
        tables.setdefault(table, []).append((column, data_type, nullable))
    return tables


def test_keys_are_the_primary_keys_the_file_declares(tmp_path, request):
    with make_backend("file", tmp_path, request).connect() as con:
        rows = con.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints()"
            " WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()"
        ).fetchall()
    declared = {t: k for t, k in KEYS.items() if t not in UNINDEXED}
    assert {table: tuple(columns) for table, columns in rows} == declared


def test_lake_ddl_has_no_key_left():
    # (that every column survives is the next test's: the lake's columns equal the file's)
    for ddl in MIGRATIONS:
        lake = for_lake(ddl)
        assert "PRIMARY KEY" not in lake.upper()
        assert lake.count("CREATE TABLE") == ddl.count("CREATE TABLE")


def test_every_table_and_view_is_the_same_on_each_backend(backend, tmp_path, request):
    with make_backend("file", tmp_path / "reference", request).connect() as con:
        expected = _columns(con)
    with backend.connect() as con:
        actual = _columns(con)
        version = con.execute("SELECT max(version) FROM schema_version").fetchall()
    assert {"articles", "article_tags", "minhash_bands", "schema_version"} <= set(actual)
    assert actual == expected  # names, types, order and NOT NULL (keys included) alike
    assert version == [(len(MIGRATIONS),)]


def documented_queries() -> list[str]:
    """Returns the SQL of every `newsflow query "…"` example of README.md and docs/ on the
    database (those on the search index file run in tests/flows/test_analyst_cli.py)."""
    text = all_text()
    found = re.findall(
        r'uv run newsflow query (?!--db \S*search\.duckdb)(?:--\S+ \S+ )*"(.+?)"', text, re.DOTALL
    )
    return [" ".join(q.split()) for q in found]


def test_every_documented_query_and_report_runs_on_each_backend(backend):
    queries = documented_queries()
    assert len(queries) >= 9
    batch = batch_rows(
        "run-1", [stored_article(f"https://b.example/{i}", f"text {i}") for i in range(3)]
    )
    with backend.connect() as con:
        write_batch(con, "run-1", *batch)
        con.execute(
            "INSERT INTO runs (run_id, started_at, state) VALUES ('run-1', ?, 'COMPLETED')", [NOW]
        )
        answers = {sql: con.execute(sql).fetchall() for sql in queries}
        per_day = articles_per_day(con)
        overview = source_overview(con)
    per_language = next(rows for sql, rows in answers.items() if "SELECT language" in sql)
    assert per_language == [(None, 3)]  # the articles written are seen by the queries
    assert [(source, n) for _, source, n in per_day] == [("blog", 3)]  # the run's chart
    assert overview["blog"][2] == 3  # `newsflow sources`


def documented_columns(table: str) -> set[str]:
    """Returns the column names docs/schema.md's table gives for `table`."""
    text = page_text("schema.md")
    row = next(line for line in text.splitlines() if line.startswith(f"| `{table}` "))
    cells = row.split(" | ")
    return set(re.findall(r"`([a-z_]+)`", cells[-1]))


def test_source_status_is_documented_column_for_column(tmp_path, request):
    with make_backend("file", tmp_path, request).connect() as con:
        actual = {table: [c for c, _, _ in columns] for table, columns in _columns(con).items()}
    assert documented_columns("source_status") == set(actual["source_status"])
    # source_health's table lists its main columns: all but last_run_id (never filled)
    assert documented_columns("source_health") == set(actual["source_health"]) - {"last_run_id"}
    assert {"gaps", "last_gap_at"} <= set(actual["source_status"])


def test_source_status_pace_and_gap_columns_have_the_issued_types(tmp_path, request):
    with make_backend("file", tmp_path, request).connect() as con:
        described = {c: t for c, t, *_ in con.execute("DESCRIBE source_status").fetchall()}
        schema = {c: t for c, t, _ in _columns(con)["source_status"]}
    wanted = {"next_due_at": "TIMESTAMP WITH TIME ZONE", "gaps": "INTEGER",
              "last_gap_at": "TIMESTAMP WITH TIME ZONE"}  # fmt: skip
    assert {c: described[c] for c in wanted} == wanted
    assert {c: schema[c] for c in wanted} == wanted
