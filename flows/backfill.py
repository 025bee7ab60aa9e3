"""The `backfill` flow: a source's older articles, walked back to a date through what the
site offers (its feed's older pages, its sitemaps: fetchers.backfill), then fetched,
extracted and stored like a night's.

For a source just added, whose feed shows only its latest entries. Bounded: at most
`max_pages` feed pages or sitemap files a source, and `max_articles_per_source` articles
a run. Resumable: run it again and it goes on, for no stored article is fetched twice
(the pages and sitemaps are read again; what they list that is stored is skipped).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

from prefect import flow
from prefect.states import Failed, State

from flows.batches import store_sources
from flows.ingest import run_to_end
from flows.tasks import open_run
from newsflow.config import load_sources
from newsflow.defaults import BACKFILL_MAX_PAGES, DB_PATH, SOURCES_PATH
from newsflow.errors import ConfigError
from newsflow.progress import Progress


@flow(name="backfill", log_prints=True)
async def backfill(
    sources: str = SOURCES_PATH,
    db: str = DB_PATH,
    since: datetime | None = None,
    source: str | None = None,
    max_pages: int = BACKFILL_MAX_PAGES,
):
    """Stores the articles `source` (every source when None) published since `since`,
    walking back through its feed's pages and its sitemaps; returns the run summary."""
    if since is None:
        return Failed(message="parameter 'since': a date to walk back to is needed")
    if source is not None and _unknown(source, sources):
        return Failed(message=f"parameter 'source': no source named {source!r} in {sources}")
    opened = await open_run(sources, db)
    if isinstance(opened, State):
        return opened
    config, tonight = opened
    if source is not None:
        config = replace(config, sources=tuple(s for s in config.sources if s.name == source))
    # Every feed read whole: a 304 would leave nothing to walk back from.
    tonight.memory = replace(tonight.memory, feeds={})
    progress = Progress("backfill", sources_total=len(config.sources))
    # The walk stops at an entry dated at or before its date: one published at `since` is wanted.
    walk = (since - timedelta(microseconds=1), max_pages)
    await store_sources(config, tonight, progress=progress, walk_back=walk)
    return await run_to_end(config, tonight, db, progress)


def _unknown(source: str, sources: str) -> bool:
    """True when the sources file, if readable, names no such source (open_run reports a
    file it cannot read)."""
    try:
        return source not in {s.name for s in load_sources(sources).sources}
    except ConfigError:
        return False


def run_backfill(sources, db, since: datetime, source: str | None, max_pages: int):
    """Runs the flow now and returns its final state (the CLI's entry to Prefect)."""
    return asyncio.run(backfill(str(sources), str(db), since, source, max_pages, return_state=True))
