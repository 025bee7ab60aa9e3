"""Supervised extraction workers: a page that hangs is cut off at the deadline, a worker
that dies (segfault, kill -9) is replaced and its page tried once more alone, and every
other page of the batch is extracted and stored."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime

import duckdb
import pytest

from extractors.pool.pipeline import ExtractorPool, PageInput
from extractors.pool.workers import Job, Supervisor
from newsflow.models import FetchResult
from storage.db import connect
from storage.writes import write_results
from tests.support.extraction_faults import SLOW_SECONDS, inject_faults

NOW = datetime(2026, 11, 27, tzinfo=UTC)
STORY = (
    "The harbour authority said on Monday that the new ferry line would open in spring, "
    "linking the island's two largest towns for the first time in thirty years."
)


def _page(path: str) -> PageInput:
    body = (
        f"<html lang='en'><head><title>{path}</title></head><body><article><h1>{path}</h1>"
        + "".join(f"<p>{n}. {STORY}</p>" for n in range(4))
        + "</article></body></html>"
    ).encode()
    return PageInput(url=f"http://news.example{path}", source="s", body=body,
                     content_type="text/html", fetched_at=NOW)  # fmt: skip


def _run(pool: ExtractorPool, pages: list[PageInput]):
    return [r for future in pool.submit(pages) for r in future.result(timeout=300)]


def _store(tmp_path, pages, results) -> set[str]:
    """Writes the batch as the night does; returns the URLs stored as articles."""
    fetches = [FetchResult(url=p.url, source="s", kind="page", outcome="ok", fetched_at=NOW)
               for p in pages]  # fmt: skip
    with connect(tmp_path / "news.duckdb") as con:
        write_results(con, "run", fetches, results, {}, NOW, {p.url: p.body for p in pages})
    with duckdb.connect(str(tmp_path / "news.duckdb"), read_only=True) as con:
        return {u for (u,) in con.execute("SELECT url FROM articles").fetchall()}


@pytest.fixture(scope="module")
def pool():
    """Two workers with the fault hook, a 4 s deadline; warmed up once for the module."""
    with ExtractorPool(workers=2, deadline=4.0, test_fault_hook=inject_faults) as started:
        started.start()
        _run(started, [_page("/warm-up")])
        yield started


def test_a_hanging_page_is_cut_off_at_the_deadline_and_the_rest_stored(pool, tmp_path):
    pages = [_page(f"/a{n}") for n in range(3)] + [_page("/hang")] + [_page("/b0")]
    before = set(pool.worker_pids())

    results = _run(pool, pages)

    by_url = {r.url: r for r in results}
    assert by_url["http://news.example/hang"].error == "timeout: extraction took over 4s"
    assert [r.url for r in results] == [p.url for p in pages]  # in order, none missing
    stored = _store(tmp_path, pages, results)
    assert stored == {p.url for p in pages} - {"http://news.example/hang"}
    assert len(pool.worker_pids()) == 2 and set(pool.worker_pids()) != before  # replaced


def test_a_page_that_kills_its_worker_is_tried_once_more_then_recorded(pool, tmp_path):
    pages = [_page("/c0"), _page("/segfault"), _page("/c1"), _page("/c2")]

    results = _run(pool, pages)

    crashed = next(r for r in results if r.url.endswith("/segfault"))
    assert crashed.error == "extraction worker died twice on this page (signal 11 (SIGSEGV))"
    assert _store(tmp_path, pages, results) == {p.url for p in pages if "segfault" not in p.url}


def test_a_worker_killed_mid_batch_loses_no_page(pool, tmp_path):
    pids = tmp_path / "pids"
    pages = [_page(f"/d{n}") for n in range(3)]
    pages.insert(1, _page(f"/slow?pids={pids}"))
    futures = pool.submit(pages)
    deadline = time.monotonic() + 60
    while not pids.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    victim = int(pids.read_text().split()[0])

    os.kill(victim, signal.SIGKILL)  # while it holds the slow page (SLOW_SECONDS long)
    results = [r for future in futures for r in future.result(timeout=300)]

    assert SLOW_SECONDS < 4.0  # the retry must fit the deadline
    assert all(r.article is not None for r in results), [r.error for r in results]
    tries = pids.read_text().split()
    assert len(tries) == 2 and tries[1] != str(victim)  # tried again, on a new worker
    assert victim not in pool.worker_pids()
    assert _store(tmp_path, pages, results) == {p.url for p in pages}


def test_workers_that_cannot_start_fail_their_pages_instead_of_hanging_the_night():
    def no_process():
        raise OSError("fork server gone")

    supervisor = Supervisor(size=1, spawn=no_process, deadline=4.0)
    delivered = []
    done = threading.Event()

    def deliver(result, *_):
        delivered.append(result.error)
        done.set()

    supervisor.put(Job(_page("/e0"), (), deliver))
    assert done.wait(30)
    supervisor.stop()
    assert delivered == ["extraction workers failed: OSError('fork server gone')"]
