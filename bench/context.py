"""What the benchmark ran on and how: the machine, versions, settings (the report's header)."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from bench.site import REPO

PACKAGES = ("prefect", "duckdb", "trafilatura", "httpx", "spacy", "yake", "pyarrow")


def machine() -> dict:
    """Returns what the figures were measured on."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in cpuinfo.splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "commit": commit,
        "load_before": os.getloadavg(),
        **{name: metadata.version(name) for name in PACKAGES},
    }


def header(results: dict) -> str:
    """Returns the report's opening: how it was made and on what."""
    m, args = results["machine"], results["args"]
    mode = "quick" if args["quick"] == "True" else "full"
    if args.get("parts") not in (None, "None"):
        mode = "parts measured in separate runs with `--parts`"
    versions = ", ".join(f"{name} {m[name]}" for name in PACKAGES)
    load = ", ".join(f"{x:.1f}" for x in m["load_before"])
    load_after = ", ".join(f"{x:.1f}" for x in m.get("load_after", ()))
    return "\n".join(
        [
            "# Benchmarks",
            "",
            "Produced by `uv run python bench/run.py"
            + (" --quick" if mode == "quick" else "")
            + f"` ({mode} mode, {results['bench_seconds'] / 60:.0f} min) at commit {m['commit']}; "
            f"raw figures in `{args['workdir']}/results.json`.",
            "",
            f"- Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM; Python "
            f"{m['python']}; {versions}.",
            f"- Load average (1, 5, 15 min) before: {load}; after: {load_after}. The machine is "
            "shared: other work running at the same time slows every figure, the ratios less.",
            "- Site: the shared corpus (115 pages) replicated under distinct URLs behind RSS feeds "
            "of 250 links (tests/support/corpus_site.py), served by "
            "newsflow.demo.site.SiteServer on 127.0.0.1 from the benchmark's own process.",
            "- sources.toml for newsflow: `allow_private_networks = true`, "
            "`per_host_delay_seconds = 0`, `per_host_concurrency = 8`, "
            "`max_articles_per_source = 1000`: politeness applies per host, and every page is "
            "on one host, 127.0.0.1.",
            f"- Prefect: {PREFECT_MODES[args['prefect']]}; its own PREFECT_HOME in the work "
            "folder.",
            "- Bytecode cached (PYTHONPYCACHEPREFIX in the work folder; PYTHONDONTWRITEBYTECODE "
            "unset for the runs), as on an installed system; one warm-up run is not counted.",
            f"- Extraction quality on the corpus (tests/extractors/article/test_article.py): "
            f"{m.get('scores', 'not measured in quick mode')}.",
            "- Memory: the sum over the process tree (flow process, Prefect server, fork server "
            "and workers) at its peak, sampled every 0.25 s (PSS every 1 s) from /proc.",
        ]
    )


PREFECT_MODES = {
    "ephemeral": "ephemeral mode, as `newsflow ingest` runs by default: every run starts its "
    "own temporary server",
    "server": "one server started by the benchmark, PREFECT_API_URL pointing at it",
}
