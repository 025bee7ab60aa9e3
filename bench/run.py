"""Benchmarks `newsflow ingest` against a naive scraper and the extraction limit, on the
shared corpus served as a news site on 127.0.0.1; writes docs/benchmarks.md with issue
14's targets, each measured, met or not.

    uv run python bench/run.py            # full (~25 min idle): 3 rounds on 543 pages, a
                                          # pair on 5,000, Prefect's server alone, the
                                          # deployment's empty run, then 1,035 and 10,005
                                          # new pages over a 100,000-article history
    uv run python bench/run.py --quick    # one round on 543 pages and the start-up (~4 min)
    uv run python bench/run.py --before OLD/results.json   # per-stage CPU before/after

Every figure comes from subprocesses measured as process trees (bench/measure.py); the
raw results go to <workdir>/results.json beside the report.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.context import machine  # noqa: E402
from bench.history import build_history  # noqa: E402
from bench.report import write_report  # noqa: E402
from bench.scenarios import Bench, empty_run, newsflow, pair, round_of_pairs  # noqa: E402
from bench.site import REPO, feed_urls, serve_corpus, write_sources  # noqa: E402
from bench.startup import Deployment, server_start  # noqa: E402
from flows.search_index import refresh_index  # noqa: E402
from flows.source_memory import read_furniture  # noqa: E402
from storage.db import connect  # noqa: E402

PARTS = ("startup", "rounds", "large", "deployment", "scores", "history")
QUICK_PARTS = ("startup", "rounds")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.report_only:
        write_report(json.loads((args.workdir / "results.json").read_text()), args.out)
        return 0
    bench = Bench.create(args.workdir.resolve())
    if args.before:  # an earlier run's figures, for the before/after stage table
        bench.before = json.loads(args.before.read_text())
    parts = _parts(args)
    started = time.monotonic()
    results: dict = {"args": {k: str(v) for k, v in vars(args).items()}, "machine": machine()}
    saved = bench.workdir / "results.json"
    if args.parts and saved.exists():  # parts measured earlier in this work folder stay
        results = {**json.loads(saved.read_text()), "machine": results["machine"]}
        started -= results.get("bench_seconds", 0.0)
    with _prefect_server(bench, args.prefect):
        _say(f"warm-up run (Prefect database, bytecode cache; not measured); parts: {parts}")
        empty_run(bench)
        for part in parts:
            results.update(PART_RUNS[part](bench, args))
            _save(bench, results, args.out, started)  # what is measured, should the rest fail
    return 0


def _parts(args) -> list[str]:
    if args.parts:
        return [p for p in args.parts.split(",") if p in PARTS]
    chosen = QUICK_PARTS if args.quick else PARTS
    skipped = {"history"} if args.skip_history else set()
    skipped |= {"deployment"} if args.skip_deployment or args.prefect != "ephemeral" else set()
    skipped |= {"large"} if not args.large_pages else set()
    return [p for p in chosen if p not in skipped]


def _startup(bench: Bench, args) -> dict:
    return {"server_start": [server_start(bench) for _ in range(args.startup_rounds)]}


def _main_rounds(bench: Bench, args) -> dict:
    rounds, empties = _rounds(bench, args)
    return {"rounds": rounds, "empty": empties}


def _save(bench: Bench, results: dict, out: Path, started: float) -> None:
    results["machine"]["load_after"] = os.getloadavg()
    if bench.before:
        results["before"] = bench.before
    results["bench_seconds"] = time.monotonic() - started
    (bench.workdir / "results.json").write_text(json.dumps(results, indent=1, default=str))
    write_report(results, out)
    _say(f"wrote {out} after {results['bench_seconds'] / 60:.1f} min")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round, no history runs")
    parser.add_argument("--pages", type=int, default=543, help="pages of the main rounds")
    parser.add_argument("--rounds", type=int, help="rounds of pairs (default 3, quick 1)")
    parser.add_argument("--large-pages", type=int, default=5_000, help="0: no large pair")
    parser.add_argument("--large-rounds", type=int, default=1)
    parser.add_argument("--history-pages", type=int, default=1_000)
    parser.add_argument("--scale-pages", type=int, default=10_000)
    parser.add_argument("--startup-rounds", type=int, default=3)
    parser.add_argument("--history-db", type=Path, help="a history built earlier (--history)")
    parser.add_argument("--skip-history", action="store_true")
    parser.add_argument("--skip-deployment", action="store_true")
    parser.add_argument("--before", type=Path, help="an earlier run's results.json")
    parser.add_argument("--history", type=int, default=100_000, help="articles already stored")
    parser.add_argument(
        "--prefect",
        choices=("ephemeral", "server"),
        default="ephemeral",
        help="Prefect's ephemeral mode (as `newsflow ingest` runs by default)"
        " or one server started by the benchmark",
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/newsflow-bench"))
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument(
        "--parts",
        help=f"comma-separated, from {','.join(PARTS)}: measure only these, keeping the other"
        " parts of <workdir>/results.json",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite --out from <workdir>/results.json"
    )
    return parser


def _rounds(bench: Bench, args) -> tuple[list[dict], list[dict]]:
    rounds, empties = [], []
    count = args.rounds or (1 if args.quick else 3)
    with serve_corpus(args.pages) as site:
        feeds = feed_urls(site)
        sources = write_sources(bench.workdir / "sources.toml", feeds)
        for n in range(count):
            _say(f"round {n + 1}/{count}: {site.pages} pages")
            rounds.append(round_of_pairs(bench, n, sources, feeds, site.pages))
            empties.append(empty_run(bench))
            _say(_brief(rounds[-1], empties[-1]))
    return rounds, empties


def _history(bench: Bench, args) -> dict:
    return {"scaling": _scaling(bench, args)}


def _scores(bench: Bench, args) -> dict:
    return {"scores": _corpus_scores(bench)}


def _scaling(bench: Bench, args) -> dict:
    started = time.monotonic()
    if args.history_db:  # built earlier by bench/history.py (a file any newsflow wrote)
        template = bench.fresh_db("history-template", args.history_db)
        _say(f"history: {args.history_db}, migrated to this version's schema first")
        with connect(template):  # a one-time migration is not a night's cost
            pass
    else:
        template = bench.fresh_db("history-template")
        _say(f"building a {args.history:,}-article history")
        build_history(template, args.history)
    # Upgrade costs, not a night's: the sources' memory of recurring lines seeded from the
    # stored articles (~750 MB in the flow's process at 100,000 articles), and the search
    # index's first build (~7 min): each night starts from the history's own.
    _say("seeding the sources' memory; search index (updated from --history-db's, if any)")
    with connect(template) as con:
        read_furniture(con)
    refresh_index(str(template))
    command = " ".join(["uv run python bench/run.py", *sys.argv[1:]])
    out = {"history": args.history, "build_seconds": time.monotonic() - started, "runs": []}
    out["template"] = str(args.history_db or "built by this run")
    out["command"] = command
    for pages in [p for p in (args.history_pages, args.scale_pages) if p]:  # 0: not run
        with serve_corpus(pages, prefix="/new") as site:
            sources = write_sources(bench.workdir / "scaling.toml", feed_urls(site, "/new"))
            _say(f"{site.pages} new pages over the history")
            run = newsflow(bench, sources, bench.fresh_db("history", template))
            out["runs"].append({"pages": site.pages, **run})
            _say(f"  {run['wall']:.1f} s, {run['peak_pss_mb']:.0f} MB PSS")
    return out


def _large(bench: Bench, args) -> dict:
    """Returns alternating pairs (newsflow, naive) on --large-pages pages."""
    pairs = []
    with serve_corpus(args.large_pages, prefix="/large") as site:
        feeds = feed_urls(site, "/large")
        sources = write_sources(bench.workdir / "large.toml", feeds)
        for n in range(args.large_rounds):
            _say(f"large pair {n + 1}/{args.large_rounds}: {site.pages} pages")
            pairs.append(pair(bench, n, sources, feeds))
            _say(f"  newsflow {pairs[-1]['newsflow']['wall']:.1f} s, "
                 f"naive {pairs[-1]['naive']['wall']:.1f} s")  # fmt: skip
    return {"large": pairs}


def _deployment(bench: Bench, args) -> dict:
    """Returns the nightly deployment's empty runs on a long-running server and worker."""
    runs = args.startup_rounds
    _say("deployment: prefect server, work pool, deploy --all, worker")
    sources = write_sources(bench.workdir / "empty.toml", [])
    out = []
    with Deployment(bench) as deployment:
        deployment.empty_run(sources, bench.fresh_db("deployed"))  # warm-up: not counted
        for _ in range(runs):
            out.append(deployment.empty_run(sources, bench.fresh_db("deployed")))
            _say(f"  deployment empty run: {out[-1]['worker']:.1f} s of worker time")
    return {"deployment": out}


def _corpus_scores(bench: Bench) -> str:
    """Returns the line tests/extractors/article/test_article.py prints about the corpus strings."""
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-s",
        "-p",
        "no:cacheprovider",
        "tests/extractors/article/test_article.py",
        "-k",
        "expected_strings or comment_text",
    ]
    run = subprocess.run(cmd, env=bench.env, cwd=REPO, capture_output=True, text=True)
    return "; ".join(
        line.strip(" .")
        for line in run.stdout.splitlines()
        if line.strip(" .").startswith(("expected_in", "comment strings"))
    )


@contextlib.contextmanager
def _prefect_server(bench: Bench, mode: str):
    """Yields with PREFECT_API_URL pointing at one server started here, in server mode."""
    if mode == "ephemeral":
        yield
        return
    port = 4390 + os.getpid() % 500
    cmd = [
        sys.executable,
        "-m",
        "prefect",
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(
        cmd, env=bench.env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    bench.env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/api/health")
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_healthy(url: str, seconds: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"Prefect server at {url} did not start in {seconds:.0f} s")


def _brief(round_: dict, empty: dict) -> str:
    parts = [f"{name} {round_[name]['wall']:.1f} s" for name in ("newsflow", "rerun", "naive")]
    parts.append(f"extract CPU {round_['limit']['cpu_seconds']:.1f} s")
    return "  " + ", ".join(parts) + f", empty {empty['wall']:.1f} s"


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


PART_RUNS = {
    "startup": _startup,
    "rounds": _main_rounds,
    "large": _large,
    "deployment": _deployment,
    "scores": _scores,
    "history": _history,
}


if __name__ == "__main__":
    sys.exit(main())
