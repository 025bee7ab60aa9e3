"""Turns the benchmark's results into docs/benchmarks.md: figures, targets, where time goes."""

from __future__ import annotations

from pathlib import Path
from statistics import median

from bench.context import header
from bench.sections import kept_sections
from bench.targets import stage_comparison, targets_table

NEWSFLOW_CMD = "python -m newsflow.cli ingest --sources {w}/sources.toml --db {w}/newsflow.duckdb"
NAIVE_CMD = "python bench/naive.py --db {w}/naive.duckdb FEED_URL…"
LIMIT_CMD = "python bench/extraction_limit.py --pages {pages}"
EMPTY_CMD = "python -m newsflow.cli ingest --sources {w}/empty.toml --db {w}/empty.duckdb"


def write_report(results: dict, out: Path) -> None:
    """Writes the markdown report of `results` to `out`."""
    scores = results.get("scores")
    if scores:
        results["machine"]["scores"] = scores
    if not results.get("rounds"):  # parts measured one at a time: the rounds are not in yet
        sections = [header(results), targets_table(results), "The main rounds: not measured yet."]
        out.write_text("\n\n".join([*sections, kept_sections(out)]) + "\n", encoding="utf-8")
        return
    figures = Figures(results)
    sections = [
        header(results),
        targets_table(results),
        figures.main_table(),
        figures.rounds_table(),
        figures.startup_table(),
        stage_comparison(results, results.get("before")),
        figures.scaling_table(),
        figures.analysis(),
        ANALYSIS,
        EXTRACTION_QUALITY,
    ]
    sections.append(kept_sections(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n\n".join(s for s in sections if s).rstrip() + "\n", encoding="utf-8")


class Figures:
    """The medians and ratios the report shows, computed once from the raw results."""

    def __init__(self, results: dict):
        self.r = results
        self.rounds = results["rounds"]
        self.cores = results["machine"]["nproc"]
        self.w = results["args"]["workdir"]
        self.pages = self.rounds[0]["newsflow"]["articles_new"]
        self.new = self._median("newsflow", "wall")
        self.naive = self._median("naive", "wall")
        self.rerun = self._median("rerun", "wall")
        self.empty = median(e["wall"] for e in results["empty"])
        self.limit_cpu = self._median("limit", "cpu_seconds")
        self.limit_wall = self.limit_cpu / self.cores
        self.rerun_share = (self.rerun - self.empty) / max(self.new - self.empty, 1e-9)
        runs = [r[k] for r in self.rounds for k in ("newsflow", "rerun")] + results["empty"]
        runs += results.get("scaling", {}).get("runs", [])
        self.peak_pss = max(r["peak_pss_mb"] for r in runs)
        peak = max(runs, key=lambda r: r["peak_pss_mb"])
        self.peak_roles = ", ".join(
            f"{role} {mb:.0f}" for role, mb in sorted(peak.get("pss_by_role_mb", {}).items())
        )
        self.peak_rss = max(r["peak_rss_mb"] for r in runs)

    def _median(self, name: str, key: str) -> float:
        return median(r[name][key] for r in self.rounds)

    def main_table(self) -> str:
        p, w = self.pages, self.w
        rows = [
            (
                "newsflow ingest, tagging on, fresh database",
                f"{self.new:.1f} s",
                "",
                NEWSFLOW_CMD.format(w=w),
            ),
            (
                "naive script (fetch, extract, insert; no tagging)",
                f"{self.naive:.1f} s",
                "",
                NAIVE_CMD.format(w=w),
            ),
            (
                "newsflow / naive",
                f"{self.new / self.naive:.2f}x",
                _target(self.new / self.naive <= 1.0, "≤ 1.0x (aim 0.7x)"),
                "",
            ),
            (
                f"trafilatura.extract CPU over the {p} pages",
                f"{self.limit_cpu:.1f} s",
                "",
                LIMIT_CMD.format(pages=p),
            ),
            (
                f"extraction limit on {self.cores} cores (CPU / {self.cores})",
                f"{self.limit_wall:.1f} s",
                "",
                "",
            ),
            (
                "newsflow / extraction limit",
                f"{self.new / self.limit_wall:.2f}x",
                _target(self.new / self.limit_wall <= 1.3, "≤ 1.3x"),
                "",
            ),
            (
                "unchanged rerun (same sources, same database)",
                f"{self.rerun:.1f} s",
                "",
                NEWSFLOW_CMD.format(w=w) + " (again)",
            ),
            (
                "empty run (no source): start-up cost",
                f"{self.empty:.1f} s",
                "",
                EMPTY_CMD.format(w=w),
            ),
            (
                "rerun's work net of start-up, share of the first run's",
                f"{self.rerun_share:.1%}",
                _target(self.rerun_share <= 0.10, "≤ 10%"),
                "",
            ),
            (
                "peak memory of the process tree, PSS (RSS), every newsflow run",
                f"{self.peak_pss:.0f} MB ({self.peak_rss:.0f} MB); at that peak, MB PSS: "
                f"{self.peak_roles}",
                _target(self.peak_pss <= 1024, "≤ 1 GB"),
                "",
            ),
        ]
        lines = [
            "## Figures",
            "",
            f"Medians of {len(self.rounds)} round(s) on {p} pages.",
            "",
            "| figure | value | target | command |",
            "|---|---|---|---|",
        ]
        lines += [f"| {a} | {b} | {c} | {f'`{d}`' if d else ''} |" for a, b, c, d in rows]
        return "\n".join(lines)

    def rounds_table(self) -> str:
        lines = [
            "### Every round",
            "",
            "| round | newsflow s (CPU s) | rerun s | naive s (CPU s) | extract CPU s |"
            " empty s | newsflow PSS MB | naive PSS MB |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for n, (r, e) in enumerate(zip(self.rounds, self.r["empty"], strict=True), start=1):
            lines.append(
                f"| {n} | {r['newsflow']['wall']:.1f} ({r['newsflow']['cpu']:.0f}) | "
                f"{r['rerun']['wall']:.1f} | {r['naive']['wall']:.1f} ({r['naive']['cpu']:.0f}) | "
                f"{r['limit']['cpu_seconds']:.1f} | {e['wall']:.1f} | "
                f"{r['newsflow']['peak_pss_mb']:.0f} | {r['naive']['peak_pss_mb']:.0f} |"
            )
        return "\n".join(lines)

    def startup_table(self) -> str:
        rows = []
        alone = self.r.get("server_start") or []
        if alone:
            rows.append((
                "Prefect's temporary server alone, launch to healthy (as the CLI starts it)",
                f"{median(x['wall'] for x in alone):.1f} s",
                f"{median(x['cpu_by_role'].get('prefect server', 0) for x in alone):.1f} s",
            ))  # fmt: skip
        rows.append(("empty night: `newsflow ingest`, no source (all of it)", f"{self.empty:.1f} s",
                     f"{median(e['cpu'] for e in self.r['empty']):.1f} s"))  # fmt: skip
        for role in ("main", "prefect server", "extraction"):
            cpu = median(e["cpu_by_role"].get(role, 0.0) for e in self.r["empty"])
            rows.append((f"… of which the {role} process(es)", "", f"{cpu:.1f} s"))
        for run in self.r.get("deployment") or []:
            rows.append((
                "nightly deployment, empty run on a running server + worker: worker time "
                "(RUNNING)",
                f"{run['worker']:.1f} s ({run['running']:.1f} s)",
                "",
            ))  # fmt: skip
        lines = [
            "## Start-up",
            "",
            "| what | wall | CPU |",
            "|---|---|---|",
        ]
        return "\n".join(lines + [f"| {a} | {b} | {c} |" for a, b, c in rows])

    def scaling_table(self) -> str:
        scaling = self.r.get("scaling")
        if not scaling:
            return "## Growth with history\n\nNot measured in this run (`--quick`)."
        lines = [
            "## Growth with history",
            "",
            f"New pages over a database already holding {scaling['history']:,} synthetic "
            f"articles ({_built(scaling)} through storage.writes' "
            "Arrow path, with fetches, tags and MinHash bands). Net = wall − empty run. "
            f"Command: `{scaling.get('command', 'uv run python bench/run.py')}`.",
            "",
            "| new pages | wall s | net s per 1,000 pages | CPU s | peak PSS MB | peak RSS MB |",
            "|---|---|---|---|---|---|",
        ]
        fresh = {
            "pages": self.pages,
            "wall": self.new,
            "cpu": self._median("newsflow", "cpu"),
            "peak_pss_mb": self._median("newsflow", "peak_pss_mb"),
            "peak_rss_mb": self._median("newsflow", "peak_rss_mb"),
        }
        for label, run in [("(fresh db)", fresh)] + [("", r) for r in scaling["runs"]]:
            net = (run["wall"] - self.empty) / run["pages"] * 1000
            lines.append(
                f"| {run['pages']:,} {label} | {run['wall']:.1f} | {net:.1f} | "
                f"{run['cpu']:.0f} | {run['peak_pss_mb']:.0f} | {run['peak_rss_mb']:.0f} |"
            )
        small, large = scaling["runs"][0], scaling["runs"][-1]
        flat = large["peak_pss_mb"] <= 1.1 * small["peak_pss_mb"]
        lines += [
            "",
            f"Peak memory from {small['pages']:,} to {large['pages']:,} pages: "
            f"{small['peak_pss_mb']:.0f} → {large['peak_pss_mb']:.0f} MB PSS "
            f"({_target(flat, 'flat, within 10%')}).",
        ]
        return "\n".join(lines)

    def analysis(self) -> str:
        t = {
            k: median(r["newsflow"]["timings"].get(k, 0.0) for r in self.rounds)
            for k in ("extract_cpu", "tag_cpu")
        }
        worker = t["extract_cpu"] + t["tag_cpu"]
        per_page = 1000 / max(self.pages, 1)
        return "\n".join(
            [
                "## Analysis",
                "",
                f"- Per page, the workers spend {t['extract_cpu'] * per_page:.0f} ms CPU "
                f"extracting and {t['tag_cpu'] * per_page:.0f} ms tagging: tagging is "
                f"{t['tag_cpu'] / max(worker, 1e-9):.0%} of the workers' CPU. trafilatura.extract "
                f"alone costs {self.limit_cpu * per_page:.0f} ms a page; the naive script spends "
                f"{self.naive * per_page:.0f} ms a page in all, on one core.",
                f"- On {self.cores} cores the workers' {worker:.0f} CPU-seconds need at least "
                f"{worker / self.cores:.0f} s of wall time; the run took {self.new:.0f} s, "
                f"{self.empty:.0f} s of which is the start-up an empty run also pays.",
            ]
        )


def _built(scaling: dict) -> str:
    seconds = scaling["build_seconds"]
    if scaling.get("template", "built by this run") == "built by this run":
        return f"built in {seconds:.0f} s"
    return f"built earlier by bench/history.py, `--history-db`, migrated here in {seconds:.0f} s"


def _target(met: bool, target: str) -> str:
    return f"{target}: {'met' if met else '**not met**'}"


ANALYSIS = (Path(__file__).parent / "analysis.md").read_text(encoding="utf-8")
# Written by hand from bench/extraction_dev.py's figures (issue 13); kept on regeneration.
EXTRACTION_QUALITY = (Path(__file__).parent / "extraction_quality.md").read_text(encoding="utf-8")
