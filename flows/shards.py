"""A sharded night: `ingest` with shards > 1 splits the due sources by host, runs each
shard as its own flow run, waits for them, then does once what needs a single writer.

1. plan: read every due source's feed and plan its pages, as a night does, then split
   the sources by host, balanced by planned pages (flows.shard_plan);
2. run the shards (flows.shard_runs): on the work pool when this night runs there,
   else as processes of this machine; each stores its pages into the lake at once;
3. after the last shard: cluster near-duplicates over the night's articles, record the
   run, publish one summary across shards (a row per shard: worker, pages, seconds,
   state). A shard that crashed or failed fails the night, which says which and why;
   what the other shards stored stays, and the next night fetches only what is missing.

Shards write at the same time, which a DuckDB file does not allow: they need DuckLake.
The planning reads are not recorded as fetches; each shard reads its feeds again
(one request more per source and night) and records those.
"""

from __future__ import annotations

import json
import time

from prefect import get_run_logger, task
from prefect.artifacts import acreate_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import ObjectNotFound
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import quote

from fetchers.http import Fetcher
from fetchers.robots import RobotsCache
from flows.artifacts import publish_report
from flows.night import Night
from flows.search_index import update_search_index
from flows.shard_plan import Shard, plan_shards
from flows.shard_runs import SHARD_DEPLOYMENT, ShardOutcome, on_work_pool, run_shards
from flows.tasks import (
    close_database,
    cluster_articles,
    open_run,
    plan_pages,
    read_sources,
    tidy_lake,
)
from flows.watches import match_watches, watches_markdown
from newsflow.policy import sources_due
from newsflow.summary import Failure, RunReport, SourceCounts
from storage.lake import is_lake


async def sharded_night(sources: str, db: str, shards: int):
    """Runs the night over `shards` shards; returns its final state, with the summary."""
    refused = _refusal(db, shards)
    if refused:
        return Failed(message=refused)
    logger = get_run_logger()
    opened = await open_run(sources, db)
    if isinstance(opened, State):
        return opened
    config, tonight = opened
    report = tonight.report
    plan = await _split(config, tonight, shards)
    pool = await on_work_pool()
    where = "on the work pool" if pool else "as local processes"
    split = "; ".join(f"{s.number}: {len(s.sources)} sources, {s.pages} pages" for s in plan)
    logger.info("%d shards, %s: %s", len(plan), where, split)
    try:
        params = {"sources": sources, "db": db, "night": report.run_id}
        outcomes = await run_shards(plan, params, pool)
    except ObjectNotFound:
        return Failed(message=f"deployment {SHARD_DEPLOYMENT} not found: `prefect deploy --all`")
    for outcome in outcomes:
        merge_outcome(report, outcome, len(plan))
    started_clustering = time.monotonic()
    clustered = await cluster_articles(db, report.run_id)
    logger.info("%d articles clustered in %.1f s", clustered, time.monotonic() - started_clustering)
    await update_search_index(db)  # once, over every shard's articles
    watched = await match_watches(db, report.run_id, config.watches)  # once too
    days = config.storage.keep_snapshots_days
    return await _finish(tonight, outcomes, days, watches_markdown(watched))


def _refusal(db: str, shards: int) -> str | None:
    if shards < 1:
        return f"parameter 'shards': expected 1 or more, got {shards}"
    if not is_lake(db):
        return (
            f"parameter 'shards': {shards} shards write at the same time, which needs DuckLake;"
            f" db {db!r} is a DuckDB file, which takes one writer at a time. Use"
            " db = ducklake:sqlite:PATH (one machine) or ducklake:postgres:dbname=… host=…"
            " (many machines; docs/operations.md: When one machine is not enough),"
            " or shards = 1"
        )
    return None


async def _split(config, tonight: Night, shards: int) -> list[Shard]:
    """Returns the shards, from tonight's feeds and plan (read here, not recorded)."""
    memory, report = tonight.memory, tonight.report
    scratch = RunReport(run_id=report.run_id, started_at=report.started_at, db=report.db,
                        config=config)  # fmt: skip
    async with Fetcher(config.settings, robots=RobotsCache(memory.http_cache or {})) as fetcher:
        # Unhealthy sources still backing off: in the night's report.
        due = sources_due(config, memory.sources or {}, report)
        crawls = await read_sources(fetcher, quote(due), quote(memory))
    todo = await plan_pages(quote(tonight), quote(crawls), config.settings, quote(scratch))
    source_urls = {source.name: source.url for source in due.sources}
    return await split_by_host(source_urls, [(s, e.url) for s, e in todo], shards)


@task(name="split by host", cache_policy=NO_CACHE)
async def split_by_host(source_urls: dict, planned: list, shards: int) -> list[Shard]:
    """Returns the night's shards (flows.shard_plan.plan_shards)."""
    return plan_shards(source_urls, planned, shards)


def merge_outcome(report: RunReport, outcome: ShardOutcome, of: int) -> None:
    """Adds a shard's per-source counts and failures to the night's report; the sources
    of a shard that did not complete are marked failed, saying why."""
    for row in outcome.sources:
        report.sources[row["source"]] = SourceCounts(
            **{k: row.get(k, 0) for k in ("new", "updated", "unchanged", "not_modified",
                                          "failed", "fetches", "seconds")},
            error=row.get("error") or None,
        )  # fmt: skip
        if row.get("gap"):
            report.add_gap(row["source"], row.get("recovered", 0), row["gap"] == "closed",
                           row.get("gap_reason") or None)  # fmt: skip
    report.failures += [
        Failure(f["url"], f["source"], f["stage"], f["reason"]) for f in outcome.failures
    ]
    report.pages_planned += outcome.shard.pages
    report.pages_done += outcome.pages_done
    if not outcome.completed:
        why = f"shard {outcome.shard.number} of {of} {outcome.state}: {outcome.message}"[:300]
        for name in outcome.shard.sources:
            counts = report.sources.setdefault(name, SourceCounts())
            counts.error = counts.error or why


async def _finish(tonight: Night, outcomes: list[ShardOutcome], keep_days: int,
                  watches_section: str = ""):  # fmt: skip
    report = tonight.report
    unfinished = [o for o in outcomes if not o.completed]
    state = "FAILED" if unfinished or report.all_sources_failed else "COMPLETED"
    summary = report.finish(state=state)
    of = len(outcomes)
    if unfinished:
        summary["message"] = (
            "; ".join(f"shard {o.shard.number} of {of} {o.state} on {o.worker}: {o.message}"
                      for o in unfinished)
            + ". The other shards' pages are stored; the next run fetches what is missing"
        )  # fmt: skip
    await close_database(quote(tonight), quote(summary))
    tidied = await tidy_lake(tonight.db, keep_days)  # once, no shard writing any more
    get_run_logger().info("lake maintenance: %s", json.dumps(tidied))
    await publish_report(report, shards_markdown(outcomes) + watches_section)
    await acreate_table_artifact(
        key="ingest-shards", table=[o.row(of) for o in outcomes], description="per shard"
    )
    if unfinished:
        return Failed(message=summary["message"], data=summary)
    if report.all_sources_failed:
        return Failed(message=f"no source could be read: {report.failure_brief()}", data=summary)
    return Completed(message=f"{report.brief()}; {of} shards", data=summary)


def shards_markdown(outcomes: list[ShardOutcome]) -> str:
    """Returns the summary's section with one row per shard."""
    of = len(outcomes)
    lines = [
        "",
        "",
        "## Shards",
        "",
        "| shard | worker | sources | hosts | pages planned | pages done | seconds | state |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for o in outcomes:
        r = o.row(of)
        lines.append(
            f"| {r['shard']} | {r['worker']} | {r['sources']} | {r['hosts']} | "
            f"{r['pages_planned']} | {r['pages_done']} | {r['seconds']} | **{r['state']}** |"
        )
    lines += [f"\n> shard {o.shard.number}: {o.message}" for o in outcomes if not o.completed]
    return "\n".join(lines)
