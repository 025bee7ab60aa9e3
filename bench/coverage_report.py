"""Writes bench/coverage.py's figures into docs/benchmarks.md, between its markers: the
analysis written by hand (bench/coverage.md), then the measured table."""

from __future__ import annotations

from pathlib import Path

from bench.sections import write_section

ANALYSIS = Path(__file__).with_name("coverage.md")

HEADER = (
    "| strategy | coverage: paging or sitemap | coverage: feed only | coverage: all "
    "| runs | feed reads | feed, page-back, sitemap, robots requests | pages | requests "
    "| vs hourly | gaps happened | detected | precision | recall | not closed | recovered |"
)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}%"


def table(results: list[dict]) -> str:
    """Returns the Markdown table of the strategies' figures."""
    hourly = next((r["requests"] for r in results if r["strategy"] == "fixed hourly"), None)
    rows = [HEADER, "|" + "---|" * HEADER.count(" | ") + "---|"]
    for r in results:
        c = r["coverage"]
        share = f"{100 * r['requests'] / hourly:.0f}%" if hourly else "–"
        rows.append(
            f"| {r['strategy']} | {_pct(c['paging or sitemap'])} | {_pct(c['feed only'])} "
            f"| {_pct(c['all'])} | {r['runs']} | {r['feed_reads']} | {r['requests_sent']} "
            f"| {r['pages_planned']} | {r['requests']} | {share} | {r['gaps_happened']} "
            f"| {r['gaps_detected']} | {_pct(r['precision'])} | {_pct(r['recall'])} "
            f"| {r['not_closed']} | {r['recovered']} |"
        )
    return "\n".join(rows)


def false_alarms(results: list[dict]) -> str:
    """Returns a line per strategy with false alarms: what the sources were shown."""
    lines = []
    for r in results:
        if r["false_alarms"]:
            shown = sorted(set(r["false_alarms"]))
            lines.append(f"- {r['strategy']}, false alarms: {len(r['false_alarms'])} "
                         f"({'; '.join(shown[:6])}{' …' if len(shown) > 6 else ''})")  # fmt: skip
    return "\n".join(lines) or "- no false alarm"


def write_report(results: list[dict], days: int, seed: int) -> None:
    """Replaces the coverage section of docs/benchmarks.md (appended the first time)."""
    published = results[0]["published"] if results else 0
    body = (
        f"{ANALYSIS.read_text(encoding='utf-8').rstrip()}\n\n"
        f"`uv run python -m bench.coverage --days {days} --seed {seed}`: "
        f"{published} posts published on 54 sites after the first run.\n\n"
        f"{table(results)}\n\n{false_alarms(results)}"
    )
    write_section("coverage", body)
