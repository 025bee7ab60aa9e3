"""`newsflow serve`: the nightly schedule run in this process, for a machine with no work pool."""

from __future__ import annotations

from pathlib import Path

from prefect.schedules import Cron

from flows.ingest import ingest


def serve_nightly(sources: str, db: str, *, cron: str = "0 2 * * *", timezone: str = "UTC"):
    """Serves the `ingest` flow on `cron` in `timezone` until interrupted; one run at a time."""
    ingest.serve(
        name="nightly-serve",
        schedules=[Cron(cron, timezone=timezone)],
        parameters={"sources": str(Path(sources).resolve()), "db": str(Path(db).resolve())},
        global_limit=1,  # a slow night never overlaps the next one
        description="newsflow nightly ingest, served in-process by `newsflow serve`",
    )
