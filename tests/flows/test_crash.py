"""kill -9 in the middle of `newsflow ingest`: the database stays whole and the next run
finishes the job, ending with exactly what a run never killed stores."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from newsflow.demo.site import SiteServer
from storage.db import connect
from storage.raw_html import join_waiting, waiting_dir
from tests.support.corpus_site import corpus_site
from tests.support.flows import run_flow, write_sources

# Log lines of the run at which it is killed, in this order: each run stores part of what
# the previous ones did not. 115 pages make two batches (100 + 15) on a fresh database.
KILL_POINTS = [
    r"'fetch pages 1' - Finished",  # feeds read, first batch being extracted, none stored
    r"batch 1 stored",  # between batches: batch 2 fetched, being extracted
    r"'extract and tag 1' - Finished",  # while the last batch is written
    r"'remember feeds[^']*' - Finished",  # while the run's row and the snapshot are written
]
INTEGRITY = {
    "duplicate urls": "SELECT count(*) - count(DISTINCT url) FROM articles",
    "articles without text": "SELECT count(*) FROM articles WHERE coalesce(text, '') = ''",
    "articles without raw page": """SELECT count(*) FROM articles a WHERE NOT EXISTS (
        SELECT 1 FROM raw_pages r WHERE r.url = a.url AND r.content_hash = a.content_hash)""",
    "articles without version": """SELECT count(*) FROM articles a WHERE NOT EXISTS (
        SELECT 1 FROM article_versions v WHERE v.url = a.url AND v.version = a.versions
        AND v.content_hash = a.content_hash)""",
    "articles without fetch": """SELECT count(*) FROM articles a WHERE NOT EXISTS (
        SELECT 1 FROM fetches f WHERE f.kind = 'page' AND f.outcome = 'ok'
        AND coalesce(f.final_url, f.url) = a.url)""",
}


@pytest.fixture
def cli_env(prefect_server) -> dict:
    from prefect.settings import PREFECT_API_URL

    # The subprocess talks to the session's test server instead of starting its own.
    return {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}


def _ingest_until(marker: str | None, sources, db, env, timeout: float = 240) -> str:
    """Runs `newsflow ingest`; kills its process group with SIGKILL as soon as a line matches
    `marker` (None: lets it finish). Returns "killed" or the exit code, as text."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsflow.cli", "ingest", "--sources", str(sources),
         "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        start_new_session=True,  # its own group: the extraction workers die with it
    )  # fmt: skip
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    deadline, seen = time.monotonic() + timeout, []
    try:
        while (line := lines.get(timeout=max(0.1, deadline - time.monotonic()))) is not None:
            seen.append(line)
            if marker and re.search(marker, line):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                return "killed"
        return str(proc.wait(timeout=30))
    except queue.Empty:
        pytest.fail(f"ingest stalled; last lines: {seen[-5:]}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        if marker:
            assert re.search(marker, "".join(seen)), f"never reached {marker!r}: {seen[-5:]}"


def _pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _integrity(db) -> dict[str, int]:
    """Returns the articles count and every integrity problem count, after opening the file
    as the next run does (read-write, write-ahead log replayed, migrated, the raw HTML the
    killed night left beside the file joined: flows.night.open_night)."""
    with connect(db, wait_seconds=10) as con:
        join_waiting(con, waiting_dir(db))
        found = {name: con.execute(sql).fetchall()[0][0] for name, sql in INTEGRITY.items()}
        found["articles"] = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    return found


def test_kill_9_at_four_points_then_a_full_run_matches_a_clean_one(tmp_path, corpus_dir, cli_env):
    with SiteServer(lambda base: corpus_site(corpus_dir, base)) as site:
        sources = write_sources(
            tmp_path / "s.toml", [("corpus", site.base_url + "/section0/feed.xml", "feed")]
        )
        assert run_flow(sources, tmp_path / "clean.duckdb").is_completed()
        clean = _integrity(tmp_path / "clean.duckdb")["articles"]
        db, progress = tmp_path / "news.duckdb", []
        for marker in KILL_POINTS:
            assert _ingest_until(marker, sources, db, cli_env) == "killed"
            found = _integrity(db)
            progress.append(found.pop("articles"))
            assert found == dict.fromkeys(INTEGRITY, 0), (marker, found)
        assert _ingest_until(None, sources, db, cli_env) == "0"
    final = _integrity(db)
    assert final == {**dict.fromkeys(INTEGRITY, 0), "articles": clean}
    assert clean > 100 and progress[0] == 0 and 0 < progress[1] < clean, progress
