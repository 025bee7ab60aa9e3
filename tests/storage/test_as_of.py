"""`newsflow query --as-of`: a DuckLake read as it was before a run, or at a timestamp."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.errors import StorageError
from storage.as_of import connect_as_of
from storage.state import start_run
from storage.writes import write_batch
from tests.support.backends import make_backend
from tests.support.batches import batch_rows, stored_article
from tests.support.cli import newsflow


def _night(backend, run_id: str, first: int, count: int) -> datetime:
    """Returns when the run started, after it wrote `count` new articles."""
    started = datetime.now(UTC)
    articles = [
        stored_article(f"https://b.example/{i}", f"text {i}") for i in range(first, first + count)
    ]
    with backend.connect() as con:
        start_run(con, run_id, started)
        write_batch(con, run_id, *batch_rows(run_id, articles))
    return started


def _count(backend, when: str) -> int:
    with connect_as_of(backend.db, when) as (con, _moment):
        return con.execute("SELECT count(*) FROM articles").fetchall()[0][0]


def test_as_of_a_run_is_what_was_stored_before_it(lake_backend):
    with lake_backend.connect():
        pass  # the lake exists (with its schema) before the first run
    first = _night(lake_backend, "run-1", 0, 3)
    second = _night(lake_backend, "run-2", 3, 2)
    assert _count(lake_backend, "run-1") == 0
    assert _count(lake_backend, "run-2") == 3
    assert _count(lake_backend, second.isoformat()) == 3
    assert _count(lake_backend, datetime.now(UTC).isoformat()) == 5
    with connect_as_of(lake_backend.db, "run-2") as (con, moment):
        assert moment.run_id == "run-2" and moment.at == second
        with pytest.raises(Exception, match="read-only"):
            con.execute("DELETE FROM articles")
    assert first < second


def test_unknown_runs_and_moments_before_the_lake_are_named(lake_backend):
    _night(lake_backend, "run-1", 0, 1)
    with pytest.raises(StorageError, match="nor a run id"), connect_as_of(lake_backend.db, "nope"):
        pass
    with (
        pytest.raises(StorageError, match="oldest kept"),
        connect_as_of(lake_backend.db, "2001-01-01T00:00:00"),
    ):
        pass


@pytest.mark.parametrize("kind", ["file", "ducklake-sqlite"])
def test_the_query_command_answers_as_of_a_run_on_a_lake_only(kind, tmp_path, request):
    backend = make_backend(kind, tmp_path, request)
    _night(backend, "run-1", 0, 3)
    _night(backend, "run-2", 3, 2)
    sql = "SELECT count(*) AS n FROM articles WHERE text <> ''"  # reads the Parquet files
    result = newsflow("query", "--as-of", "run-2", sql, "--db", backend.db, "--format", "csv")
    if kind == "file":
        assert result.returncode == 2
        assert "--as-of needs a DuckLake" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["n", "3"]
    assert "as of run run-2" in result.stderr
    now = newsflow("query", sql, "--db", backend.db, "--format", "csv")
    assert now.stdout.splitlines() == ["n", "5"]
    # As sandboxed on a lake as on a file: the lake's own files only.
    outside = newsflow("query", "SELECT * FROM read_text('/etc/hostname')", "--db", backend.db)
    assert outside.returncode == 2 and "disabled by configuration" in outside.stderr
