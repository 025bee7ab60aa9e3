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

from extractors.pipeline import ExtractorPool, PageInput
from extractors.tagging import tagger_versions
from newsflow.errors import StorageError
from storage.db import connect
from storage.rework import stale_urls, stored_pages
from storage.writes import article_rows, fetch_rows, tag_rows, tagger_rows, write_batch


@task(name="find stale articles", cache_policy=NO_CACHE)
def find_stale(db: str, everything: bool) -> list[str]:
    """Returns the URLs whose tags were made by another tagger version (or all)."""
    with connect(db) as con:
        return stale_urls(con, tagger_versions(), everything)


@task(
    name="re-extract and tag", task_run_name="re-extract and tag {batch_no}", cache_policy=NO_CACHE
)
async def reprocess(pool: ExtractorPool, db: str, urls: list[str], batch_no: int) -> int:
    """Returns how many stored pages of the batch were re-extracted, re-tagged and written."""
    with connect(db) as con:
        pages = next(stored_pages(con, urls, batch_size=len(urls)), [])
    inputs = [
        PageInput(
            url=p.url,
            source=p.source,
            body=p.html,
            content_type=p.content_type or "",
            fetched_at=p.fetched_at,
        )
        for p in pages
    ]
    chunks = await asyncio.gather(*(asyncio.wrap_future(f) for f in pool.submit(inputs)))
    results = [r for chunk in chunks for r in chunk]
    now = datetime.now(UTC)
    with connect(db) as con:
        write_batch(
            con,
            f"reextract-{batch_no}",
            fetch_rows("", []),
            article_rows(results),
            tag_rows(results, now),
            tagger_rows(results, tagger_versions(), now),
        )
    return sum(1 for r in results if r.article)


@flow(name="reextract")
async def reextract(db: str = "data/news.duckdb", everything: bool = False):
    """Re-extracts and re-tags the stored pages whose taggers changed; fetches nothing."""
    try:
        urls = find_stale(db, everything)
    except StorageError as exc:
        return Failed(message=f"parameter 'db': {exc}")
    get_run_logger().info("%d articles to re-extract in %s", len(urls), db)
    done = 0
    topics = Path("topics.toml")
    with ExtractorPool(topics_path=str(topics) if topics.exists() else None) as pool:
        for n, start in enumerate(range(0, len(urls), 200), start=1):
            done += await reprocess(pool, db, urls[start : start + 200], n)
    return Completed(
        message=f"{done} of {len(urls)} stale articles re-extracted and re-tagged",
        data={
            "stale": len(urls),
            "reextracted": done,
            "run_id": flow_run.get_id() or str(uuid.uuid4()),
        },
    )


def run_reextract(db: str, everything: bool = False):
    """Runs the flow now; returns its final state."""
    return asyncio.run(reextract(str(db), everything, return_state=True))
