"""Publishes a run's report as Prefect artifacts: a summary, a table per source, failures."""

from __future__ import annotations

import logging
from pathlib import Path

from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact

from newsflow.chart import articles_per_day_svg, chart_path, svg_data_uri
from newsflow.errors import StorageError
from newsflow.summary import RunReport
from storage.db import connect
from storage.lake import is_lake
from storage.reports import articles_per_day

log = logging.getLogger(__name__)

MAX_FAILURE_ROWS = 500


def source_rows(report: RunReport) -> list[dict]:
    """Returns one row per source: new, updated, unchanged, not modified, failed, time,
    and its gap (a sharded night's report is merged from these rows: flows.shards)."""
    return [
        {
            "source": name,
            "new": c.new,
            "updated": c.updated,
            "unchanged": c.unchanged,
            "not_modified": c.not_modified,
            "failed": c.failed,
            "fetches": c.fetches,
            "seconds": round(c.seconds, 2),
            "error": c.error or "",
            **_gap_cells(report.gaps.get(name)),
        }
        for name, c in report.sources.items()
    ]


def _gap_cells(gap) -> dict:
    """Returns a source's gap cells: how its feed's gap ended, what backfill recovered."""
    if gap is None:
        return {"gap": "", "recovered": 0, "gap_reason": ""}
    state = "closed" if gap.closed else "not closed"
    return {"gap": state, "recovered": gap.recovered, "gap_reason": gap.reason or ""}


def summary_markdown(report: RunReport) -> str:
    """Returns the run summary as markdown."""
    t = report.totals()
    lines = [
        f"# newsflow run {report.run_id}",
        "",
        f"**{report.state}** in {report.seconds:.1f} s: {report.brief()}.",
        f"Database `{report.db}`; sources `{report.config.path}`.",
    ]
    if report.storage_error:
        lines += ["", f"> **{report.storage_error}**: results staged on disk, merged next run."]
    lines += [
        "",
        "| source | new | updated | unchanged | not modified | failed | error |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in source_rows(report):
        lines.append(
            f"| {row['source']} | {row['new']} | {row['updated']} | {row['unchanged']} "
            f"| {row['not_modified']} | {row['failed']} | {_cell(row['error'])} |"
        )
    lines.append(
        f"| **total** | {t.new} | {t.updated} | {t.unchanged} | {t.not_modified} | {t.failed} | |"
    )
    return "\n".join(lines + gap_lines(report))


def gap_lines(report: RunReport) -> list[str]:
    """Returns the summary's section on sources whose feed rolled past what was stored."""
    if not report.gaps:
        return []
    lines = ["", "## Gaps", "", "| source | recovered by backfill | closed | why not |",
             "|---|---:|---|---|"]  # fmt: skip
    for name, gap in sorted(report.gaps.items()):
        closed = "yes" if gap.closed else "**no: entries may be lost**"
        lines.append(f"| {name} | {gap.recovered} | {closed} | {_cell(gap.reason or '')} |")
    return lines


async def publish_report(report: RunReport, more_markdown: str = "") -> None:
    """Creates the run's markdown and table artifacts (`more_markdown` ends the summary)."""
    await acreate_markdown_artifact(
        key="ingest-summary",
        markdown=summary_markdown(report) + more_markdown + chart_markdown(report.db),
        description="newsflow run",
    )
    await publish_tables(report)


async def publish_tables(report: RunReport) -> None:
    """Creates the per-source and failures table artifacts."""
    await acreate_table_artifact(
        key="ingest-sources", table=source_rows(report), description="per source"
    )
    failures = [
        {"url": f.url, "source": f.source, "stage": f.stage, "reason": f.reason[:300]}
        for f in report.failures[:MAX_FAILURE_ROWS]
    ]
    await acreate_table_artifact(
        key="ingest-failures",
        table=failures or [{"url": "", "source": "", "stage": "", "reason": "no failures"}],
        description=f"{len(report.failures)} failures",
    )


def chart_markdown(db: str) -> str:
    """Returns the articles-per-day chart, written beside the database, as a markdown image."""
    try:
        path, svg = write_chart(db)
    except (StorageError, OSError) as exc:
        # A busy or unreadable database costs the picture, not the run: say so in the summary.
        log.warning("chart of %s not drawn: %s", db, exc)
        return f"\n\n_Chart not drawn: {_cell(str(exc))}_"
    image = f"![articles per day per source]({svg_data_uri(svg)})"
    return f"\n\n## Articles per day\n\n{image}" + (f"\n\n`{path}`" if path else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:120]


def write_chart(db: str | Path) -> tuple[Path | None, str]:
    """Returns the chart's path and SVG, after drawing the database's articles per day there.

    A DuckLake has no file to put it beside (its catalog may be a PostgreSQL database): its
    chart is only in the summary artifact, and the path is None.
    Raises StorageError when the database cannot be read (for one, busy in another process).
    """
    with connect(db, read_only=True, wait_seconds=2) as con:
        rows = articles_per_day(con)
    svg = articles_per_day_svg(rows)
    if is_lake(db):
        return None, svg
    path = chart_path(db)
    path.write_text(svg, encoding="utf-8")
    return path, svg
