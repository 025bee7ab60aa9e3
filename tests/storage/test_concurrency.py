"""Many processes on one DuckLake: three writers and a reader at once, as shards of a night
and an analyst would be. Every batch is stored exactly once; the reader only ever sees the
count grow, and never an error."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from storage.schema import MIGRATIONS

REPO = Path(__file__).resolve().parents[2]
WRITERS = ("alpha", "beta", "gamma")
BATCHES, ARTICLES = 4, 10


def _client(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.lake_clients", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen, timeout: float = 600) -> None:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"{proc.args}: {err[-3000:]}"


def _start_writers(backend, tmp_path, batches=BATCHES) -> list[tuple[subprocess.Popen, Path]]:
    writers = []
    for name in WRITERS:
        out = tmp_path / f"{name}.json"
        args = ("write", backend.db, backend.data_path, name, str(batches), str(ARTICLES))
        writers.append((_client(*args, str(out)), out))
    return writers


def test_three_writers_and_a_reader_share_a_lake(lake_backend, tmp_path):
    with lake_backend.connect():
        pass  # the lake exists before the reader attaches it
    reader_out = tmp_path / "reader.json"
    reader = _client("read", lake_backend.db, "600", str(reader_out))
    ready = Path(str(reader_out) + ".ready")
    deadline = time.monotonic() + 120
    while not ready.exists() and reader.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ready.exists(), reader.stderr.read() if reader.poll() is not None else "not ready"
    writers = _start_writers(lake_backend, tmp_path)
    sql = "SELECT count(*) AS n FROM articles WHERE text <> ''"  # reads the Parquet files
    query = subprocess.run(  # the CLI too, while the writers write
        [sys.executable, "-m", "newsflow.cli", "query", sql, "--db", lake_backend.db,
         "--format", "csv"], capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    for proc, _ in writers:
        _finish(proc)
    Path(str(reader_out) + ".stop").write_text("stop")
    assert query.returncode == 0, query.stderr
    assert query.stdout.splitlines()[0] == "n" and int(query.stdout.splitlines()[1]) >= 0
    _finish(reader)

    total = len(WRITERS) * BATCHES * ARTICLES
    seen = json.loads(reader_out.read_text())
    assert seen["errors"] == []
    assert seen["counts"] == sorted(seen["counts"])  # only ever grows
    assert any(0 < c < total for c in seen["counts"])  # it read while the writers wrote
    with lake_backend.connect(read_only=True) as con:
        stored = {
            table: con.execute(f"SELECT count(*), count(DISTINCT {key}) FROM {table}").fetchall()
            for table, key in (
                ("articles", "url"),
                ("fetches", "fetch_id"),
                ("article_versions", "(url, version)"),
                ("raw_pages", "(url, content_hash)"),
                ("tags", "(url, kind, value, tagger)"),
                ("source_health", "source"),
                ("runs", "run_id"),
            )
        }
        states = con.execute("SELECT DISTINCT state FROM runs").fetchall()
    assert stored == {
        "articles": [(total, total)],
        "fetches": [(total, total)],
        "article_versions": [(total, total)],
        "raw_pages": [(total, total)],
        "tags": [(total, total)],
        "source_health": [(3, 3)],
        "runs": [(3, 3)],
    }
    assert states == [("COMPLETED",)]
    retried = [json.loads(out.read_text())["retried"] for _, out in writers]
    print("commits retried per writer:", retried)  # shown with -s; measured in bench/


def test_writers_that_open_a_new_lake_together_migrate_it_once(lake_backend, tmp_path):
    writers = _start_writers(lake_backend, tmp_path, batches=1)  # no lake yet: each may create it
    for proc, _ in writers:
        _finish(proc)
    with lake_backend.connect(read_only=True) as con:
        versions = con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        articles = con.execute("SELECT count(*) FROM articles").fetchall()
    assert versions == [(v,) for v in range(1, len(MIGRATIONS) + 1)]
    assert articles == [(len(WRITERS) * ARTICLES,)]
