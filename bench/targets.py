"""Issue 14's targets, each with the value this benchmark measured, met or not; and the
per-stage CPU of a night before and after (an earlier run's results.json, `--before`)."""

from __future__ import annotations

from statistics import median

GB = 1024  # MB


def pair_ratios(rounds: list[dict]) -> list[float]:
    """Returns newsflow / naive for each alternating pair (run back to back, so a change
    of load on the shared machine touches both sides of a ratio alike)."""
    return [r["newsflow"]["wall"] / r["naive"]["wall"] for r in rounds]


def targets_table(results: dict) -> str:
    rows = [row for row in (_speed(results, "rounds", 1.0), _speed(results, "large", 0.8)) if row]
    rows += _memory(results) + _startup(results)
    lines = [
        "## Targets (issue 14)",
        "",
        "| target | measured | met? |",
        "|---|---|---|",
    ]
    lines += [f"| {target} | {value} | {_met(met)} |" for target, value, met in rows]
    return "\n".join(lines)


def _speed(results: dict, key: str, limit: float):
    rounds = results.get(key)
    if not rounds:
        return (f"≤ {limit:.1f}x the naive script ({key})", "not measured in this run", None)
    pages = rounds[0]["newsflow"]["articles_new"]
    ratios = pair_ratios(rounds)
    shown = ", ".join(f"{x:.2f}" for x in ratios)
    value = f"{median(ratios):.2f}x (pairs: {shown}; {len(ratios)} pair(s))"
    return (f"{pages:,} pages, tagging on: ≤ {limit:.1f}x the naive script", value,
            median(ratios) <= limit)  # fmt: skip


def _memory(results: dict) -> list:
    runs = results.get("scaling", {}).get("runs", [])
    if len(runs) < 2:
        return [("10,000-page night over the history: peak PSS ≤ 1 GB", "not measured", None)]
    small, large = runs[0], runs[-1]
    history = results["scaling"]["history"]
    growth = large["peak_pss_mb"] / small["peak_pss_mb"] - 1
    return [
        (
            f"{large['pages']:,}-page night over {history:,} articles: whole-tree peak PSS ≤ 1 GB",
            f"{large['peak_pss_mb']:.0f} MB ({_roles(large)})",
            large["peak_pss_mb"] <= GB,
        ),
        (
            f"… within 10% of the {small['pages']:,}-page night over the same history",
            f"{small['peak_pss_mb']:.0f} → {large['peak_pss_mb']:.0f} MB ({growth:+.0%})",
            growth <= 0.10,
        ),
    ]


def _startup(results: dict) -> list:
    rows = []
    if results.get("empty"):
        empty = median(e["wall"] for e in results["empty"])
        rows.append(("empty night, CLI command to exit: ≤ 8 s", f"{empty:.1f} s (median of "
                     f"{len(results['empty'])})", empty <= 8))  # fmt: skip
    deployment = results.get("deployment")
    if deployment:
        worker = median(d["worker"] for d in deployment)
        running = median(d["running"] for d in deployment)
        rows.append((
            "nightly deployment's empty run on a running server + worker: ≤ 5 s of worker time",
            f"{worker:.1f} s from the worker taking it to its end ({running:.1f} s of it "
            f"RUNNING; median of {len(deployment)})",
            worker <= 5,
        ))  # fmt: skip
    else:
        rows.append(("nightly deployment's empty run: ≤ 5 s of worker time", "not measured",
                     None))  # fmt: skip
    return rows


def _roles(run: dict) -> str:
    roles = run.get("pss_by_role_mb", {})
    return ", ".join(f"{role} {mb:.0f}" for role, mb in sorted(roles.items()) if mb >= 1)


def _met(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**not met**")


STAGES = [
    ("extract_cpu", "extract (trafilatura + metadata), all workers", "CPU"),
    ("tag_cpu", "tag (language, entities, keywords, topics, MinHash), all workers", "CPU"),
    ("fetch", "fetch pages (overlaps extraction)", "wall"),
    ("store", "store (Arrow rows + DuckDB + clusters, in a thread)", "wall"),
    ("extract_wait", "flow waiting for extraction results", "wall"),
    ("flow", "flow body (load sources → record run)", "wall"),
]
ROLES = ["main", "extraction", "prefect server", "other"]


def stage_comparison(results: dict, before: dict | None) -> str:
    """Returns the per-stage table of the main rounds, beside an earlier run's if given."""
    after_rounds = results["rounds"]
    before_rounds = (before or {}).get("rounds") or []
    pages = after_rounds[0]["newsflow"]["articles_new"]
    head = "| stage | after |" if not before_rounds else "| stage | before | after |"
    lines = [
        "## Where the time goes, per stage (newsflow's own counters, medians)",
        "",
        f"{pages:,} pages, fresh database. " + _before_note(before, before_rounds),
        "",
        head,
        "|---|---|---|" if before_rounds else "|---|---|",
    ]
    for key, label, kind in STAGES:
        cells = [_stage(r, key) for r in (before_rounds, after_rounds) if r]
        lines.append(f"| {label} | " + " | ".join(f"{c:.1f} s {kind}" for c in cells) + " |")
    for role in ROLES:
        cells = [_role_cpu(r, role) for r in (before_rounds, after_rounds) if r]
        lines.append(f"| CPU of the {role} process(es) | " + " | ".join(f"{c:.1f} s" for c in cells)
                     + " |")  # fmt: skip
    cells = [median(x["newsflow"]["cpu"] for x in r) for r in (before_rounds, after_rounds) if r]
    lines.append("| CPU, whole tree | " + " | ".join(f"{c:.0f} s" for c in cells) + " |")
    cells = [median(x["newsflow"]["wall"] for x in r) for r in (before_rounds, after_rounds) if r]
    lines.append("| wall, command to exit | " + " | ".join(f"{c:.1f} s" for c in cells) + " |")
    return "\n".join(lines)


def _before_note(before: dict | None, rounds: list) -> str:
    if not rounds:
        return "No earlier run given (`--before results.json`): after only."
    m = before["machine"]
    pages = rounds[0]["newsflow"]["articles_new"]
    return (f"Before: commit {m['commit']} on {pages:,} pages, {len(rounds)} round(s), load "
            f"before {m['load_before'][0]:.1f}.")  # fmt: skip


def _stage(rounds: list[dict], key: str) -> float:
    return median(r["newsflow"]["timings"].get(key, 0.0) for r in rounds)


def _role_cpu(rounds: list[dict], role: str) -> float:
    return median(r["newsflow"]["cpu_by_role"].get(role, 0.0) for r in rounds)
