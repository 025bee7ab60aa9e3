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
from flows.search_index import update_search_index
from flows.shards import sharded_night
from flows.tasks import close_database, open_run, tidy_lake
from newsflow.defaults import DB_PATH, SOURCES_PATH
from newsflow.progress import Progress, publish
from newsflow.summary import RunReport
from storage.state import Memory


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
    config, report, memory = opened
    progress = Progress("ingest", sources_total=len(config.sources))
    if memory.busy:
        logger.warning("database %s is busy: tonight's results are staged on disk", db)
    await store_sources(config, memory, report.run_id, report, progress=progress, due_only=due_only)
    return await run_to_end(config, report, memory, db, progress)


async def run_to_end(config, report: RunReport, memory: Memory, db: str, progress: Progress):
    """Records the run's end, tidies and indexes, publishes its report; returns its state."""
    logger = get_run_logger()
    summary = report.finish(state=_state_name(report, memory))
    await close_database(quote(memory), report.run_id, quote(summary))
    tidied = await tidy_lake(quote(memory), config.storage.keep_snapshots_days)
    if tidied:
        logger.info("lake maintenance: %s", json.dumps(tidied))
    if not memory.busy:  # a busy night's articles are indexed once they are merged
        await update_search_index(db)
    progress.done = True
    publish(progress)
    await publish_report(report)
    summary["timings"] = report.timing_summary()
    logger.info("run timings %s", json.dumps(summary["timings"]))
    return _final_state(report, memory, summary)


def _state_name(report: RunReport, memory: Memory) -> str:
    if report.all_sources_failed:
        return "FAILED"
    return "DB_BUSY" if memory.busy else "COMPLETED"


def _final_state(report: RunReport, memory: Memory, summary: dict):
    if report.all_sources_failed:
        return Failed(message=f"no source could be read: {report.failure_brief()}", data=summary)
    if memory.busy:
        return Completed(
            name="Staged",
            message=f"database {memory.db} was busy: {memory.staged} batches staged on disk, "
            "merged on the next run",
            data=summary,
        )
    return Completed(message=report.brief(), data=summary)


def run_ingest(sources: str | Path, db: str | Path, shards: int = 1, due_only: bool = False):
    """Runs the flow now and returns its final state (the CLI's entry to Prefect)."""
    return asyncio.run(ingest(str(sources), str(db), shards, due_only, return_state=True))
