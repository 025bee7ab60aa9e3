"""Sharded nights on this machine: pages per second with 1, 2 and 3 workers, and what a
page costs on DuckLake (PostgreSQL catalog) against the DuckDB file; writes the section
`<!-- scaling -->` of docs/benchmarks.md, raw figures to <workdir>/scaling.json.

    uv run python -m bench.scaling [--hosts 12] [--copies 1] [--workdir /tmp/shards-scaling]

Everything real, as in tests/flows/test_sharded_night.py: `prefect server start`, the
process pool, `prefect deploy --all`, process workers started in the checkout
(`--limit 1`, one flow run each), a throwaway PostgreSQL, HOSTS ports of 127.0.0.1 (a
host each) serving the shared corpus's real pages (bench/scaling_site.py; generated posts
where the corpus is missing, or with --generated). Every night is new pages into a new
database: the file with 1 worker, then the lake with 1, 2 and 3 workers (`shards` = the
workers; one more worker holds the night itself, which waits). Figures come from the
server (the night's start and end) and from the night's own log lines (timings,
clustering, lake maintenance). docs/scaling.md derives a million pages a night from them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import time
from datetime import datetime
from pathlib import Path

from bench import sections
from bench.scaling_site import corpus_hosts
from tests.support import REPO
from tests.support.corpus import locate_corpus, not_found
from tests.support.many_blogs import many_blogs
from tests.support.postgres import start_cluster, stop_cluster
from tests.support.prefect_server import prefect_server, start_worker, stop_group

POOL = "newsflow-pool"
SCENARIOS = [("file", 1), ("lake", 1), ("lake", 2), ("lake", 3)]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.report_only:
        results = json.loads((args.workdir / "scaling.json").read_text())
        for night in results["nights"]:  # figures added since that run, from its folders
            if night["backend"] == "lake" and "raw_pages" not in night:
                folder = args.workdir / f"lake-{night['workers']}"
                night["raw_pages"] = raw_page_bytes(folder)
        (args.workdir / "scaling.json").write_text(json.dumps(results, indent=1))
        write_reports(args, results)
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    from bench.scaling_report import commit

    results = {"load_before": os.getloadavg(), "busiest_before": busiest(), "nights": [],
               "commit": commit(), "date": f"{datetime.now():%Y-%m-%d}"}  # fmt: skip
    started = time.monotonic()
    cluster = start_cluster(_fresh(args.workdir / "postgres"))  # its log stays there
    try:
        with (
            prefect_server(_fresh(args.workdir / "prefect")) as server,
            _site(args) as blogs,
        ):
            server.prefect("work-pool", "create", POOL, "--type", "process")
            server.prefect("deploy", "--all")
            for backend, workers in SCENARIOS:
                night = run_night(server, blogs, cluster, args.workdir, backend, workers)
                results["nights"].append(night)
                print(json.dumps(night), flush=True)
    finally:
        stop_cluster(cluster)
    results |= {"load_after": os.getloadavg(), "busiest_after": busiest(),
                "seconds": time.monotonic() - started, "pages": blogs.pages,
                "hosts": args.hosts, "copies": args.copies,
                "site": "generated" if _generated(args) else "corpus",
                "cores": os.cpu_count()}  # fmt: skip
    (args.workdir / "scaling.json").write_text(json.dumps(results, indent=1))
    write_reports(args, results)
    return 0


def write_reports(args, results: dict) -> None:
    from bench.scaling_report import scaling_doc

    write_section(args.out, results)
    args.scaling_out.write_text(scaling_doc(results), encoding="utf-8")
    # The raw figures beside it: `--report-only --workdir docs` rewrites both from them.
    args.scaling_out.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")


def _generated(args) -> bool:
    return args.generated or locate_corpus() is None


def _site(args):
    """The corpus on `--hosts` hosts; generated posts (`--generated`) where it is missing."""
    if _generated(args):
        print("generated posts, not the corpus:", "asked" if args.generated else not_found())
        return many_blogs(args.hosts, args.posts)
    return corpus_hosts(locate_corpus(), args.hosts, args.copies)


def run_night(server, blogs, cluster, workdir: Path, backend: str, workers: int) -> dict:
    """Returns one night's figures: new pages into a new database, `workers` shards."""
    folder = _fresh(workdir / f"{backend}-{workers}")
    sources = blogs.write_sources(folder / "sources.toml")
    if backend == "file":
        db = str(folder / "news.duckdb")
    else:
        db = f"ducklake:postgres:{cluster.dsn(cluster.create_database('bench'))}"
    pool = [start_worker(server, POOL, f"{backend}{workers}-w{n}", "--limit", "1")
            for n in range(workers + 1)]  # fmt: skip
    try:
        run_id = server.deployment_run("ingest/nightly", sources=sources, db=db, shards=workers)
        run = server.wait_final(run_id, 3600)
    finally:
        for worker in pool:
            stop_group(worker)
    logs = night_logs(server, run_id)
    runs = [run_id, *_shard_runs(server, run_id)]
    return {
        "backend": backend,
        "workers": workers,
        "state": run["state"]["type"],
        "message": run["state"]["message"],
        "seconds": _seconds(run),
        "stored": stored_pages(db),
        "timings": _logged_json(logs, r"run timings (\{.*\})"),
        "maintenance": _logged_json(logs, r"lake maintenance: (\{.*\})"),
        "clustering": _clustering(logs),
        "planning_seconds": _since_start(run, logs, r"^\d+ shards, "),
        "task_runs": server.api(
            "POST", "/task_runs/count", {"flow_runs": {"id": {"any_": runs}}}
        ).json(),  # fmt: skip
        "file_bytes": (folder / "news.duckdb").stat().st_size if backend == "file" else None,
        "raw_pages": raw_page_bytes(folder) if backend == "lake" else None,
    }


def raw_page_bytes(folder: Path) -> dict:
    """Returns what the lake's raw_pages take on disk, and what their zlib'd HTML adds up to.

    Every host here serves the same pages, and Parquet stores identical values once
    (dictionary encoding): on disk raw_pages is far smaller than distinct pages would make
    it. The report counts the HTML's own bytes instead.
    """
    import duckdb

    files = list((folder / "data" / "lake").rglob("raw_pages/**/*.parquet"))
    with duckdb.connect() as con:
        (html,) = con.execute(
            "SELECT sum(octet_length(html_zlib)) FROM read_parquet(?)", [[str(f) for f in files]]
        ).fetchone()
    return {"on_disk": sum(f.stat().st_size for f in files), "html_zlib": html or 0}


def _shard_runs(server, run_id: str) -> list[str]:
    found = server.artifacts(run_id).get("ingest-shards")
    return [row["flow_run"] for row in json.loads(found["data"])] if found else []


def _since_start(run: dict, logs: list[tuple[str, str]], pattern: str) -> float | None:
    """Returns the seconds from the run's start to its first log line matching `pattern`."""
    for when, message in logs:
        if re.search(pattern, message):
            return (_time(when) - _time(run["start_time"])).total_seconds()
    return None


def stored_pages(db: str) -> int:
    from storage.db import connect
    from storage.lake import forget_engines

    with connect(db, read_only=True) as con:
        (count,) = con.execute("SELECT count(*) FROM articles").fetchone()
    forget_engines()
    return count


def night_logs(server, run_id: str) -> list[tuple[str, str]]:
    """Returns (timestamp, message) of the night's flow run's log lines, oldest first."""
    messages, offset = [], 0
    while True:
        page = server.api("POST", "/logs/filter", {
            "logs": {"flow_run_id": {"any_": [run_id]}}, "sort": "TIMESTAMP_ASC",
            "offset": offset, "limit": 200}).json()  # fmt: skip
        messages += [(entry["timestamp"], entry["message"]) for entry in page]
        if len(page) < 200:
            return messages
        offset += 200


def _logged_json(logs: list[tuple[str, str]], pattern: str) -> dict | None:
    for _, message in logs:
        if found := re.search(pattern, message):
            return json.loads(found.group(1))
    return None


def _clustering(logs: list[tuple[str, str]]) -> dict | None:
    for _, message in logs:
        if found := re.search(r"(\d+) articles clustered in ([\d.]+) s", message):
            return {"articles": int(found.group(1)), "seconds": float(found.group(2))}
    return None


def _seconds(run: dict) -> float:
    return (_time(run["end_time"]) - _time(run["start_time"])).total_seconds()


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def busiest() -> list[str]:
    """Returns the five busiest processes now (`ps`), to say what else was running."""
    out = subprocess.run(["ps", "-eo", "pcpu,args", "--sort=-pcpu"], capture_output=True,
                         text=True).stdout.splitlines()[1:7]  # fmt: skip
    return [" ".join(line.split())[:120] for line in out if "bench.scaling" not in line]


def _fresh(path: Path) -> Path:
    subprocess.run(["rm", "-rf", str(path)], check=True)
    path.mkdir(parents=True)
    return path


def write_section(out: Path, results: dict) -> None:
    """Replaces the scaling section of `out` (appended when absent) with these figures."""
    from bench.scaling_report import section

    sections.write_section("scaling", section(results), out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench.scaling", description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=12)
    parser.add_argument("--copies", type=int, default=1, help="copies of the corpus per host")
    parser.add_argument("--generated", action="store_true", help="generated posts, no corpus")
    parser.add_argument("--posts", type=int, default=84, help="generated posts per host")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/shards-scaling"))
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--scaling-out", type=Path, default=REPO / "docs" / "scaling.md")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the section from <workdir>/scaling.json")  # fmt: skip
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
