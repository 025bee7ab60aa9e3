"""One `newsflow ingest` over ~100 good corpus pages mixed with every fault endpoint, at a
10 s timeout: wall time, peak memory of the process tree, and what each fault ended as.

    uv run python -m bench.faults [--pages 100] [--timeout 10] [--concurrency 8]
    uv run python -m bench.faults --case large-feed | worker-crash   (bench/fault_cases.py)

The sites (corpus pages, fault server) run in this process; the ingest runs as a user runs
it, in a subprocess with its ephemeral Prefect server, and its whole process tree is
measured by polling /proc (RSS summed over the tree at each instant; shared pages count
once per process, so the sum errs high).
"""

from __future__ import annotations

import argparse
import html
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from bench.site import corpus
from fetchers.urls import normalize_url
from newsflow.demo.site import SiteServer
from tests.support.corpus_site import corpus_site
from tests.support.fault_outcomes import FAULTS, SURVIVED
from tests.support.faultserver import FaultServer

PAGE = os.sysconf("SC_PAGE_SIZE")
SETTINGS = """\
[settings]
allow_private_networks = true
per_host_delay_seconds = 0
per_host_concurrency = {concurrency}
timeout_seconds = {timeout}
"""


def tree_memory(root: int) -> tuple[int, int, int]:
    """Returns the RSS of root alone, and the RSS and PSS summed over root and all its
    descendants, in bytes (PSS splits shared pages between the processes mapping them)."""
    parents, rss = {}, {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        parents[int(entry.name)] = int(fields[1])
        rss[int(entry.name)] = int(fields[21]) * PAGE
    tree, frontier = {root}, [root]
    while frontier:
        children = [pid for pid, ppid in parents.items() if ppid in frontier]
        tree.update(children)
        frontier = children
    return rss.get(root, 0), sum(rss.get(p, 0) for p in tree), sum(map(_pss, tree))


def _pss(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    line = next((x for x in rollup.splitlines() if x.startswith("Pss:")), "Pss: 0 kB")
    return int(line.split()[1]) * 1024


def run_measured(cmd: list[str], during=None) -> tuple[float, list[int], int]:
    """Returns wall seconds, the peaks of `tree_memory`, and the exit code; `during`, if
    given, is called with the process id in a thread while the command runs."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if during is not None:
        threading.Thread(target=during, args=(proc.pid,), daemon=True).start()
    peaks = [0, 0, 0]
    while proc.poll() is None:
        peaks = [max(a, b) for a, b in zip(peaks, tree_memory(proc.pid), strict=True)]
        time.sleep(0.2)
    return time.monotonic() - started, peaks, proc.returncode


def feed(links: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{html.escape(u)}</link></item>" for u in links)
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


def report(db: Path, faults: FaultServer, good: list[str], urls: dict[str, str]) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT url, outcome, elapsed_ms, error FROM fetches").fetchall()
        stored = {u for (u,) in con.execute("SELECT url FROM articles").fetchall()}
        [(seconds,)] = con.execute("SELECT epoch(finished_at - started_at) FROM runs").fetchall()
    fetched = {url: (outcome, ms, error) for url, outcome, ms, error in rows}
    print(f"flow run (runs table): {seconds:.1f} s")
    print(f"good corpus pages stored: {len(set(good) & stored)}/{len(good)}")
    print(f"\n{'endpoint':40} {'expected':20} {'outcome':20} {'tries':>5} {'ms':>7}")
    matched = 0
    for path, url in urls.items():
        expected = FAULTS.get(path, "ok")
        outcome, ms, _ = fetched.get(url, ("(not fetched)", 0, ""))
        matched += outcome == expected
        tries = len(faults.hits_of(path.split("?")[0]))
        print(f"{path[:40]:40} {expected:20} {outcome:20} {tries:>5} {ms:>7}")
    print(f"\nfault endpoints tried: {len(urls)}; outcome as expected: {matched}/{len(urls)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8, help="per host")
    parser.add_argument("--clean", action="store_true", help="good pages only: the baseline")
    parser.add_argument(
        "--case",
        choices=("mixed", "large-feed", "worker-crash"),
        default="mixed",
        help="see bench/fault_cases.py for the last two",
    )
    parser.add_argument("--items", type=int, default=200_000, help="large-feed: per feed")
    parser.add_argument("--kills", type=int, default=3, help="worker-crash: SIGKILLs")
    args = parser.parse_args()
    if args.case != "mixed":
        from bench import fault_cases

        def measure(ingest_args: list[str], during=None):
            cmd = [sys.executable, "-m", "newsflow.cli", "ingest", *ingest_args]
            return run_measured(cmd, during)

        run_case = fault_cases.large_feed if args.case == "large-feed" else fault_cases.worker_crash
        run_case(args, measure, SETTINGS)
        return 0
    with (
        SiteServer(lambda base: corpus_site(corpus(), base)) as site,
        FaultServer() as faults,
        tempfile.TemporaryDirectory() as tmp,
    ):
        pages = sorted(p for p in site.site.files if p.startswith("/c0/"))[: args.pages]
        good = [site.base_url + p for p in pages]
        urls = {p: normalize_url(faults.url(p)) for p in [*FAULTS, *SURVIVED] if not args.clean}
        site.site.files["/faults.xml"] = ("application/rss+xml", feed(good + list(urls.values())))
        sources = Path(tmp) / "sources.toml"
        sources.write_text(
            SETTINGS.format(concurrency=args.concurrency, timeout=args.timeout)
            + f'\n[[sources]]\nname = "mixed"\nurl = "{site.base_url}/faults.xml"\nkind = "feed"\n'
        )
        db = Path(tmp) / "news.duckdb"
        cmd = [sys.executable, "-m", "newsflow.cli", "ingest"]
        cmd += ["--sources", str(sources), "--db", str(db)]
        wall, (main_rss, tree_rss, tree_pss), code = run_measured(cmd)
        print(
            f"newsflow ingest: exit {code}, wall {wall:.1f} s (Prefect start-up included), "
            f"timeout_seconds {args.timeout:g}, per_host_concurrency {args.concurrency}"
        )
        print(
            f"peak memory: main process RSS {main_rss / 2**20:.0f} MB; whole tree (Prefect "
            f"server, extraction workers) RSS {tree_rss / 2**20:.0f} MB, PSS "
            f"{tree_pss / 2**20:.0f} MB"
        )
        report(db, faults, good, urls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
