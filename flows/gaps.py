"""The night's gap check: a feed read that no longer overlaps what the source stored is
walked back (fetchers.backfill) and what the walk finds is planned with tonight's links;
a gap the walk could not close is counted in `source_health.gaps`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from fetchers.backfill import backfill, gap_in
from fetchers.crawl import SourceCrawl
from fetchers.http import Fetcher
from newsflow.errors import StorageError
from newsflow.models import Settings
from storage.coverage import newest_stored, seen_urls, stored_urls
from storage.db import connect
from storage.state import SourceState

if TYPE_CHECKING:
    from flows.night import Night  # which imports gap_columns from here

BUSY_WAIT_SECONDS = 5.0


@task(name="fill gaps", cache_policy=NO_CACHE)
async def fill_gaps(
    fetcher: Fetcher, crawls: list[SourceCrawl], tonight: Night, settings: Settings
) -> list[SourceCrawl]:
    """Returns the crawls, those whose feed read left a gap given what backfill found."""
    memory, report = tonight.memory, tonight.report
    readable = [c for c in crawls if c.feed_url and c.entries and not c.error]
    if not readable or tonight.busy:
        return crawls  # a busy night cannot tell what is stored: the next run checks
    try:
        gapped = await asyncio.to_thread(_gapped, memory.db, readable)
    except StorageError as exc:  # busy, or unreadable: the night goes on, unchecked
        get_run_logger().warning("gaps not checked: %s", exc)
        return crawls
    await asyncio.gather(*(_fill(fetcher, c, k, since, memory, settings, report)
                           for c, k, since in gapped))  # fmt: skip
    return crawls


def _gapped(db: str, crawls: list[SourceCrawl]) -> list[tuple[SourceCrawl, set[str], datetime]]:
    """Returns (crawl, the URLs its source showed before, its newest stored date) for the
    crawls whose entries overlap nothing their source showed before."""
    with connect(db, read_only=True, wait_seconds=BUSY_WAIT_SECONDS) as con:
        seen = seen_urls(con, [e.url for c in crawls for e in c.entries])
        history = newest_stored(con, [c.source.name for c in crawls])
        gapped = [
            c for c in crawls
            if gap_in(c.entries, seen, history.get(c.source.name), c.source.name in history)
        ]  # fmt: skip
        return [(c, stored_urls(con, c.source.name), history[c.source.name]) for c in gapped]


async def _fill(fetcher, crawl: SourceCrawl, known, since, memory, settings, report) -> None:
    name, logger = crawl.source.name, get_run_logger()
    state = (memory.sources or {}).get(name)
    room = max(settings.max_articles_per_source - len(crawl.entries), 0)
    logger.info("source %s: none of the %d entries of %s was stored before: walking back",
                name, len(crawl.entries), crawl.feed_url)  # fmt: skip
    found = await backfill(fetcher, crawl, known, since, settings.backfill_max_pages,
                           state.paging if state else None, max_entries=room)  # fmt: skip
    crawl.backfill = found
    seen = {e.url for e in crawl.entries}
    crawl.entries += [e for e in found.entries if e.url not in seen]  # planned with the rest
    crawl.fetches += found.fetches
    report.add_gap(name, len(found.entries), found.closed, found.reason)
    if found.closed:
        logger.info("source %s: gap closed, %d entries recovered in %d requests", name,
                    len(found.entries), len(found.fetches))  # fmt: skip
    else:
        logger.warning("source %s: gap not closed (%s): %d entries recovered in %d requests; "
                       "older ones may be lost", name, found.reason, len(found.entries),
                       len(found.fetches))  # fmt: skip


def gap_columns(crawl: SourceCrawl, old: SourceState | None, now: datetime) -> dict:
    """Returns the source_health columns a night's gap check sets for the crawl's source."""
    found = crawl.backfill
    lost = found is not None and not found.closed
    return {
        "gaps": (old.gaps if old else 0) + lost,
        "last_gap_at": now if lost else (old.last_gap_at if old else None),
        "paging": (found.paging if found and found.paging else None)
        or (old.paging if old else None),
    }
