"""Extraction CPU of two or more checkouts, page by page: which is cheaper, past the noise.

`bench/extraction_dev.py` times whole runs one after another; on a shared machine two runs
of the same code differ by up to a fifth. Here each checkout runs in its own process, the
pages go to them in turns (one page to each, the order flipped every page), and each page's
CPU time is the least of ROUNDS rounds, every round with fresh processes (so no page is
timed with its own parse cached). Noise only ever adds time: the least of a few rounds is
what the code costs. The pages are both dev sets and the corpus, as `newsflow ingest`
would see them (`extract_article` on the bytes, `text/html`, no feed entry).

    python bench/extraction_cpu.py [--rounds 7] CHECKOUT [CHECKOUT ...]

Each CHECKOUT is a folder holding the repository at some commit (`git worktree add`); the
first is the reference. Prints ms CPU a page per set and checkout, and the change.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from bench.extraction_dev import CORPUS, DEV, SHARED
from bench.extraction_dev import SETS as DEV_SETS

SETS = (*DEV_SETS, "corpus")

# Runs in each checkout's process: a page's path and URL in, its ms CPU out.
WORKER = """
import sys, time
from datetime import UTC, datetime
sys.path.insert(0, sys.argv[1])
from extractors.article.extract import extract_article
from newsflow.errors import ExtractError
for line in sys.stdin:
    path, url = line.rstrip("\\n").split("\\t")
    body = open(path, "rb").read()
    started = time.process_time()
    try:
        extract_article(body, url, source="bench", fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
                        content_type="text/html")
    except ExtractError:
        pass
    print(1000 * (time.process_time() - started), flush=True)
"""


def pages() -> list[tuple[str, Path, str]]:
    """Returns (set, file, URL) for every page of the dev sets and the corpus."""
    found = []
    for name in DEV_SETS:
        gold = json.loads((DEV / name / "gold.json").read_text(encoding="utf-8"))
        for pid in sorted(gold):
            url = gold[pid].get("url") or f"http://dev.invalid/{pid}"
            found.append((name, DEV / name / "pages" / f"{pid}.html", url))
    for entry in json.loads((CORPUS / "index.json").read_text(encoding="utf-8")):
        url = entry.get("url") or f"http://corpus.invalid/{entry['file']}"
        found.append(("corpus", CORPUS / entry["file"], url))
    return found


def least_ms(checkouts: list[str], listed: list[tuple[str, Path, str]], rounds: int) -> dict:
    """Returns {(checkout index, page index): least ms CPU over the rounds}."""
    least: dict[tuple[int, int], float] = {}
    for turn in range(rounds):
        workers = [_worker(checkout) for checkout in checkouts]
        for worker in workers:
            _time(worker, listed[0])  # warm-up: imports and first-use caches, not counted
        for k, page in enumerate(listed):
            order = list(enumerate(workers))
            for i, worker in order if (k + turn) % 2 == 0 else order[::-1]:
                ms = _time(worker, page)
                least[(i, k)] = min(ms, least.get((i, k), ms))
        for worker in workers:
            worker.stdin.close()
            worker.wait()
    return least


def _worker(checkout: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(Path(checkout).resolve())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _time(worker: subprocess.Popen, page: tuple[str, Path, str]) -> float:
    worker.stdin.write(f"{page[1]}\t{page[2]}\n")
    worker.stdin.flush()
    return float(worker.stdout.readline())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", help="folders of the repository; first = reference")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    if not (CORPUS / "index.json").exists() or not DEV.exists():
        print(f"skipped: the dev sets and corpus are not here ({SHARED} is missing)")
        return 0
    listed = pages()
    least = least_ms(args.checkouts, listed, args.rounds)
    print(f"ms CPU a page, least of {args.rounds} interleaved rounds")
    for name in SETS:
        ks = [k for k, page in enumerate(listed) if page[0] == name]
        means = [statistics.fmean(least[(i, k)] for k in ks) for i in range(len(args.checkouts))]
        cells = [
            f"{c} {m:.2f} ({100 * (m / means[0] - 1):+.1f}%)"
            for c, m in zip(args.checkouts, means, strict=True)
        ]
        print(f"{name} ({len(ks)} pages): " + " | ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
