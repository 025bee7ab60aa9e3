"""bench.faults' hostile cases: what one huge feed, or a killed extraction worker, costs.

    uv run python -m bench.faults --case large-feed [--items 200000] [--timeout 5]
    uv run python -m bench.faults --case worker-crash [--pages 100] [--kills 3]

large-feed: two feeds of `--items` items each (55 MB at 200,000) beside a small feed whose
server takes 2 s to answer, one `newsflow ingest`: the small source must end `ok` at its
first try; printed: wall time, peak memory, each feed's fetch row.

worker-crash: one feed of `--pages` corpus pages; while the ingest extracts them, an
extraction worker is killed with SIGKILL `--kills` times; printed: wall time, peak
memory, pages stored, and what became of the pages the killed workers held.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from pathlib import Path

import duckdb

from bench.site import corpus
from newsflow.demo.site import SiteServer
from tests.support.corpus_site import corpus_site
from tests.support.feed_files import FeedFilesServer, rss

SLOW_ANSWER = 2.0  # seconds the small source's server takes


def large_feed(args, measure, settings: str) -> None:
    """Runs the large-feed case (see the module docstring) and prints its figures."""
    feeds: dict[str, bytes] = {}
    late = {"/small.xml": SLOW_ANSWER}
    with FeedFilesServer(feeds, late) as server, tempfile.TemporaryDirectory() as tmp:
        # The items link to this server, which answers 404 at once: pages cost a request.
        feeds.update({f"/big-{n}.xml": rss(args.items, server.base, f"big{n}") for n in (1, 2)})
        feeds["/small.xml"] = rss(3, server.base, "small")
        toml = settings.format(concurrency=args.concurrency, timeout=args.timeout)
        toml += "max_page_bytes = 200_000_000\n"
        toml += "".join(
            f'\n[[sources]]\nname = "{p[1:-4]}"\nurl = "{server.base}{p}"\nkind = "feed"\n'
            for p in feeds
        )
        wall, peaks, code = measure(_sources(tmp, toml))
        print(f"large-feed: 2 feeds of {args.items:,} items ({len(feeds['/big-1.xml']) / 1e6:.0f}"
              f" MB each) beside a small feed answering in {SLOW_ANSWER:g}s, timeout "
              f"{args.timeout:g}s")  # fmt: skip
        _print_run(wall, peaks, code)
        rows = _query(tmp, "SELECT source, outcome, elapsed_ms, error FROM fetches "
                      "WHERE kind = 'feed' ORDER BY source")  # fmt: skip
        for source, outcome, ms, error in rows:
            print(f"  {source:8} {outcome:12} {ms:>7} ms  {error or ''}")
        print(f"  small feed asked {server.hits['/small.xml']} time(s)")


def worker_crash(args, measure, settings: str) -> None:
    """Runs the worker-crash case (see the module docstring) and prints its figures."""
    with (
        SiteServer(lambda base: corpus_site(corpus(), base)) as site,
        tempfile.TemporaryDirectory() as tmp,
    ):
        pages = sorted(p for p in site.site.files if p.startswith("/c0/"))[: args.pages]
        links = "".join(f"<item><link>{site.base_url}{p}</link></item>" for p in pages)
        site.site.files["/pages.xml"] = ("application/rss+xml", _wrap(links))
        toml = settings.format(concurrency=args.concurrency, timeout=args.timeout)
        toml += f'\n[[sources]]\nname = "pages"\nurl = "{site.base_url}/pages.xml"\nkind = "feed"\n'
        killed: list[int] = []
        kill = lambda pid: _kill_workers(pid, args.kills, killed)  # noqa: E731
        wall, peaks, code = measure(_sources(tmp, toml), kill)
        print(f"worker-crash: {len(pages)} corpus pages, {len(killed)} extraction workers "
              "killed with SIGKILL while extracting")  # fmt: skip
        _print_run(wall, peaks, code)
        [(stored,)] = _query(tmp, "SELECT count(*) FROM articles")
        errors = _query(tmp, "SELECT error, count(*) FROM fetches WHERE outcome = "
                        "'extract_error' GROUP BY ALL ORDER BY 2 DESC")  # fmt: skip
        print(f"  articles stored: {stored}/{len(pages)}; extraction errors: {errors or 'none'}")


def _kill_workers(ingest_pid: int, kills: int, killed: list[int]) -> None:
    """Kills an extraction worker `kills` times, 2 s apart, once workers are busy."""
    deadline = time.monotonic() + 600
    while len(killed) < kills and time.monotonic() < deadline:
        busy = [pid for pid in _workers_of(ingest_pid) if _cpu_ticks(pid) > 100]
        if busy:
            os.kill(busy[0], signal.SIGKILL)
            killed.append(busy[0])
            time.sleep(2.0)
        else:
            time.sleep(0.2)


def _workers_of(root: int) -> list[int]:
    """Returns the children of root's fork server: the extraction workers."""
    children = _children()
    servers = [p for p in _descendants(root, children) if b"forkserver" in _cmdline(p)]
    return [w for server in servers for w in children.get(server, [])]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            tree.setdefault(int(stat[1]), []).append(int(entry.name))
    return tree


def _descendants(root: int, children: dict[int, list[int]]) -> list[int]:
    found, frontier = [], [root]
    while frontier:
        frontier = [c for p in frontier for c in children.get(p, [])]
        found += frontier
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _cpu_ticks(pid: int) -> int:
    """Returns the user+system clock ticks pid has used (a worker past warm-up is working)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _print_run(wall: float, peaks: list[int], code: int) -> None:
    main_rss, tree_rss, tree_pss = peaks
    print(f"  newsflow ingest: exit {code}, wall {wall:.1f} s (Prefect start-up included)")
    print(f"  peak memory: main process RSS {main_rss / 2**20:.0f} MB; whole tree RSS "
          f"{tree_rss / 2**20:.0f} MB, PSS {tree_pss / 2**20:.0f} MB")  # fmt: skip


def _sources(tmp: str, toml: str) -> list[str]:
    (Path(tmp) / "sources.toml").write_text(toml)
    return ["--sources", str(Path(tmp) / "sources.toml"), "--db", str(Path(tmp) / "news.duckdb")]


def _query(tmp: str, sql: str) -> list[tuple]:
    with duckdb.connect(str(Path(tmp) / "news.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def _wrap(items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}' \
        "</channel></rss>".encode()  # fmt: skip
