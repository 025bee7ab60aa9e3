"""The `ingest-shard` flow: one shard of a sharded night (flows.shards starts it).

A shard is an ordinary night over some sources: it reads their feeds, fetches their new
pages (only on its own hosts, so per-host politeness holds across machines), extracts,
tags and stores them under the night's run id, and remembers their feeds. It does not
cluster near-duplicates nor record the run: the night does both once, after every shard.
What it did goes to the night as artifacts on the Prefect server (per-source counts,
failures, one `ingest-shard` row), which any machine can read.

`python -m flows.shard FLOW_RUN_ID` runs a shard flow run the night created, in this
process: how a night without a work pool runs its shards as local processes.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from dataclasses import replace
from datetime import UTC, datetime

from prefect import flow
from prefect.artifacts import acreate_table_artifact
from prefect.states import Completed, Failed
from prefect.utilities.annotations import quote

from flows.artifacts import publish_tables
from flows.batches import store_sources
from flows.tasks import load_config, open_database
from newsflow.errors import ConfigError, StorageError
from newsflow.summary import RunReport

SHARD_KEY = "ingest-shard"


@flow(name="ingest-shard", log_prints=True)
async def ingest_shard(
    sources: str,
    db: str,
    night: str,
    names: list[str],
    hosts: list[str],
    shard: int = 1,
    of: int = 1,
    workers: int | None = None,
):
    """Stores the new pages of the sources `names` found on `hosts`, as part of the run
    `night`; `workers` extraction processes (default: one per core)."""
    started = datetime.now(UTC)
    try:
        config = await load_config(sources)
    except ConfigError as exc:
        return Failed(message=f"parameter 'sources': {exc}")
    wanted = set(names)
    config = replace(config, sources=tuple(s for s in config.sources if s.name in wanted))
    report = RunReport(run_id=night, started_at=started, db=db, config=config)
    try:
        tonight = await open_database(
            db, night, started, quote(report), config.lake_data_path, record_run=False
        )
    except StorageError as exc:
        return Failed(message=f"parameter 'db': {exc}")
    await store_sources(config, tonight, hosts=hosts, cluster=False, workers=workers)
    await publish_tables(report)
    await acreate_table_artifact(
        key=SHARD_KEY,
        table=[
            {
                "shard": shard,
                "of": of,
                "pages_planned": report.pages_planned,
                "pages_done": report.pages_done,
                "seconds": round(report.seconds, 1),
            }
        ],
        description=f"shard {shard} of {of} of run {night}",
    )
    return Completed(message=f"shard {shard} of {of}: {report.brief()}")


def run_created(flow_run_id: str) -> int:
    """Runs the shard flow run `flow_run_id`, created by a night, in this process; returns
    the process exit code (0 when the shard completed)."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow

    with get_client(sync_client=True) as client:
        created = client.read_flow_run(uuid.UUID(flow_run_id))
    state = asyncio.run(
        run_flow(ingest_shard, flow_run=created, parameters=created.parameters, return_type="state")
    )
    return 0 if state.is_completed() else 1


if __name__ == "__main__":
    from flows.shard import run_created  # this module under its own name, not __main__

    sys.exit(run_created(sys.argv[1]))
