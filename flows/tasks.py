"""The night's tasks: a stage or a batch of pages each, never one per page.

The ingest flow, the shards of a sharded night and the night that runs them share these.
Large arguments are passed `quote`d: Prefect would otherwise walk every page, article and
known URL in them looking for futures, which cost the flow's process more CPU than
fetching.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from datetime import UTC, datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Failed, State
from prefect.utilities.annotations import quote

from extractors.pool.pipeline import ChunkResults, ExtractorPool, PageInput
from fetchers.crawl import SourceCrawl, Validators, crawl_source
from fetchers.http import Fetcher
from flows import night
from newsflow.config import load_sources
from newsflow.errors import ConfigError, StorageError
from newsflow.models import FeedEntry, FetchResult, PageResult, SourcesConfig
from newsflow.summary import RunReport
from storage.state import Memory


@task(name="load sources", cache_policy=NO_CACHE, retries=0)
async def load_config(path: str) -> SourcesConfig:
    """Returns the validated sources file; a mistake fails the run, naming file and line."""
    return load_sources(path)


@task(name="read feeds", cache_policy=NO_CACHE)
async def read_sources(
    fetcher: Fetcher, config: SourcesConfig, memory: Memory
) -> list[SourceCrawl]:
    """Returns each source's article links, read from its feed, sitemap or home page."""
    validators = {url: Validators(f.etag, f.last_modified) for url, f in memory.feeds.items()}
    crawls = await asyncio.gather(
        *(
            crawl_source(fetcher, source, validators, memory.discovered_feed(source.name))
            for source in config.sources
        )
    )
    logger = get_run_logger()
    for crawl in crawls:
        if crawl.error:
            logger.warning("source %s: %s", crawl.source.name, crawl.error)
    return list(crawls)


@task(name="fetch pages", task_run_name="fetch pages {batch_no}", cache_policy=NO_CACHE)
async def fetch_pages(
    fetcher: Fetcher, batch: list[tuple[str, FeedEntry]], batch_no: int
) -> list[tuple[FetchResult, FeedEntry]]:
    """Returns one fetch result per entry of the batch, in order."""
    results = await asyncio.gather(
        *(fetcher.get(entry.url, source=source, kind="page") for source, entry in batch)
    )
    return [(result, entry) for result, (_, entry) in zip(results, batch, strict=True)]


@task(name="extract and tag", task_run_name="extract and tag {batch_no}", cache_policy=NO_CACHE)
async def extract_and_tag(
    pool: ExtractorPool,
    fetched: list[tuple[FetchResult, FeedEntry]],
    batch_no: int,
    furniture: dict | None = None,
) -> list[PageResult]:
    """Returns the articles and tags of the batch's fetched pages (failures carry `error`);
    `furniture`: each source's recurring lines, from its memory (Memory.furniture)."""
    pages = [
        PageInput(
            url=r.final_url or r.url,
            source=r.source,
            body=r.body,
            content_type=r.content_type,
            fetched_at=r.fetched_at,
            entry=entry,
            furniture=(furniture or {}).get(r.source),
        )
        for r, entry in fetched
        if r.ok
    ]
    futures = [asyncio.wrap_future(f) for f in pool.submit(pages)]
    chunks = await asyncio.gather(*futures)
    merged = ChunkResults(result for chunk in chunks for result in chunk)
    merged.extract_seconds = sum(chunk.extract_seconds for chunk in chunks)
    merged.tag_seconds = sum(chunk.tag_seconds for chunk in chunks)
    return merged


def _in_thread(fn, **options):
    """Returns fn as an async task whose body runs in a thread. From an async flow Prefect
    runs an async task in ~10 ms, a sync one in ~120 ms; and the event loop goes on
    fetching and feeding the pool while the database is written."""

    @functools.wraps(fn)
    async def body(*args, **kwargs):
        return await asyncio.to_thread(fn, *args, **kwargs)

    return task(body, cache_policy=NO_CACHE, **options)


open_database = _in_thread(night.open_night, name="open database")
plan_pages = _in_thread(night.plan_pages, name="plan pages")
store_pages = _in_thread(night.write_pages, name="store", task_run_name="store {batch_no}")
remember = _in_thread(night.save_night, name="remember feeds")
close_database = _in_thread(night.close_night, name="record run")
tidy_lake = _in_thread(night.tidy_lake, name="tidy lake")
cluster_articles = _in_thread(night.cluster_night, name="cluster near-duplicates")  # sharded


async def open_run(sources: str, db: str) -> tuple[SourcesConfig, night.Night] | State:
    """Loads `sources` and opens `db` for a new run (this flow run's id); a Failed state
    naming the parameter at fault when either can't be."""
    run_id = flow_run.get_id() or str(uuid.uuid4())
    started = datetime.now(UTC)
    try:
        config = await load_config(sources)
    except ConfigError as exc:
        return Failed(message=f"parameter 'sources': {exc}")
    report = RunReport(run_id=run_id, started_at=started, db=db, config=config)
    try:
        tonight = await open_database(db, run_id, started, quote(report), config.lake_data_path)
    except StorageError as exc:
        return Failed(message=f"parameter 'db': {exc}")
    return config, tonight
