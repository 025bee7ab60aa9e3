"""Turns bench/scaling.py's figures into its section of docs/benchmarks.md."""

from __future__ import annotations

import subprocess

from tests.support import REPO


def per_1000(seconds: float, pages: int) -> float:
    return 1000 * seconds / pages if pages else float("nan")


def section(results: dict) -> str:
    """Returns the markdown of the scaling section."""
    nights = results["nights"]
    lines = [
        "## Sharded nights: workers and backends",
        "",
        f"Produced by `uv run python -m bench.scaling` at commit {results.get('commit')} on "
        f"{results.get('date')}, {results['seconds'] / 60:.0f} min in all. Each night "
        f"stores {results['pages']:,} new pages ({_site(results)}) from {results['hosts']} hosts"
        " on 127.0.0.1 (a port each) into a new database, through a real "
        "`prefect server`, the process pool and process workers started in the checkout "
        "(`--limit 1`; shards = workers, and one more worker holds the night itself, which "
        "waits). Lake: DuckLake, catalog in a local PostgreSQL 15, Parquet on local disk.",
        "",
        f"- Machine: {results['cores']} cores, shared. Load average (1, 5, 15 min) before: "
        f"{_load(results['load_before'])}; after: {_load(results['load_after'])}.",
        "- Busiest processes when it started: "
        + "; ".join(f"`{p}`" for p in results["busiest_before"][:3])
        + ".",  # fmt: skip
        "",
        "| backend | workers | state | wall s | pages stored | pages/s | s per 1,000 pages "
        "| store s per 1,000 | clustering (articles, s) | commits (snapshots) "
        "| files before → after maintenance | bytes after |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|---:|---|---:|",
    ]
    lines += [_row(n) for n in nights]
    lines += ["", *_analysis(nights)]
    return "\n".join(lines)


def _row(n: dict) -> str:
    seconds, stored = n["seconds"], n["stored"]
    store = _store_seconds(n)
    cluster = n.get("clustering")
    kept = n.get("maintenance") or {}
    before, after = kept.get("before"), kept.get("after")
    files = f"{before['stored']['count']} → {after['stored']['count']}" if after else "1 file"
    size = after["stored"]["bytes"] if after else n.get("file_bytes") or 0
    cells = [
        n["backend"],
        n["workers"],
        n["state"],
        f"{seconds:.0f}",
        f"{stored:,}",
        f"{stored / seconds:.1f}",
        f"{per_1000(seconds, stored):.0f}",
        f"{per_1000(store, stored):.1f}" if store is not None else "(in the shards)",
        f"{cluster['articles']:,}, {cluster['seconds']:.1f}" if cluster else "per batch",
        before["snapshots"] if before else "",
        files,
        f"{size / 1e6:.1f} MB",
    ]
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _store_seconds(night: dict) -> float | None:
    return (night.get("timings") or {}).get("store")


def _analysis(nights: list[dict]) -> list[str]:
    lake = {n["workers"]: n for n in nights if n["backend"] == "lake"}
    file = next((n for n in nights if n["backend"] == "file"), None)
    rate = {w: n["stored"] / n["seconds"] for w, n in lake.items()}
    out = []
    if 1 in rate:
        speedups = ", ".join(f"{w} workers {rate[w] / rate[1]:.2f}x" for w in sorted(rate) if w > 1)
        out.append(
            f"- Against one worker on the lake: {speedups}. Every worker here shares the same "
            "2 cores and extraction and tagging are CPU-bound, so past 2 the shards only divide "
            "the cores further; what more workers buy is more machines. The nights ran one "
            "after another while other work came and went on the machine (the load above), "
            "which moves these ratios by as much as they differ."
        )
    raw = (lake.get(1) or {}).get("raw_pages")
    if raw:
        out.append(
            f"- Bytes after: what is on disk. Every host here serves the same pages, and Parquet "
            f"stores identical values once: the lake's raw pages, {raw['html_zlib'] / 1e6:.1f} MB "
            f"of zlib'd HTML, take {raw['on_disk'] / 1e6:.1f} MB. The DuckDB file holds every "
            "copy, and free blocks besides. docs/scaling.md counts the raw pages at their own size."
        )
    if file and 1 in lake:
        a, b = file, lake[1]
        wall = [per_1000(n["seconds"], n["stored"]) for n in (b, a)]
        store = [per_1000(_store_seconds(n) or 0, n["stored"]) for n in (b, a)]
        out.append(
            f"- DuckLake against the file, one worker: {wall[0]:.0f} s against {wall[1]:.0f} s"
            f" of wall time per 1,000 pages; storing alone {store[0]:.1f} s against "
            f"{store[1]:.1f} s per 1,000 pages (the store stage's own seconds: it runs in a "
            "thread beside fetching and extraction, so only partly on the wall clock)."
        )
    return out


def _site(results: dict) -> str:
    if results.get("site") == "corpus":
        return "the shared corpus's real pages, every host serving all of them"
    return "generated posts, ~10x cheaper to extract than real pages"


def _load(values) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, cwd=REPO)  # fmt: skip
    return done.stdout.strip() or "unknown"


MILLION = 1_000_000
WINDOW_HOURS = 8


def scaling_doc(results: dict) -> str:
    """Returns docs/scaling.md: a million pages a night, each figure from these measurements."""
    lake = [n for n in results["nights"] if n["backend"] == "lake" and n["stored"]]
    one = next(n for n in lake if n["workers"] == 1)
    sharded = [n for n in lake if n["workers"] > 1]
    window = WINDOW_HOURS * 3600
    rate1 = one["stored"] / one["seconds"]
    best = max(lake, key=lambda n: n["stored"] / n["seconds"])
    timings = one.get("timings") or {}
    cpu_page = (timings.get("extract_cpu", 0) + timings.get("tag_cpu", 0)) / one["stored"]
    need = MILLION / window
    snaps = max(_per(n, n["maintenance"]["before"]["snapshots"]) for n in lake)
    files_before = max(_per(n, n["maintenance"]["before"]["stored"]["count"]) for n in lake)
    files_after = max(_per(n, n["maintenance"]["after"]["stored"]["count"]) for n in lake)
    page_bytes = max(_distinct_bytes(n) / n["stored"] for n in lake)
    used_cores = (timings.get("extract_cpu", 0) + timings.get("tag_cpu", 0)) / one["seconds"]
    cluster = max(_per(n, n["clustering"]["seconds"]) for n in sharded if n.get("clustering"))
    planning = max(_per(n, n["planning_seconds"]) for n in sharded if n.get("planning_seconds"))
    tasks = max(_per(n, n["task_runs"]) for n in lake)
    rows = [
        ("pages per second, one worker (2 cores), lake", f"{rate1:.1f}",
         f"{need:.1f} pages/s needed in {WINDOW_HOURS} h",
         f"**{-(-need // rate1):.0f} machines** like this one, one worker and shard each"),
        ("extraction + tagging CPU per page", f"{cpu_page * 1000:.0f} ms",
         f"{MILLION * cpu_page / 3600:,.0f} CPU-hours",
         f"**{MILLION * cpu_page / window:.1f} cores** busy for {WINDOW_HOURS} h"),
        ("catalog commits (snapshots) per 1,000 pages", f"{snaps:.1f}",
         f"{snaps * 1000:,.0f} commits", f"**{snaps * 1000 / window:.2f} commits/s** on average"),
        ("files on storage per 1,000 pages, before → after maintenance",
         f"{files_before:.0f} → {files_after:.0f}",
         f"{files_before * 1000:,.0f} → {files_after * 1000:,.0f}",
         "**files per night** (at most; merging bigger nights makes fewer, bigger files)"),
        ("bytes on storage per page, after maintenance", f"{page_bytes / 1000:.1f} kB",
         f"{MILLION * page_bytes / 1e9:.1f} GB",
         "**bytes per night** (Parquet; raw HTML zlib'd, counted at its own size)"),
        ("clustering after the shards, s per 1,000 articles", f"{cluster:.1f}",
         f"{cluster * 1000 / 60:.0f} min", "one process, after the last shard"),
        ("planning before the shards (read every feed, plan), s per 1,000 pages",
         f"{planning:.1f}", f"{planning * 1000 / 60:.0f} min", "one process, before the first"),
        ("Prefect task runs per 1,000 pages", f"{tasks:.0f}", f"{tasks * 1000:,.0f}",
         "task runs on the Prefect server per night"),
    ]  # fmt: skip
    lines = [
        "# What a million pages a night would take",
        "",
        "Every figure below is one measured here, on a 2-core machine, by `uv run python -m "
        "bench.scaling` (its section of docs/benchmarks.md says when, with what else "
        f"running), multiplied up to 1,000,000 pages and a night of {WINDOW_HOURS} hours. The "
        f"nights measured stored {results['pages']:,} pages each into DuckLake on PostgreSQL "
        "with 1, 2 and 3 workers; they are small, so fixed costs (process start, loading "
        "models, creating the lake, planning, clustering) weigh more in them than in a big "
        "night: the per-page figures are upper bounds. Planning is scaled by pages, which "
        "assumes a million-page night has its pages spread over proportionally more sources "
        "(here "
        f"{results['hosts']} sources, {results['pages'] // results['hosts']:,} pages each).",
        "",
        "Raw figures: docs/scaling.json (`uv run python -m bench.scaling --report-only "
        "--workdir docs` rewrites this page and the benchmark section from them).",
        "",
        "| figure | measured here | × 1,000 (a million pages) | what it means |",
        "|---|---:|---:|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
        "## Reading it",
        "",
        f"- **Workers.** One worker on this 2-core machine stored {rate1:.1f} pages/s; the "
        f"best night here, {best['workers']} workers, {best['stored'] / best['seconds']:.1f} "
        "pages/s: more workers on the same 2 cores do not add cores, so the figure that "
        "scales is per machine. The machine was shared (see the load in docs/benchmarks.md):"
        f" that night's extraction and tagging used {used_cores:.2f} of its 2 cores on "
        "average, so the machines line is what a machine as busy as this one gives, and the "
        "CPU line what the pages cost on a machine of their own. The CPU line counts "
        "extraction and tagging only; the flow process and the Prefect server add about a "
        "third (119 s against 88 s in docs/benchmarks.md's main figures). A machine with "
        "more cores runs one worker whose extraction pool has a process per core.",
        "- **Catalog.** A commit is one PostgreSQL transaction on the DuckLake catalog. At the "
        "average rate above PostgreSQL is idle; the peak is the machines' writers committing "
        "together, a batch of 100 pages each a few commits, conflicts retried "
        "(storage/transaction.py).",
        "- **Files and bytes.** Each batch adds small Parquet files per table; the night's "
        "maintenance step merges them and expires old snapshots (`[storage] "
        "keep_snapshots_days`). Storage must be shared by every machine: object storage "
        '(`data_path = "s3://…"`) in production.',
        "- **The single-writer tail.** Planning (the night reads every feed once to split "
        "it, and each shard reads its own again) and clustering after the shards run in "
        "one process each; they bound how short a night can get, whatever the workers.",
        "- **Not measured here:** object storage latency, a catalog on another machine, "
        "sources with many hosts per feed, politeness delays (0 here: one host per blog, "
        "every blog local).",
    ]
    return "\n".join(lines) + "\n"


def _distinct_bytes(night: dict) -> float:
    """Returns the lake's bytes after maintenance, raw pages counted at their zlib'd size:
    this site's hosts serve identical pages, which Parquet would otherwise store once."""
    stored = night["maintenance"]["after"]["stored"]["bytes"]
    raw = night.get("raw_pages")
    return stored - raw["on_disk"] + raw["html_zlib"] if raw else stored


def _per(night: dict, value: float) -> float:
    """Returns `value` per 1,000 pages of the night."""
    return 1000 * value / night["stored"]
