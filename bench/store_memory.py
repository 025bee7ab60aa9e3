"""The night's storage stage alone, for its memory: `night.write_pages` over a copy of a
long history, in 100-page batches of real results (the shared corpus, extracted and
tagged once, under new URLs each batch), with the process's peak RSS reset before each
batch (/proc/self/clear_refs) and read after it: how far above the process's memory before
it the batch went (the extractors' models, loaded here to make the pages, are not counted).

    uv run python bench/store_memory.py --history HISTORY.duckdb --batches 30

HISTORY is a file bench/history.py built (as `bench/run.py --history-db` takes). The
batches' raw HTML waits beside the file (storage/raw_html.py); the night's close, which
joins it to raw_pages, is measured the same way after the batches.

The history is copied first (it is not changed). Prints a line every 10 batches and a JSON
summary: the largest and median rise a batch (MB), the median CPU seconds a batch, and the
close's rise.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.site import REPO  # noqa: E402
from extractors.pool.pipeline import PageInput, process_page  # noqa: E402
from flows import night  # noqa: E402
from newsflow.models import FetchResult, PageResult  # noqa: E402
from newsflow.outcomes import Outcome  # noqa: E402
from storage.db import connect  # noqa: E402
from storage.raw_html import join_waiting, waiting_dir  # noqa: E402

BATCH = 100


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    pages = corpus_results(args.corpus)
    with tempfile.TemporaryDirectory(dir=args.workdir) as work:
        db = str(Path(work) / "history.duckdb")
        shutil.copyfile(args.history, db)
        run_id, now = str(uuid.uuid4()), datetime.now(UTC)
        tonight = night.open_night(db, run_id, now, _Report())  # migrates the copy: not timed
        rises, cpus = [], []
        for n in range(args.batches):
            fetched, results = _batch(pages, n, now)
            _reset_peak()
            before, started = _status("VmRSS"), time.process_time()
            night.write_pages(tonight, n + 1, fetched, results)
            cpus.append(time.process_time() - started)
            rises.append(_status("VmHWM") - before)
            if n % 10 == 0 or n == args.batches - 1:
                print(f"batch {n + 1}: {before} MB before, peak +{rises[-1]} MB, "
                      f"{cpus[-1]:.2f} CPU-s", flush=True)  # fmt: skip
        join_rise = _join_rise(db)
    summary = {"max_rise_mb": max(rises), "median_rise_mb": statistics.median(rises),
               "median_cpu_s": round(statistics.median(cpus), 2),
               "close_rise_mb": join_rise}  # fmt: skip
    print(json.dumps(summary))
    return 0


def _join_rise(db: str) -> int:
    """Returns how far the night's close rose: the batches' raw HTML joining raw_pages."""
    _reset_peak()
    before = _status("VmRSS")
    with connect(db) as con:
        join_waiting(con, waiting_dir(db))
    return _status("VmHWM") - before


def corpus_results(corpus: Path) -> list[tuple[PageResult, bytes]]:
    """Returns the corpus pages extracted and tagged as a night does, each with its HTML."""
    results = []
    for path in sorted((corpus / "pages").glob("*.html")):
        body = path.read_bytes()
        page = PageInput(f"http://127.0.0.1/{path.name}", "corpus", body, "text/html",
                         datetime.now(UTC))  # fmt: skip
        result = process_page(page)
        if result.article is not None:
            results.append((result, body))
    return results


def _batch(pages: list[PageResult], n: int, now: datetime):
    fetched, results = [], []
    for i in range(BATCH):
        page, body = pages[(n * BATCH + i) % len(pages)]
        url = f"http://127.0.0.1/new/{n}/{i}/{page.url.rsplit('/', 1)[-1]}"
        content_hash = f"{n:08d}{i:08d}{page.article.content_hash[16:]}"  # a new version
        article = replace(page.article, url=url, content_hash=content_hash)
        results.append(replace(page, url=url, article=article))
        fetched.append(FetchResult(url=url, source=page.source, kind="page", outcome=Outcome.OK,
                                   fetched_at=now, status=200, body=body,
                                   content_type="text/html"))  # fmt: skip
    return fetched, results


class _Report:
    """What write_pages records in the night's report; nothing to keep here."""

    staged_merged, storage_error = 0, None

    def add_batch(self, *_):
        pass

    def add_time(self, *_):
        pass


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=Path, required=True, help="a DuckDB file to copy")
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    return parser


if __name__ == "__main__":
    sys.exit(main())
