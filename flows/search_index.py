"""Brings the search index up to date with the database: the flows' last stage.

Reads what changed from the database (storage), makes the terms (extractors), writes them
to the index file (storage). The database is opened read-only, one chunk at a time, so
a long first build never keeps it from the night's writers for long.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from extractors.search.search_terms import ANALYZER_VERSION, Analyzer, document_terms
from storage import search_index
from storage.db import connect
from storage.search import write_search_macro
from storage.search_index import IndexDocument, index_path, open_index

log = logging.getLogger(__name__)

CHUNK = 2_000
READ_WAIT_SECONDS = 30.0


@dataclass
class IndexReport:
    """What one refresh did, and how long it took."""

    path: str
    indexed: int = 0
    removed: int = 0
    segments_rebuilt: int = 0
    documents: int = 0
    analyze_seconds: float = 0.0
    build_seconds: float = 0.0
    seconds: float = 0.0

    def brief(self) -> str:
        return (
            f"search index {self.path}: {self.indexed} indexed, {self.removed} removed, "
            f"{self.segments_rebuilt} segments rebuilt, {self.documents} documents "
            f"({self.seconds:.1f}s)"
        )


def refresh_index(db: str, index: str | Path | None = None, full: bool = False) -> IndexReport:
    """Returns what was done bringing the index of `db` up to date (all of it when `full`)."""
    started = time.monotonic()
    path = Path(index) if index else index_path(db)
    report = IndexReport(path=str(path))
    with connect(db, read_only=True, wait_seconds=READ_WAIT_SECONDS) as con:
        current = search_index.article_fingerprints(con)
        identity = search_index.database_identity(con)
    # Each step opens the index file for itself: DuckDB's memory goes with the connection,
    # so a night of 10,000 new articles (two chunks, three segments) peaks as one step does.
    with open_index(path) as idx:
        if (
            full
            or search_index.analyzer_version(idx) != ANALYZER_VERSION
            or search_index.indexed_database(idx) != identity  # another database's index
        ):
            search_index.reset(idx, ANALYZER_VERSION)
            search_index.claim(idx, identity)
        todo, gone = search_index.changes(idx, current)
        report.removed = search_index.remove(idx, gone) if gone else 0
    for start in range(0, len(todo), CHUNK):
        with open_index(path) as idx:
            _index_chunk(db, idx, todo[start : start + CHUNK], report)
    built = time.monotonic()
    with open_index(path) as idx:
        dirty = search_index.dirty_segments(idx)
    for segment in dirty:
        with open_index(path) as idx:
            search_index.rebuild_segment(idx, segment)
    report.segments_rebuilt = len(dirty)
    with open_index(path) as idx:
        write_search_macro(idx)
        report.documents = search_index.document_count(idx)
    report.build_seconds = time.monotonic() - built
    report.seconds = time.monotonic() - started
    log.info("%s", report.brief())
    return report


def _index_chunk(db: str, idx, urls: list[str], report: IndexReport) -> None:
    with connect(db, read_only=True, wait_seconds=READ_WAIT_SECONDS) as con:
        rows = search_index.articles_for_index(con, urls)
    started = time.monotonic()
    analyzers: dict[str | None, Analyzer] = {}
    documents = []
    for row in rows:
        if row.language not in analyzers:
            analyzers[row.language] = Analyzer(row.language)
        terms = document_terms(
            f"{row.title or ''}\n{row.text}", row.language, analyzers[row.language]
        )
        documents.append(IndexDocument(row, terms))
    report.analyze_seconds += time.monotonic() - started
    search_index.replace(idx, documents)
    report.indexed += len(documents)


@task(name="update search index", cache_policy=NO_CACHE, retries=0)
async def update_search_index(db: str) -> str:
    """Brings the search index up to date; a failure is logged, never fails the night."""
    logger = get_run_logger()
    try:
        report = await asyncio.to_thread(refresh_index, db)
    except Exception as exc:  # the night's articles are stored; search catches up next time
        logger.warning("search index not updated: %s", exc)
        return f"search index not updated: {exc}"
    logger.info("%s", report.brief())
    return report.brief()
