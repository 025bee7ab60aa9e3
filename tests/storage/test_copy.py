"""Moving a DuckDB file to a DuckLake: every row copied once, again adds nothing."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

from storage.copy import TABLES, copy_database
from storage.db import connect
from storage.state import finish_run, save_source_states, start_run
from storage.writes import write_batch
from tests.support.batches import batch_rows, stored_article


def _fill(db) -> None:
    now = datetime.now(UTC)
    with connect(db) as con:
        start_run(con, "run-1", now)
        for n in range(2):
            articles = [
                stored_article(f"https://b.example/{n}/{i}", f"t {n} {i}") for i in range(5)
            ]
            write_batch(con, "run-1", *batch_rows("run-1", articles))
        save_source_states(con, [{"source": "blog", "consecutive_failures": 0, "healthy": True}])
        finish_run(con, "run-1", {
            "started_at": now, "finished_at": now, "state": "COMPLETED", "sources_total": 1,
            "sources_failed": 0, "articles_new": 10, "articles_updated": 0,
            "articles_unchanged": 0, "fetches": 10, "fetch_errors": 0, "message": "ok",
        })  # fmt: skip


def _tables(con) -> dict[str, list]:
    return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}


def test_a_file_copied_to_a_lake_twice_has_every_row_once(tmp_path, lake_backend):
    source = tmp_path / "news.duckdb"
    _fill(source)
    first = copy_database(source, lake_backend.db, lake_backend.data_path)
    again = copy_database(source, lake_backend.db, lake_backend.data_path)
    with connect(source, read_only=True) as con:
        expected = _tables(con)
    with lake_backend.connect(read_only=True) as con:
        copied = _tables(con)
    assert first == again and first["articles"] == 10 and first["runs"] == 1
    assert copied == expected


def test_the_copy_command_puts_the_files_where_sources_toml_says(tmp_path):
    source = tmp_path / "news.duckdb"
    _fill(source)
    sources = tmp_path / "sources.toml"
    sources.write_text('[storage]\ndata_path = "lake-files"\n')
    lake = f"ducklake:sqlite:{tmp_path / 'catalog.sqlite'}"
    command = [sys.executable, "-m", "newsflow.cli", "copy-db", "--from", str(source)]
    result = subprocess.run(
        [*command, "--to", lake, "--sources", str(sources)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "articles" in result.stdout
    assert list((tmp_path / "lake-files" / "main" / "articles").glob("*.parquet"))
    missing = subprocess.run(
        [*command[:-1], str(tmp_path / "nope.duckdb"), "--to", lake, "--sources", str(sources)],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "expected an existing DuckDB file" in missing.stderr
