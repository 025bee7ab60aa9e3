"""Processes that share one DuckLake in the concurrency tests: writers (as shards of a night
would be) and a reader (as an analyst's DuckDB shell is).

    python -m tests.support.lake_clients write DB DATA_PATH WRITER BATCHES ARTICLES OUT
    python -m tests.support.lake_clients read DB SECONDS OUT

Each writes what it saw as JSON to OUT when done.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb


def write(db: str, data_path: str, writer: str, batches: int, articles: int, out: str) -> None:
    """Writes `batches` batches of new articles, each also rewritten (a retried task),
    and the writer's source health after each: concurrent inserts, updates and deletes."""
    from storage import transaction
    from storage.db import connect
    from storage.state import finish_run, save_source_states, start_run
    from storage.writes import write_batch
    from tests.support.batches import batch_rows, stored_article

    started = time.monotonic()
    run_id = f"run-{writer}"
    with connect(db, data_path=data_path) as con:
        start_run(con, run_id, datetime.now(UTC))
        for n in range(batches):
            urls = [f"https://{writer}.example/{n}/{i}" for i in range(articles)]
            batch = batch_rows(run_id, [stored_article(u, f"{writer} {n} {u}") for u in urls])
            write_batch(con, run_id, *batch)
            write_batch(con, run_id, *batch)  # again, as a retried task would: adds nothing
            health = {"source": writer, "consecutive_failures": 0, "healthy": True}
            save_source_states(con, [{**health, "last_attempt_at": datetime.now(UTC)}])
        finish_run(con, run_id, _summary(batches * articles))
    _dump(out, {"seconds": time.monotonic() - started, "retried": transaction.retried})


def read(db: str, seconds: float, out: str) -> None:
    """Polls the article count every 0.2 s through its own read-only attachment, the way a
    DuckDB shell attaches a lake, and records every count and error."""
    from storage.extensions import load_extension

    con = duckdb.connect()
    load_extension(con, "ducklake")
    load_extension(con, "postgres_scanner" if ":postgres:" in db else "sqlite_scanner")
    con.execute(f"ATTACH '{db}' AS news (READ_ONLY)")
    con.execute("USE news")
    counts, errors = [], []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            counts.append(con.execute("SELECT count(*) FROM articles").fetchall()[0][0])
        except duckdb.Error as exc:
            errors.append(str(exc))
        if len(counts) == 1:
            Path(out + ".ready").write_text("ready")
        time.sleep(0.2)
        if Path(out + ".stop").exists():
            break
    _dump(out, {"counts": counts, "errors": errors})


def _summary(new: int) -> dict:
    now = datetime.now(UTC)
    return {
        "started_at": now, "finished_at": now, "state": "COMPLETED", "sources_total": 1,
        "sources_failed": 0, "articles_new": new, "articles_updated": 0,
        "articles_unchanged": new, "fetches": new, "fetch_errors": 0, "message": "",
    }  # fmt: skip


def _dump(out: str, data: dict) -> None:
    Path(out).write_text(json.dumps(data))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "write":
        db, data_path, writer, batches, articles, out = args
        write(db, data_path, writer, int(batches), int(articles), out)
    else:
        db, seconds, out = args
        read(db, float(seconds), out)
