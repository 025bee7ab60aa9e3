"""What storing costs on each backend: a DuckDB file, DuckLake on SQLite, DuckLake on PostgreSQL.

    uv run python -m bench.lake_writes [--articles 2000] [--writers 3] [--out docs/lake-writes.md]

Writes synthetic batches of 100 articles (about 3 kB of text, 25 kB of HTML and 8 tags
each, as a night's batch carries) with storage.writes.write_batch, the night's own write,
and times them: one writer on a new database of each kind, then WRITERS processes at once
on each lake (as shards of a night), then the lake maintenance that follows a night.
PostgreSQL is a throwaway cluster (tests/support/postgres.py); skipped where none starts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BATCH = 100
WORDS = [
    "nato",
    "rusia",
    "brussel",
    "menteri",
    "luar",
    "negeri",
    "pertemuan",
    "dewan",
    "keamanan",
    "eropa",
    "kabar",
    "dunia",
]


def batches(writer: str, articles: int, seed: int = 1):
    """Yields the write_batch arguments of `articles` synthetic articles, BATCH at a time."""
    from extractors.article.extract import content_hash
    from newsflow.models import Article, FetchResult, PageResult, Tag
    from storage.writes import article_rows, fetch_rows, tag_rows, tagger_rows

    rng = random.Random(seed)
    now = datetime.now(UTC)
    for start in range(0, articles, BATCH):
        results, fetches = [], []
        for i in range(start, min(start + BATCH, articles)):
            url = f"https://{writer}.example/{i}"
            text = " ".join(rng.choice(WORDS) for _ in range(450))
            html = f"<html><body><p>{text}</p>{'<div>menu</div>' * 1200}</body></html>".encode()
            article = Article(url, writer, text, content_hash(text), now)
            tags = [Tag("keyword", w, 0.5, "keywords", "1") for w in rng.sample(WORDS, 8)]
            results.append(PageResult(url, writer, article, tags, tagged=True))
            fetches.append(FetchResult(url, writer, "page", "ok", now, status=200, body=html))
        yield (
            fetch_rows(f"run-{writer}", fetches),
            article_rows(results, {f.url: f.body for f in fetches}),
            tag_rows(results, now),
            tagger_rows(results, {"keywords": "1"}, now),
        )


def write(db: str, data_path: str | None, writer: str, articles: int, wait: bool = False) -> dict:
    """Returns the seconds and commit retries of writing `articles` to `db` in batches;
    with `wait`, says "ready" once the batches are built and starts on a line of stdin."""
    from storage import transaction
    from storage.db import connect
    from storage.writes import write_batch

    prepared = list(batches(writer, articles, seed=sum(map(ord, writer))))
    if wait:
        print("ready", flush=True)
        sys.stdin.readline()
    started = time.monotonic()
    with connect(db, data_path=data_path) as con:
        for tables in prepared:
            write_batch(con, f"run-{writer}", *tables)
    return {"seconds": time.monotonic() - started, "retried": dict(transaction.retried)}


def concurrent(db: str, data_path: str, writers: int, articles: int) -> dict:
    """Returns the wall time and retries of `writers` processes writing at once (timed from
    when all have their batches ready, so start-up is not counted)."""
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.lake_writes",
                "--writer",
                f"w{n}",
                "--db",
                db,
                "--data-path",
                data_path,
                "--articles",
                str(articles // writers),
            ],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for n in range(writers)
    ]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready"
    started = time.monotonic()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.close()
    # The same buffered reader as for "ready": communicate() would bypass its buffer.
    outputs = [json.loads(proc.stdout.read()) for proc in procs]
    seconds = time.monotonic() - started
    for proc in procs:
        proc.wait()
    retried = sum(sum(o["retried"].values()) for o in outputs)
    return {"seconds": seconds, "retried": retried, "writers": outputs}


def maintenance(db: str, keep_days: int = 30) -> dict:
    from storage.db import connect
    from storage.maintenance import maintain

    with connect(db) as con:
        report = maintain(con, keep_days)
    return {"seconds": report.seconds, "brief": report.brief()}


def backends(work: Path) -> dict[str, tuple[str, str | None]]:
    """Returns the databases to compare, by name: (db, data path)."""
    found = {
        "file": (str(work / "news.duckdb"), None),
        "ducklake-sqlite": (f"ducklake:sqlite:{work / 'catalog.sqlite'}", str(work / "sq") + "/"),
    }
    from tests.support.postgres import missing_reason, start_cluster

    if missing_reason() is None:
        base = Path(tempfile.mkdtemp(prefix="newsflow-bench-pg-"))
        cluster = start_cluster(base)
        found["ducklake-postgres"] = (
            f"ducklake:postgres:{cluster.dsn(cluster.create_database())}",
            str(work / "pg") + "/",
        )
        found["_cluster"] = cluster  # type: ignore[assignment]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "lake-writes.md")
    parser.add_argument("--writer", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--data-path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:  # one of the concurrent writer processes
        print(json.dumps(write(args.db, args.data_path, args.writer, args.articles, wait=True)))
        return
    results = run(args.articles, args.writers)
    args.out.write_text(render(results, args), encoding="utf-8")
    print(args.out.read_text())


def run(articles: int, writers: int) -> dict:
    from tests.support.postgres import stop_cluster

    work = Path(tempfile.mkdtemp(prefix="newsflow-bench-lake-"))
    found = backends(work)
    cluster = found.pop("_cluster", None)
    results = {"load_before": os.getloadavg(), "single": {}, "concurrent": {}, "tidy": {}}
    try:
        for name, (db, data_path) in found.items():
            results["single"][name] = write(db, data_path, "single", articles)
            if name != "file":
                results["concurrent"][name] = concurrent(db, data_path, writers, articles)
                results["tidy"][name] = maintenance(db)
    finally:
        from storage.lake import forget_engines

        forget_engines()
        if cluster:
            stop_cluster(cluster)
            shutil.rmtree(cluster.data_dir.parent, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    results["load_after"] = os.getloadavg()
    return results


def render(results: dict, args) -> str:
    per_k = 1000 / args.articles
    lines = [
        "# What storing costs: DuckDB file vs DuckLake",
        "",
        f"Produced by `uv run python -m bench.lake_writes --articles {args.articles}"
        f" --writers {args.writers}`. Batches of {BATCH} synthetic articles (~3 kB text, ~25 kB"
        " HTML, 8 tags) written by storage.writes.write_batch; PostgreSQL 15 is a local"
        " throwaway cluster (fsync off), SQLite and Parquet files on local disk.",
        f"Load average before {fmt_load(results['load_before'])}, after"
        f" {fmt_load(results['load_after'])}: the 2-core machine is shared, so every figure"
        " carries other engineers' work; compare the rows with each other.",
        "",
        "| backend | one writer: s per 1,000 articles |"
        f" {args.writers} writers at once: s per 1,000 | commits retried | maintenance after |",
        "|---|---|---|---|---|",
    ]
    batches_written = args.articles // BATCH
    for name, single in results["single"].items():
        both, tidy = results["concurrent"].get(name), results["tidy"].get(name)
        cells = [name, f"{single['seconds'] * per_k:.1f}"]
        if both:
            cells += [f"{both['seconds'] * per_k:.1f}", f"{both['retried']} of {batches_written}"]
        else:
            cells += ["(one writer only)", ""]
        cells.append(f"{tidy['seconds']:.1f} s: {tidy['brief']}" if tidy else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def fmt_load(load) -> str:
    return ", ".join(f"{x:.1f}" for x in load)


if __name__ == "__main__":
    main()
