"""`newsflow serve`: the nightly schedule run in this process, for a machine with no work pool."""

from __future__ import annotations

from pathlib import Path

from prefect.schedules import Cron

from flows.ingest import ingest
from newsflow.defaults import NIGHTLY_CRON, TIMEZONE
from storage.lake import is_lake


def serve_nightly(
    sources: str, db: str, *, cron: str = NIGHTLY_CRON, timezone: str = TIMEZONE, shards: int = 1
):
    """Serves the `ingest` flow on `cron` in `timezone` until interrupted; one run at a time.
    With `shards` > 1 each night runs its shards as processes of this machine."""
    ingest.serve(
        name="nightly-serve",
        schedules=[Cron(cron, timezone=timezone)],
        parameters={"sources": str(Path(sources).resolve()), "db": _absolute(db), "shards": shards},
        global_limit=1,  # a slow night never overlaps the next one
        description="newsflow nightly ingest, served in-process by `newsflow serve`",
    )


def _absolute(db: str) -> str:
    """Returns `db` with a file path made absolute; a DuckLake string is left as it is."""
    return db if is_lake(db) else str(Path(db).resolve())
