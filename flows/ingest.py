"""The `ingest` flow: read sources, fetch new pages, extract and tag them, store them.

The night's tasks are in flows.tasks, its batches in flows.batches; a night of more than
one shard is flows.shards.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import quote

from flows.artifacts import publish_report
from flows.batches import store_sources
from flows.night import Night
from flows.search_index import update_search_index
from flows.shards import sharded_night
from flows.tasks import close_database, open_run, tidy_lake
from flows.watches import match_watches, watches_markdown
from newsflow.defaults import DB_PATH, SOURCES_PATH
from newsflow.progress import Progress, publish


@flow(name="ingest", log_prints=True)
async def ingest(
    sources: str = SOURCES_PATH, db: str = DB_PATH, shards: int = 1, due_only: bool = False
):
    """Fetches every source's new articles into the database `db`; returns the run summary.

    With `shards` > 1 the night is split by host over that many shard runs, on the work
    pool or in local processes (flows.shards); `db` must then be a DuckLake. With
    `due_only` only the sources whose pace says they are due are read (newsflow/pace.py);
    a sharded night reads every source.
    """
    if shards != 1:
        return await sharded_night(sources, db, shards)
    logger = get_run_logger()
    opened = await open_run(sources, db)
    if isinstance(opened, State):
        return opened
    config, tonight = opened
    progress = Progress("ingest", sources_total=len(config.sources))
    if tonight.busy:
        logger.warning("database %s is busy: tonight's results are staged on disk", db)
    await store_sources(config, tonight, progress=progress, due_only=due_only)
    return await run_to_end(config, tonight, db, progress)


async def run_to_end(config, tonight: Night, db: str, progress: Progress):
    """Records the run's end, tidies and indexes, publishes its report; returns its state."""
    logger, report = get_run_logger(), tonight.report
    summary = report.finish(state=_state_name(tonight))
    await close_database(quote(tonight), quote(summary))
    tidied = await tidy_lake(db, config.storage.keep_snapshots_days)
    if tidied:
        logger.info("lake maintenance: %s", json.dumps(tidied))
    watched = None
    if not tonight.busy:  # a busy night's articles are indexed once they are merged
        await update_search_index(db)
        watched = await match_watches(db, report.run_id, config.watches)
    progress.done = True
    publish(progress)
    await publish_report(report, watches_markdown(watched))
    summary["timings"] = report.timing_summary()
    logger.info("run timings %s", json.dumps(summary["timings"]))
    return _final_state(tonight, summary)


def _state_name(tonight: Night) -> str:
    if tonight.report.all_sources_failed:
        return "FAILED"
    return "DB_BUSY" if tonight.busy else "COMPLETED"


def _final_state(tonight: Night, summary: dict):
    report = tonight.report
    if report.all_sources_failed:
        return Failed(message=f"no source could be read: {report.failure_brief()}", data=summary)
    if tonight.busy:
        return Completed(
            name="Staged",
            message=f"database {tonight.db} was busy: {tonight.staged} batches staged on disk, "
            "merged on the next run",
            data=summary,
        )
    return Completed(message=report.brief(), data=summary)


def run_ingest(sources: str | Path, db: str | Path, shards: int = 1, due_only: bool = False):
    """Runs the flow now and returns its final state (the CLI's entry to Prefect)."""
    return asyncio.run(ingest(str(sources), str(db), shards, due_only, return_state=True))
