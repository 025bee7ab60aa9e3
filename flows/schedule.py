"""`newsflow serve`: the nightly schedule and the frequent due runs, run in this process, for
a machine with no work pool."""

from __future__ import annotations

from pathlib import Path

from prefect import serve
from prefect.schedules import Cron, Interval

from flows.ingest import ingest
from newsflow.defaults import DUE_EVERY_MINUTES, NIGHTLY_CRON, TIMEZONE
from storage.lake import is_lake


def serve_nightly(
    sources: str,
    db: str,
    *,
    cron: str = NIGHTLY_CRON,
    timezone: str = TIMEZONE,
    shards: int = 1,
    due_every_minutes: int = DUE_EVERY_MINUTES,
):
    """Serves the `ingest` flow on `cron` in `timezone` until interrupted, and its due
    sources every `due_every_minutes` (none when 0); one run of each at a time. With
    `shards` > 1 each night runs its shards as processes of this machine."""
    parameters = {"sources": str(Path(sources).resolve()), "db": _absolute(db)}
    deployments = [
        ingest.to_deployment(
            name="nightly-serve",
            schedules=[Cron(cron, timezone=timezone)],
            parameters={**parameters, "shards": shards},
            concurrency_limit=1,  # a slow night never overlaps the next one
            description="newsflow nightly ingest, served in-process by `newsflow serve`",
        )
    ]
    if due_every_minutes:
        deployments.append(
            ingest.to_deployment(
                name="frequent-serve",
                schedules=[Interval(due_every_minutes * 60, timezone=timezone)],
                parameters={**parameters, "due_only": True},
                concurrency_limit=1,
                description="newsflow's due sources (each read at its own pace), served by "
                "`newsflow serve`",
            )
        )
    serve(*deployments)


def _absolute(db: str) -> str:
    """Returns `db` with a file path made absolute; a DuckLake string is left as it is."""
    return db if is_lake(db) else str(Path(db).resolve())
