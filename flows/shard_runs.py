"""Runs a night's shards and reads back what each did: on the work pool, or as local processes.

On a work pool (the night itself runs from a deployment there) each shard is a flow run
of the `ingest-shard/shard` deployment, created with `run_deployment`, so any worker on
any machine may take it; a worker that dies takes its shard's heartbeats with it, and
Prefect marks the shard CRASHED (flows.crash_detection). Without a work pool (the
`newsflow` command, `newsflow serve`) the night creates the shard flow runs itself and
runs each in a process of this machine (`python -m flows.shard`), which it watches: a
process that dies before its run ends is marked CRASHED by the night.

Either way a shard's counts come back as its artifacts on the Prefect server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sys
import time
from dataclasses import dataclass, field

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from prefect.deployments import run_deployment
from prefect.runtime import flow_run
from prefect.settings import get_current_settings
from prefect.states import Cancelled, Crashed

from flows.crash_detection import ensure_crash_detection
from flows.shard import SHARD_KEY, ingest_shard
from flows.shard_plan import Shard

log = logging.getLogger(__name__)

SHARD_DEPLOYMENT = "ingest-shard/shard"  # prefect.yaml
POLL_SECONDS = 2.0
START_TIMEOUT_SECONDS = 3600  # an hour without a free worker: the night gives up on a shard


@dataclass
class ShardOutcome:
    """How one shard ended and what it did, as the night reports it."""

    shard: Shard
    state: str  # the flow run's state type: COMPLETED, FAILED, CRASHED, CANCELLED
    message: str
    worker: str
    seconds: float
    flow_run_id: str
    pages_done: int = 0
    sources: list[dict] = field(default_factory=list)  # the shard's `ingest-sources` rows
    failures: list[dict] = field(default_factory=list)  # its `ingest-failures` rows

    @property
    def completed(self) -> bool:
        return self.state == "COMPLETED"

    def row(self, of: int) -> dict:
        """Returns the shard's row of the night's `ingest-shards` table."""
        return {
            "shard": f"{self.shard.number} of {of}",
            "worker": self.worker,
            "sources": len(self.shard.sources),
            "hosts": len(self.shard.hosts),
            "pages_planned": self.shard.pages,
            "pages_done": self.pages_done,
            "seconds": round(self.seconds, 1),
            "state": self.state,
            "message": self.message[:300],
            "flow_run": self.flow_run_id,
        }


async def on_work_pool() -> bool:
    """Returns whether this flow run was started by a worker of a work pool."""
    run_id = flow_run.get_id()
    if not run_id:
        return False
    async with get_client() as client:
        run = await client.read_flow_run(run_id)
    return bool(run.work_pool_name)


async def run_shards(shards: list[Shard], parameters: dict, pool: bool) -> list[ShardOutcome]:
    """Returns each shard's outcome once every shard has ended, in shard order.

    `parameters` are the shard flow's common ones (sources, db, night); `pool` says
    whether to run the shards on the work pool or as local processes.
    """
    if pool:
        await ensure_crash_detection()
        start = _on_pool
    else:
        start = _in_process
        cores = os.cpu_count() or 1
        parameters = {**parameters, "workers": max(1, cores // len(shards))}  # one machine
    runs = await asyncio.gather(
        *(start(shard, shard_parameters(shard, shards, parameters)) for shard in shards)
    )
    async with get_client() as client:
        return [
            await _outcome(client, shard, run, worker)
            for shard, (run, worker) in zip(shards, runs, strict=True)
        ]


def shard_parameters(shard: Shard, shards: list[Shard], common: dict) -> dict:
    """Returns the parameters of one shard's flow run: the night's, plus its share."""
    return {
        **common,
        "names": list(shard.sources),
        "hosts": list(shard.hosts),
        "shard": shard.number,
        "of": len(shards),
    }


async def _on_pool(shard: Shard, parameters: dict):
    created = await run_deployment(
        SHARD_DEPLOYMENT,
        parameters=parameters,
        flow_run_name=f"shard {shard.number} of {parameters['of']}",
        # A retried night finds its shard runs instead of starting them twice.
        idempotency_key=f"{parameters['night']}:shard:{shard.number}",
        timeout=0,  # created only: the night waits below, and gives up on an unstarted one
    )
    run = await _wait_for(created.id)
    _log_end(shard, parameters["of"], run)
    return run, None


async def _wait_for(flow_run_id):
    """Returns the shard's run once final. One no worker has started after
    START_TIMEOUT_SECONDS is cancelled, saying why: without it the night would wait for ever
    (every worker busy, one of them with the night itself)."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    async with get_client() as client:
        while True:
            run = await client.read_flow_run(flow_run_id)
            if run.state.is_final():
                return run
            if run.state.is_scheduled() and time.monotonic() > deadline:
                message = (
                    f"no worker of the pool started this shard in {START_TIMEOUT_SECONDS} s: start"
                    " more workers, or let each take more runs at once (`--limit`)"
                )
                await client.set_flow_run_state(flow_run_id, Cancelled(message=message), force=True)
            await asyncio.sleep(POLL_SECONDS)


async def _in_process(shard: Shard, parameters: dict):
    async with get_client() as client:
        created = await client.create_flow_run(
            ingest_shard,
            name=f"shard {shard.number} of {parameters['of']}",
            parameters=parameters,
        )
        env = {**os.environ, "PREFECT_API_URL": get_current_settings().api.url or ""}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "flows.shard", str(created.id), env=env
        )
        code = await process.wait()
        run = await client.read_flow_run(created.id)
        if not run.state or not run.state.is_final():
            message = f"shard process {process.pid} exited with code {code} before its run ended"
            await client.set_flow_run_state(created.id, Crashed(message=message), force=True)
            run = await client.read_flow_run(created.id)
    _log_end(shard, parameters["of"], run)
    return run, f"{socket.gethostname()} (local process {process.pid})"


def _log_end(shard: Shard, of: int, run) -> None:
    log.info("shard %d of %d (%d sources, %d pages planned) ended %s: %s", shard.number, of,
             len(shard.sources), shard.pages, run.state.type.value, run.state.message)  # fmt: skip


async def _outcome(client, shard: Shard, run, worker: str | None) -> ShardOutcome:
    outcome = ShardOutcome(
        shard=shard,
        state=run.state.type.value,
        message=run.state.message or "",
        worker=worker or run.labels.get("prefect.worker.name") or "unknown worker",
        seconds=_seconds(run),
        flow_run_id=str(run.id),
    )
    artifacts = await client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
    )
    for artifact in artifacts:
        rows = _table_rows(artifact.data)
        if artifact.key == "ingest-sources":
            outcome.sources = rows
        elif artifact.key == "ingest-failures":
            outcome.failures = [row for row in rows if row.get("url")]
        elif artifact.key == SHARD_KEY and rows:
            outcome.pages_done = rows[0].get("pages_done", 0)
    return outcome


def _seconds(run) -> float:
    if run.start_time and run.end_time:
        return (run.end_time - run.start_time).total_seconds()
    return run.total_run_time.total_seconds() if run.total_run_time else 0.0


def _table_rows(data) -> list[dict]:
    """Returns a table artifact's rows (the API hands them over as JSON text)."""
    rows = json.loads(data) if isinstance(data, str) else data
    return rows if isinstance(rows, list) else []
