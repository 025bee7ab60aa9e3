"""The night's conversation with the database: open, plan (which pages are worth
fetching, by newsflow.policy), write batches, remember, close.

Every function opens the file for a short while only, so analysts can read between
batches; when another process holds it, batches go to the staging folder instead.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from extractors.taggers.near_duplicates import signature
from extractors.taggers.tagging import tagger_versions
from flows.gaps import gap_columns
from flows.source_memory import count_lines, read_furniture
from newsflow.errors import DatabaseBusyError, StorageError
from newsflow.models import FeedEntry, FetchResult, PageResult
from newsflow.outcomes import Outcome
from newsflow.pace import Reading, later, read_interval
from newsflow.policy import next_attempt, select_new_entries
from newsflow.summary import RunReport
from storage import snapshot
from storage.clusters import article_texts, assign_clusters, night_article_urls
from storage.db import connect
from storage.extraction_alerts import extraction_alerts
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
PAGES_BACK = ("next", "blogger", "wordpress")  # source_health.paging: a gap is walked back


@dataclass
class Night:
    """One night's session: what the database remembered, the report being written, and
    whether tonight's batches go to the database or, while another process holds it, to
    the staging folder (they are merged when a later night opens)."""

    run_id: str
    memory: Memory
    report: RunReport
    busy: bool = False
    staged: int = 0  # batches written to the staging folder instead of the database
    # By source: (links in the window read tonight, how many not stored), for its pace.
    windows: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def db(self) -> str:
        return self.memory.db

    def went_busy(self, exc: DatabaseBusyError) -> None:
        """Stages the rest of the night: another process holds the database."""
        self.busy = True
        self.report.storage_error = f"database busy: {exc.reason}"


def open_night(
    db: str,
    run_id: str,
    started: datetime,
    report: RunReport,
    data_path: str | None = None,
    record_run: bool = True,
) -> Night:
    """Returns the night, with what the database remembers, after merging batches staged
    on busy nights; a busy night (another process holds the database) with what the last
    snapshot remembers.

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
            memory = replace(load_memory(con, db), furniture=read_furniture(con))
            return Night(run_id, memory, report)
    except DatabaseBusyError as exc:
        log.warning("%s; reading the last snapshot instead", exc)
        night = Night(run_id, snapshot.load_memory(db), report)
        night.went_busy(exc)
        return night


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


def plan_pages(night: Night, crawls, settings, report: RunReport) -> list[tuple[str, FeedEntry]]:
    """Returns (source, entry) for every article link worth fetching tonight; `report`
    counts the links skipped (the night's, or a scratch one when only planning)."""
    urls = [e.url for crawl in crawls for e in crawl.entries]
    known = _known(night, urls)
    todo = []
    for crawl in crawls:
        night.windows[crawl.source.name] = feed_window(crawl, known)  # for its pace
        limit = settings.max_articles_per_source
        entries, skipped = select_new_entries(crawl.entries, known, limit)
        report.add_skipped(crawl.source.name, skipped)
        todo.extend((crawl.source.name, entry) for entry in entries)
    report.pages_planned += len(todo)  # planned host by host (flows.host_reading)
    return todo


def feed_window(crawl, known: dict[str, KnownPage]) -> tuple[int, int]:
    """Returns how many links the source's own window showed, and how many of those were
    not stored: what its pace is timed by. Links a walk back added are not the window."""
    walked = {e.url for e in crawl.backfill.entries} if crawl.backfill else set()
    window = [e.url for e in crawl.entries if e.url not in walked]
    return len(window), sum(1 for url in window if url not in known)


def _known(night: Night, urls: list[str]):
    if night.busy:
        return snapshot.known_pages(night.db, urls)
    try:
        with connect(night.db, read_only=True, wait_seconds=BUSY_WAIT_SECONDS) as con:
            return known_pages(con, urls)
    except DatabaseBusyError:
        return snapshot.known_pages(night.db, urls)


def write_pages(
    night: Night,
    batch_no: int,
    fetched: list[FetchResult],
    results: list[PageResult],
    other_fetches: list[FetchResult] = (),
    cluster: bool = True,
) -> None:
    """Writes one batch to the database, or stages it on disk when the database is busy.

    `other_fetches` (feeds, home pages, robots.txt) are written with the batch but
    were counted in the report when the sources were read. A shard does not `cluster`:
    the night clusters once, after every shard (cluster_night).
    """
    started, run_id = time.monotonic(), night.run_id
    _mark_extract_errors(fetched, results)
    everything, now = [*fetched, *other_fetches], datetime.now(UTC)
    tables = batch_tables(run_id, everything, results, tagger_versions(), now, page_bodies(fetched))
    counts = {}
    if not night.busy:
        try:
            with connect(night.db, wait_seconds=BUSY_WAIT_SECONDS) as con:
                raw = None if is_lake(night.db) else _raw_file(night.db, run_id, batch_no)
                counts = write_batch(con, run_id, *tables.values(), raw_waiting=raw)
                count_lines(con, results)
                if cluster:
                    _cluster(con, results)
        except DatabaseBusyError as exc:
            log.warning("%s: staging from batch %d on", exc, batch_no)
            night.went_busy(exc)
    if night.busy:
        stage_batch(staging_dir(night.db), f"{run_id}-{batch_no:05d}", tables)
        night.staged += 1
    night.report.add_batch(fetched, results, counts)
    night.report.add_time("store", time.monotonic() - started)


def page_bodies(fetched: list[FetchResult]) -> dict[str, bytes]:
    """Returns the fetched pages' bytes by the URL their article is stored under (where the
    fetch ended): the raw HTML storage keeps, straight from the fetch results."""
    return {f.final_url or f.url: f.body for f in fetched if f.ok}


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


def save_night(night: Night, crawls, robots: dict, settings, now: datetime | None = None) -> None:
    """Remembers feeds' validators, sources' health and pace, and robots.txt files for
    the next run."""
    if night.busy:
        return  # nothing new is known for sure until the staged batches are merged
    now, memory = now or datetime.now(UTC), night.memory
    feeds = [_feed_row(f, c.source.name, memory) for c in crawls for f in c.feeds]
    sources = [
        source_health_row(c, memory, settings, now, night.windows.get(c.source.name))
        for c in crawls
    ]
    try:
        with connect(night.db, wait_seconds=BUSY_WAIT_SECONDS) as con:
            save_feed_states(con, feeds)
            save_source_states(con, sources)
            save_http_cache(con, robots)
    except DatabaseBusyError as exc:
        night.went_busy(exc)


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


def source_health_row(
    crawl, memory: Memory, settings, now: datetime, window: tuple[int, int] | None = None
) -> dict:
    """Returns the source's source_health row after this read: its health, its gaps, its
    pace and when it is next due; `window` is what plan_pages saw of its feed (feed_window).
    bench/coverage.py replays reads through it too."""
    old = (memory.sources or {}).get(crawl.source.name)
    failures = 0 if not crawl.error else (old.consecutive_failures if old else 0) + 1
    row = {
        "source": crawl.source.name,
        "discovered_feed": crawl.feed_url,
        "last_run_id": None,
        "last_ok_at": now if not crawl.error else (old.last_ok_at if old else None),
        "consecutive_failures": failures,
        "healthy": failures < settings.unhealthy_after_failures,
        "last_error": crawl.error,
        "last_attempt_at": now,  # the backoff of an unhealthy source counts from here
        **gap_columns(crawl, old, now),
    }
    wait = _read_interval(crawl, old, window, settings, now, row["paging"])
    health = SourceState(row["source"], consecutive_failures=failures, last_attempt_at=now)
    row["read_interval_seconds"] = round(wait.total_seconds())
    row["next_due_at"] = later(now + wait, next_attempt(health, settings))
    return row


def _read_interval(crawl, old: SourceState | None, window, settings, now, paging) -> timedelta:
    """Returns how long the source waits before its next read: its pace from tonight's
    window; a failed read keeps the pace it had (its health back-off comes on top)."""
    if crawl.error:
        known = old.read_interval_seconds if old else None
        return timedelta(seconds=known) if known else settings.pace_bounds.shortest
    entries, unseen = window or (len(crawl.entries), 0)
    reading = Reading(
        at=now,
        entries=entries,
        new=unseen,
        dates=tuple(d for e in crawl.entries if (d := e.published or e.updated) is not None),
        since=old.last_ok_at if old else None,
        not_modified=crawl.not_modified,
        reach=_reach(crawl, paging, settings),
    )
    return read_interval(reading, settings.pace_bounds)


def _reach(crawl, paging: str | None, settings) -> int:
    """Returns how many windows a walk back reaches for this source: its feed's pages,
    unless tonight's walk was cut short by its bound (then only its window counts)."""
    walked_short = crawl.backfill is not None and not crawl.backfill.closed
    if paging not in PAGES_BACK or walked_short:
        return 1
    # Half its pages, at most five: a site busier tomorrow morning than tonight still fits
    # in the walk (longer waits overran mornings: docs/benchmarks.md, issue 20).
    return 1 + min(settings.backfill_max_pages // 2, 5)


def tidy_lake(db: str, keep_snapshots_days: int) -> dict | None:
    """Returns the lake's files and bytes before and after maintenance; None for a file.

    The night's data is stored by now: a failure here is reported, not fatal."""
    if not is_lake(db):
        return None
    try:
        with connect(db) as con:
            return maintain(con, keep_snapshots_days).as_dict()
    except StorageError as exc:
        log.warning("lake maintenance failed: %s", exc)
        return {"error": str(exc)}


def close_night(night: Night, summary: dict) -> None:
    """Records the run's end and refreshes the snapshot read on busy nights."""
    if night.busy:
        return  # tonight's raw HTML joins raw_pages when the next night opens
    try:
        if not is_lake(night.db):  # in a connection of its own: its checkpoint is the peak
            with connect(night.db, wait_seconds=BUSY_WAIT_SECONDS) as con:
                join_raw_html(con, night.db)
        with connect(night.db, wait_seconds=BUSY_WAIT_SECONDS) as con:
            finish_run(con, night.run_id, summary)
            # With tonight's pages stored: the sources whose layout may have changed.
            night.report.extraction_alerts = extraction_alerts(con)
            snapshot.write(con, night.db)
    except DatabaseBusyError as exc:
        night.busy = True
        log.warning("%s: run %s end not recorded", exc, night.run_id)
