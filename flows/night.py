"""The night's policy and its conversation with the database: open, plan (which sources
are due, which pages are worth fetching), write batches, remember, close.

Every function opens the file for a short while only, so analysts can read between
batches; when another process holds it, batches go to the staging folder instead.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from extractors.near_duplicates import signature
from extractors.tagging import tagger_versions
from flows.source_memory import count_lines, read_furniture
from newsflow.errors import DatabaseBusyError, StorageError
from newsflow.models import FeedEntry, FetchResult, PageResult, SourcesConfig
from newsflow.outcomes import Outcome
from newsflow.summary import RunReport
from storage import snapshot
from storage.clusters import article_texts, assign_clusters, night_article_urls
from storage.db import connect
from storage.lake import is_lake
from storage.maintenance import maintain
from storage.raw_html import join_waiting, waiting_dir
from storage.staging import merge_staged, stage_batch, staging_dir
from storage.state import (
    KnownPage,
    Memory,
    SourceState,
    finish_run,
    known_pages,
    load_memory,
    save_feed_states,
    save_http_cache,
    save_source_states,
    start_run,
)
from storage.writes import batch_tables, write_batch

log = logging.getLogger(__name__)

BUSY_WAIT_SECONDS = 5.0
CLUSTER_BATCH = 1000
MAX_BACKOFF_NIGHTS = 7
# A night is 24 hours, less this: a nightly start drifting a little earlier still counts.
NIGHT_SLACK = timedelta(hours=6)


def open_night(
    db: str,
    run_id: str,
    started: datetime,
    report: RunReport,
    data_path: str | None = None,
    record_run: bool = True,
) -> Memory:
    """Returns what the database remembers, after merging batches staged on busy nights.

    `data_path` is where a new DuckLake puts its Parquet files (`[storage] data_path`).
    The run is recorded as started unless `record_run` is false (a shard: its night is).
    """
    try:
        with connect(db, wait_seconds=BUSY_WAIT_SECONDS, data_path=data_path) as con:
            join_raw_html(con, db)  # a night cut short left its raw HTML there
            merged = merge_staged(con, staging_dir(db))
            report.staged_merged = sum(c.new + c.updated + c.unchanged for c in merged.values())
            if record_run:
                start_run(con, run_id, started)
            memory = load_memory(con, db)
            memory.furniture = read_furniture(con)
            return memory
    except DatabaseBusyError as exc:
        log.warning("%s; reading the last snapshot instead", exc)
        report.storage_error = f"database busy: {exc.reason}"
        return snapshot.load_memory(db)


def join_raw_html(con, db: str) -> None:
    """Adds the raw HTML waiting beside a DuckDB file to `raw_pages`. When it cannot join
    (a file unreadable, a disk full) the night goes on: the files stay where they are, the
    warning names them, and the next night tries again. A DuckLake keeps no such files."""
    if is_lake(db):
        return
    try:
        join_waiting(con, waiting_dir(db))
    except StorageError as exc:
        log.warning("%s; kept for the next night", exc)


def next_attempt(state: SourceState | None, settings) -> datetime | None:
    """Returns when an unhealthy source may be asked again; None when it is not held back.

    Unhealthy after `unhealthy_after_failures` failed nights in a row, a source then
    sits out 1, 2, 4, ... nights (at most MAX_BACKOFF_NIGHTS) after each failed attempt.
    """
    if state is None or state.last_attempt_at is None:
        return None
    over = state.consecutive_failures - settings.unhealthy_after_failures
    if over < 0:
        return None
    nights_out = min(2**over, MAX_BACKOFF_NIGHTS)
    return state.last_attempt_at + timedelta(days=nights_out + 1) - NIGHT_SLACK


def sources_due(
    config: SourcesConfig, memory: Memory, report: RunReport, now: datetime | None = None
) -> SourcesConfig:
    """Returns the config with only tonight's sources; unhealthy ones still backing off
    are left out and recorded in the report (they keep their health row untouched)."""
    now = now or datetime.now(UTC)
    due = []
    for source in config.sources:
        state = (memory.sources or {}).get(source.name)
        when = next_attempt(state, config.settings)
        if when is not None and now < when:
            log.info("source %s (%s) is unhealthy: skipped until %s", source.name, source.url,
                     when)  # fmt: skip
            report.add_unhealthy(source.name, state.consecutive_failures, when)
        else:
            due.append(source)
    return replace(config, sources=tuple(due))


def plan_pages(memory: Memory, crawls, settings, report: RunReport) -> list[tuple[str, FeedEntry]]:
    """Returns (source, entry) for every article link worth fetching tonight."""
    urls = [e.url for crawl in crawls for e in crawl.entries]
    known = _known(memory, urls)
    todo = []
    for crawl in crawls:
        limit = settings.max_articles_per_source
        entries, skipped = select_new_entries(crawl.entries, known, limit)
        report.add_skipped(crawl.source.name, skipped)
        todo.extend((crawl.source.name, entry) for entry in entries)
    report.pages_planned += len(todo)  # planned host by host (flows.host_reading)
    return todo


def select_new_entries(
    entries: list[FeedEntry], known: dict[str, KnownPage], limit: int
) -> tuple[list[FeedEntry], int]:
    """Returns the entries worth fetching (dated first, at most `limit`) and how many were
    skipped as already stored and unchanged, or gone. Entries past `limit` wait for a
    later night (they are not stored, so they are still new then).

    `known` maps a URL to its KnownPage, as storage reports it.
    """
    todo, skipped = [], 0
    for entry in entries:
        page = known.get(entry.url)
        changed = (
            page is not None
            and entry.updated is not None
            and (page.entry_updated is None or entry.updated > page.entry_updated)
        )
        if page is None or (changed and not page.gone):
            todo.append(entry)
        else:
            skipped += 1
    todo.sort(key=lambda e: (e.published or e.updated) is None)  # dated first, feed order kept
    if len(todo) > limit:
        log.info("%d entries over the limit of %d wait for the next run", len(todo) - limit, limit)
    return todo[:limit], skipped


def _known(memory: Memory, urls: list[str]):
    if memory.busy:
        return snapshot.known_pages(memory.db, urls)
    try:
        with connect(memory.db, read_only=True, wait_seconds=BUSY_WAIT_SECONDS) as con:
            return known_pages(con, urls)
    except DatabaseBusyError:
        return snapshot.known_pages(memory.db, urls)


def write_pages(
    memory: Memory,
    run_id: str,
    batch_no: int,
    fetched: list[FetchResult],
    results: list[PageResult],
    report: RunReport,
    other_fetches: list[FetchResult] = (),
    cluster: bool = True,
) -> None:
    """Writes one batch to the database, or stages it on disk when the database is busy.

    `other_fetches` (feeds, home pages, robots.txt) are written with the batch but
    were counted in the report when the sources were read. A shard does not `cluster`:
    the night clusters once, after every shard (cluster_night).
    """
    started = time.monotonic()
    _mark_extract_errors(fetched, results)
    tables = batch_tables(
        run_id, [*fetched, *other_fetches], results, tagger_versions(), datetime.now(UTC)
    )
    counts = {}
    if not memory.busy:
        try:
            with connect(memory.db, wait_seconds=BUSY_WAIT_SECONDS) as con:
                raw = None if is_lake(memory.db) else _raw_file(memory.db, run_id, batch_no)
                counts = write_batch(con, run_id, *tables.values(), raw_waiting=raw)
                count_lines(con, results)
                if cluster:
                    _cluster(con, results)
        except DatabaseBusyError as exc:
            log.warning("%s: staging from batch %d on", exc, batch_no)
            memory.busy = True
            report.storage_error = f"database busy: {exc.reason}"
    if memory.busy:
        stage_batch(staging_dir(memory.db), f"{run_id}-{batch_no:05d}", tables)
        memory.staged += 1
    report.add_batch(fetched, results, counts)
    report.add_time("store", time.monotonic() - started)


def _raw_file(db: str, run_id: str, batch_no: int) -> Path:
    # Named by batch: a batch written again replaces its file.
    return waiting_dir(db) / f"{run_id}-{batch_no:05d}.parquet"


def _mark_extract_errors(fetched: list[FetchResult], results: list[PageResult]) -> None:
    # The fetch worked but yielded no article: the fetches row says so, with the reason.
    errors = {r.url: r.error for r in results if r.error}
    for f in fetched:
        reason = errors.get(f.final_url or f.url)
        if f.ok and reason:
            f.outcome, f.error = Outcome.EXTRACT_ERROR, reason


def _cluster(con, results: list[PageResult]) -> None:
    items = [(r.article.url, r.signature) for r in results if r.article and r.signature]
    if items:
        assign_clusters(con, items)


def cluster_night(db: str, run_id: str) -> int:
    """Returns how many articles were clustered after a sharded night: what its shards
    stored (they do not cluster: each would miss the others' articles), in batches, first
    seen first, as batch-by-batch clustering would have seen them."""
    with connect(db, wait_seconds=BUSY_WAIT_SECONDS) as con:
        urls = night_article_urls(con, run_id)
    for start in range(0, len(urls), CLUSTER_BATCH):
        with connect(db, wait_seconds=BUSY_WAIT_SECONDS) as con:
            texts = article_texts(con, urls[start : start + CLUSTER_BATCH])
            assign_clusters(con, [(url, signature(text)) for url, text in texts])
    return len(urls)


def save_night(memory: Memory, crawls, robots: dict, report: RunReport, settings) -> None:
    """Remembers feeds' validators, sources' health and robots.txt files for next night."""
    if memory.busy:
        return  # nothing new is known for sure until the staged batches are merged
    now = datetime.now(UTC)
    feeds = [_feed_row(f, c.source.name, memory) for c in crawls for f in c.feeds]
    sources = [_source_row(c, memory, settings, now) for c in crawls]
    try:
        with connect(memory.db, wait_seconds=BUSY_WAIT_SECONDS) as con:
            save_feed_states(con, feeds)
            save_source_states(con, sources)
            save_http_cache(con, robots)
    except DatabaseBusyError as exc:
        memory.busy = True
        report.storage_error = f"database busy: {exc.reason}"


def _feed_row(result: FetchResult, source: str, memory: Memory) -> dict:
    old = (memory.feeds or {}).get(result.url)
    ok = result.outcome.answered
    return {
        "feed_url": result.url,
        "source": source,
        "etag": result.etag if result.ok else (old.etag if old else None),
        "last_modified": result.last_modified
        if result.ok
        else (old.last_modified if old else None),
        "last_fetched_at": result.fetched_at,
        "last_status": result.status,
        "last_outcome": str(result.outcome),
        "consecutive_failures": 0 if ok else (old.consecutive_failures if old else 0) + 1,
        "last_error": None if ok else result.error,
    }


def _source_row(crawl, memory: Memory, settings, now: datetime) -> dict:
    old = (memory.sources or {}).get(crawl.source.name)
    failures = 0 if not crawl.error else (old.consecutive_failures if old else 0) + 1
    return {
        "source": crawl.source.name,
        "discovered_feed": crawl.feed_url,
        "last_run_id": None,
        "last_ok_at": now if not crawl.error else (old.last_ok_at if old else None),
        "consecutive_failures": failures,
        "healthy": failures < settings.unhealthy_after_failures,
        "last_error": crawl.error,
        "last_attempt_at": now,  # the backoff of an unhealthy source counts from here
    }


def tidy_lake(memory: Memory, keep_snapshots_days: int) -> dict | None:
    """Returns the lake's files and bytes before and after maintenance; None for a file.

    The night's data is stored by now: a failure here is reported, not fatal."""
    if not is_lake(memory.db):
        return None
    try:
        with connect(memory.db) as con:
            return maintain(con, keep_snapshots_days).as_dict()
    except StorageError as exc:
        log.warning("lake maintenance failed: %s", exc)
        return {"error": str(exc)}


def close_night(memory: Memory, run_id: str, summary: dict) -> None:
    """Records the run's end and refreshes the snapshot read on busy nights."""
    if memory.busy:
        return  # tonight's raw HTML joins raw_pages when the next night opens
    try:
        if not is_lake(memory.db):  # in a connection of its own: its checkpoint is the peak
            with connect(memory.db, wait_seconds=BUSY_WAIT_SECONDS) as con:
                join_raw_html(con, memory.db)
        with connect(memory.db, wait_seconds=BUSY_WAIT_SECONDS) as con:
            finish_run(con, run_id, summary)
            snapshot.write(con, memory.db)
    except DatabaseBusyError as exc:
        memory.busy = True
        log.warning("%s: run %s end not recorded", exc, run_id)
