"""The `ingest` flow: read sources, fetch new pages, extract and tag them, store them.

Tasks are stages or batches of pages, never one per page. Fetching, extracting and
storing overlap (batch n is stored while n+1 is extracted); extraction runs on every core.
Large arguments are passed `quote`d: Prefect would otherwise walk every page, article and
known URL in them looking for futures, which cost the flow's process more CPU than
fetching.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import acreate_progress_artifact, aupdate_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import quote

from extractors.pipeline import ChunkResults, ExtractorPool, PageInput
from fetchers.crawl import SourceCrawl, Validators, crawl_source
from fetchers.http import Fetcher
from fetchers.robots import RobotsCache
from flows import night
from flows.artifacts import publish_report
from flows.search_index import update_search_index
from flows.shard_plan import keep_hosts
from flows.watches import match_watches, watches_markdown
from newsflow.config import load_sources, topics_path
from newsflow.errors import ConfigError, StorageError
from newsflow.models import FeedEntry, FetchResult, PageResult, SourcesConfig
from newsflow.progress import Progress, publish
from newsflow.summary import RunReport
from storage.state import Memory

BATCH_SIZE = 100
BATCHES_IN_MEMORY = 3  # one being stored, one extracted, one queued on the pool


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
    futures = [asyncio.wrap_future(f) for f in pool.submit(pages, keep_html=False)]
    chunks = await asyncio.gather(*futures)
    merged = ChunkResults(result for chunk in chunks for result in chunk)
    for page, result in zip(pages, merged, strict=True):
        if result.article is not None:
            result.article.raw_html = page.body  # the fetched bytes, not a copy from the pipe
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


async def open_run(sources: str, db: str) -> tuple[SourcesConfig, RunReport, Memory] | State:
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
        memory = await open_database(db, run_id, started, quote(report), config.lake_data_path)
    except StorageError as exc:
        return Failed(message=f"parameter 'db': {exc}")
    return config, report, memory


@flow(name="ingest", log_prints=True)
async def ingest(sources: str = "sources.toml", db: str = "data/news.duckdb", shards: int = 1):
    """Fetches every source's new articles into the database `db`; returns the run summary.

    With `shards` > 1 the night is split by host over that many shard runs, on the work
    pool or in local processes (flows.shards); `db` must then be a DuckLake.
    """
    if shards != 1:
        from flows.shards import sharded_night  # it builds on this module's tasks

        return await sharded_night(sources, db, shards)
    logger = get_run_logger()
    opened = await open_run(sources, db)
    if isinstance(opened, State):
        return opened
    config, report, memory = opened
    progress = Progress("ingest", sources_total=len(config.sources))
    if memory.busy:
        logger.warning("database %s is busy: tonight's results are staged on disk", db)
    await store_sources(config, memory, report.run_id, report, progress=progress)
    summary = report.finish(state=_state_name(report, memory))
    await close_database(quote(memory), report.run_id, quote(summary))
    tidied = await tidy_lake(quote(memory), config.storage.keep_snapshots_days)
    if tidied:
        logger.info("lake maintenance: %s", json.dumps(tidied))
    watched = None
    if not memory.busy:  # a busy night's articles are indexed once they are merged
        await update_search_index(db)
        watched = await match_watches(db, report.run_id, config.watches)
    progress.done = True
    publish(progress)
    await publish_report(report, watches_markdown(watched))
    summary["timings"] = report.timing_summary()
    logger.info("run timings %s", json.dumps(summary["timings"]))
    return _final_state(report, memory, summary)


async def store_sources(
    config: SourcesConfig,
    memory: Memory,
    run_id: str,
    report: RunReport,
    *,
    hosts: list[str] | None = None,
    cluster: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
) -> None:
    """Reads the config's due sources, fetches their new pages, extracts, tags and stores
    them under `run_id`, and remembers the feeds.

    A shard passes `hosts` (pages elsewhere wait for another night), `cluster=False` (the
    night clusters once, over every shard's articles) and its share of the cores.
    """
    async with Fetcher(config.settings, robots=RobotsCache(memory.http_cache or {})) as fetcher:
        # Unhealthy sources still backing off are not asked tonight (the report says so).
        due = night.sources_due(config, memory, report)
        crawls = await read_sources(fetcher, quote(due), quote(memory))
        report.add_crawls(crawls)
        progress = progress or Progress("ingest", sources_total=len(config.sources))
        progress.sources_read, progress.failed = len(crawls), len(report.failed_sources)
        publish(progress)
        todo = await plan_pages(quote(memory), quote(crawls), config.settings, quote(report))
        if hosts is not None:
            todo = keep_hosts(todo, hosts)
            report.pages_planned = len(todo)
        progress.planned = len(todo)
        publish(progress)
        side = [f for crawl in crawls for f in crawl.fetches] + fetcher.take_side_fetches()
        deadline = config.settings.extract_timeout_seconds
        with ExtractorPool(
            workers=workers, topics_path=_topics_path(config), deadline=deadline
        ) as pool:
            if todo:
                pool.start()  # the workers load while the first batch is fetched
            await store_pages(
                quote(memory), run_id, 0, [], [], quote(report), quote(side), cluster=cluster
            )
            pipeline = _BatchPipeline(fetcher, pool, run_id, memory, report, progress, cluster)
            await pipeline.run([todo[i : i + BATCH_SIZE] for i in range(0, len(todo), BATCH_SIZE)])
        robots = fetcher.robots.entries
        await remember(quote(memory), quote(crawls), quote(robots), quote(report), config.settings)


def _topics_path(config: SourcesConfig) -> str | None:
    path = topics_path(config)
    if path is None:
        get_run_logger().info("no topics file %r beside %s: topic tags are off",
                              config.settings.topics_file, config.path)  # fmt: skip
    return str(path) if path else None


class _BatchPipeline:
    """Fetches, extracts and stores the batches as three stages running at once.

    While batch n is stored (in a thread), n+1 is extracted and n+2 is already queued on
    the pool, so no core waits at a batch boundary. Fetching runs ahead by those batches
    only, which bounds memory whatever the night's size.
    """

    def __init__(self, fetcher, pool, run_id, memory, report, progress, cluster: bool = True):
        self.fetcher, self.pool, self.run_id = fetcher, pool, run_id
        self.memory, self.report, self.cluster = memory, report, cluster
        self.progress: Progress = progress
        self.queue: asyncio.Queue = asyncio.Queue()
        self.room = asyncio.Semaphore(BATCHES_IN_MEMORY)
        self.extracting: set[asyncio.Task] = set()

    async def run(self, batches: list) -> None:
        progress = await acreate_progress_artifact(progress=0.0, description="pages processed")
        stages = [
            asyncio.ensure_future(self._fetch(batches)),
            asyncio.ensure_future(self._store(len(batches), progress)),
        ]
        try:
            await asyncio.gather(*stages)
        except BaseException:
            for running in [*stages, *self.extracting]:
                running.cancel()
            raise

    async def _fetch(self, batches: list) -> None:
        for n, batch in enumerate(batches, start=1):
            await self.room.acquire()
            started = time.monotonic()
            fetched = await fetch_pages(self.fetcher, quote(batch), n)
            self.report.add_time("fetch", time.monotonic() - started)
            self.progress.fetched += len(fetched)
            publish(self.progress)
            extracting = asyncio.create_task(
                extract_and_tag(self.pool, quote(fetched), n, quote(self.memory.furniture))
            )
            self.extracting.add(extracting)
            await self.queue.put((n, fetched, extracting))
        await self.queue.put(None)

    async def _store(self, total: int, progress) -> None:
        while (item := await self.queue.get()) is not None:
            n, fetched, extracting = item
            started = time.monotonic()
            results = await extracting
            self.extracting.discard(extracting)
            self.report.add_time("extract_wait", time.monotonic() - started)
            self.progress.extracted += sum(1 for r in results if r.article is not None)
            publish(self.progress)
            self.report.add_time("extract_cpu", results.extract_seconds)
            self.report.add_time("tag_cpu", results.tag_seconds)
            side, started = self.fetcher.take_side_fetches(), time.monotonic()
            pages = [r for r, _ in fetched]
            await store_pages(
                quote(self.memory),
                self.run_id,
                n,
                quote(pages),
                quote(results),
                quote(self.report),
                quote(side),
                cluster=self.cluster,
            )
            self.report.add_time("store_task", time.monotonic() - started)
            self.progress.stored += sum(1 for r in results if r.article is not None)
            self.progress.failed = len(self.report.failed_sources) + self.report.totals().failed
            publish(self.progress)
            self.room.release()
            await aupdate_progress_artifact(progress, 100.0 * n / total)
            get_run_logger().info("batch %d/%d stored: %s", n, total, self.report.progress_line())


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


def run_ingest(sources: str | Path, db: str | Path, shards: int = 1):
    """Runs the flow now and returns its final state (the CLI's entry to Prefect)."""
    return asyncio.run(ingest(str(sources), str(db), shards, return_state=True))
