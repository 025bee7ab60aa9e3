"""A night's sources, stored: read their feeds, then fetch, extract and store their new
pages in batches, three stages at once.

Fetching, extracting and storing overlap (batch n is stored while n+1 is extracted);
extraction runs on every core. The ingest flow runs this over every due source, each
shard of a sharded night over its own sources and hosts.
"""

from __future__ import annotations

import asyncio
import time

from prefect import get_run_logger
from prefect.artifacts import acreate_progress_artifact, aupdate_progress_artifact
from prefect.utilities.annotations import quote

from extractors.pool.pipeline import ExtractorPool
from fetchers.http import Fetcher
from fetchers.robots import RobotsCache
from flows.gaps import fill_gaps
from flows.night import Night
from flows.shard_plan import keep_hosts
from flows.tasks import (
    extract_and_tag,
    fetch_pages,
    plan_pages,
    read_sources,
    remember,
    store_pages,
)
from newsflow.config import topics_path
from newsflow.models import SourcesConfig
from newsflow.policy import sources_due
from newsflow.progress import Progress, publish

BATCH_SIZE = 100
BATCHES_IN_MEMORY = 3  # one being stored, one extracted, one queued on the pool


async def store_sources(
    config: SourcesConfig,
    tonight: Night,
    *,
    hosts: list[str] | None = None,
    cluster: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
) -> None:
    """Reads the config's due sources, fetches their new pages, extracts, tags and stores
    them under the night's run id, and remembers the feeds.

    A shard passes `hosts` (pages elsewhere wait for another night), `cluster=False` (the
    night clusters once, over every shard's articles) and its share of the cores.
    """
    memory, report = tonight.memory, tonight.report
    async with Fetcher(config.settings, robots=RobotsCache(memory.http_cache or {})) as fetcher:
        # Unhealthy sources still backing off are not asked tonight (the report says so).
        due = sources_due(config, memory.sources or {}, report)
        crawls = await read_sources(fetcher, quote(due), quote(memory))
        crawls = await fill_gaps(fetcher, quote(crawls), quote(tonight), config.settings)
        report.add_crawls(crawls)
        progress = progress or Progress("ingest", sources_total=len(config.sources))
        progress.sources_read, progress.failed = len(crawls), len(report.failed_sources)
        publish(progress)
        todo = await plan_pages(quote(tonight), quote(crawls), config.settings, quote(report))
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
            await store_pages(quote(tonight), 0, [], [], quote(side), cluster=cluster)
            pipeline = _BatchPipeline(fetcher, pool, tonight, progress, cluster)
            await pipeline.run([todo[i : i + BATCH_SIZE] for i in range(0, len(todo), BATCH_SIZE)])
        robots = fetcher.robots.entries
        await remember(quote(tonight), quote(crawls), quote(robots), config.settings)


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

    def __init__(self, fetcher, pool, tonight: Night, progress, cluster: bool = True):
        self.fetcher, self.pool, self.night = fetcher, pool, tonight
        self.report, self.cluster = tonight.report, cluster
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
                extract_and_tag(self.pool, quote(fetched), n, quote(self.night.memory.furniture))
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
                quote(self.night),
                n,
                quote(pages),
                quote(results),
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
