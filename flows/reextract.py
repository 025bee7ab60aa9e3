"""The `reextract` flow: re-extract and re-tag stored raw HTML, with no HTTP request at all."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed, Failed

from extractors.pool.pipeline import ExtractorPool, PageInput
from extractors.taggers.tagging import tagger_versions
from flows.search_index import update_search_index
from flows.source_memory import read_furniture
from newsflow.config import load_sources, topics_path
from newsflow.defaults import DB_PATH, SOURCES_PATH
from newsflow.errors import ConfigError, StorageError
from newsflow.models import FeedEntry
from newsflow.progress import Progress, publish
from storage.db import connect
from storage.raw_html import join_waiting, waiting_dir
from storage.rework import stale_urls, stored_pages
from storage.writes import write_results


@task(name="find stale articles", cache_policy=NO_CACHE)
def find_stale(db: str, everything: bool) -> list[str]:
    """Returns the URLs whose tags were made by another tagger version (or all)."""
    with connect(db) as con:
        join_waiting(con, waiting_dir(db))  # raw HTML a night cut short left beside the file
        return stale_urls(con, tagger_versions(), everything)


@task(
    name="re-extract and tag", task_run_name="re-extract and tag {batch_no}", cache_policy=NO_CACHE
)
async def reprocess(pool: ExtractorPool, db: str, urls: list[str], batch_no: int) -> int:
    """Returns how many stored pages of the batch were re-extracted, re-tagged and written."""
    with connect(db) as con:
        pages = next(stored_pages(con, urls, batch_size=len(urls)), [])
        # The sources' furniture, as a night's extraction strips it.
        known = read_furniture(con)
    inputs = [
        PageInput(
            url=p.url,
            source=p.source,
            body=p.html,
            content_type=p.content_type or "",
            fetched_at=p.fetched_at,
            # The feed's categories and keywords, kept in the article, are not in the HTML.
            entry=FeedEntry(p.url, p.feed_url, categories=p.categories, keywords=p.keywords),
            furniture=known.get(p.source),
        )
        for p in pages
    ]
    chunks = await asyncio.gather(*(asyncio.wrap_future(f) for f in pool.submit(inputs)))
    results = [r for chunk in chunks for r in chunk]
    now, raw_html = datetime.now(UTC), {p.url: p.html for p in pages}  # as read back
    with connect(db) as con:
        write_results(con, f"reextract-{batch_no}", [], results, tagger_versions(), now, raw_html)
    return sum(1 for r in results if r.article)


@flow(name="reextract")
async def reextract(db: str = DB_PATH, everything: bool = False, sources: str = SOURCES_PATH):
    """Re-extracts and re-tags the stored pages whose taggers changed; fetches nothing.

    `sources` names the topics file, as for `ingest`; without it topic tags are off."""
    try:
        topics = _topics(sources)
    except ConfigError as exc:
        return Failed(message=f"parameter 'sources': {exc}")
    try:
        urls = find_stale(db, everything)
    except StorageError as exc:
        return Failed(message=f"parameter 'db': {exc}")
    get_run_logger().info("%d articles to re-extract in %s", len(urls), db)
    done, progress = 0, Progress("reextract", planned=len(urls))
    publish(progress)
    with ExtractorPool(topics_path=topics) as pool:
        for n, start in enumerate(range(0, len(urls), 200), start=1):
            batch = urls[start : start + 200]
            written = await reprocess(pool, db, batch, n)
            done += written
            progress.extracted += written
            progress.stored += written
            progress.failed += len(batch) - written
            publish(progress)
    await update_search_index(db)
    progress.done = True
    publish(progress)
    return Completed(
        message=f"{done} of {len(urls)} stale articles re-extracted and re-tagged",
        data={
            "stale": len(urls),
            "reextracted": done,
            "run_id": flow_run.get_id() or str(uuid.uuid4()),
        },
    )


def _topics(sources: str) -> str | None:
    if not Path(sources).is_file():
        get_run_logger().info("no sources file %s: topic tags are off", sources)
        return None
    path = topics_path(load_sources(sources))
    return str(path) if path else None


def run_reextract(db: str, everything: bool = False, sources: str = SOURCES_PATH):
    """Runs the flow now; returns its final state."""
    return asyncio.run(reextract(str(db), everything, str(sources), return_state=True))
