"""The night's side of each source's memory of recurring lines (storage.furniture): read
before extraction, counted as each batch is stored, and seeded from the articles a
database stored before it had the memory.

The memory only makes extraction better: when it cannot be read or written, the night
goes on without it (extracting as a one-page extractor would), saying so in its log.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import duckdb

from extractors.article.furniture import MIN_PAGES, MIN_SHARE, page_lines
from newsflow.errors import StorageError
from newsflow.models import PageResult, SourceFurniture
from storage.furniture import (
    PAGE_WINDOW,
    latest_articles,
    load_furniture,
    remember_lines,
    unremembered_sources,
)

log = logging.getLogger(__name__)
# Sources seeded at a time: at most this many times PAGE_WINDOW articles' text in memory.
SEED_SOURCES = 10


def read_furniture(con: duckdb.DuckDBPyConnection) -> dict[str, SourceFurniture]:
    """Returns each source's furniture, by source, once sources with stored articles but no
    memory yet have had it seeded from their latest articles (their text and headline as
    stored are what extraction saw: no memory stripped them)."""
    try:
        _seed(con)
        return load_furniture(con, MIN_PAGES, MIN_SHARE)
    except (duckdb.Error, StorageError) as exc:
        log.warning("the sources' memory of recurring lines could not be read (%s): "
                    "tonight's pages are extracted without it", _brief(exc))  # fmt: skip
        return {}


def _seed(con: duckdb.DuckDBPyConnection) -> None:
    """Seeds the memory of sources that have none from their latest stored articles,
    SEED_SOURCES sources at a time: an upgraded database of many sources never holds more
    than their latest articles' text at once."""
    todo = unremembered_sources(con)
    for first in range(0, len(todo), SEED_SOURCES):
        stored = latest_articles(con, todo[first : first + SEED_SOURCES], PAGE_WINDOW)
        pages = [(s, url, page_lines(text, title)) for s, url, text, title in stored]
        remember_lines(con, pages, datetime.now(UTC))


def count_lines(con: duckdb.DuckDBPyConnection, results: list[PageResult]) -> int:
    """Counts the lines of a stored batch's new pages in their sources' memory; returns
    how many pages were new to it. (A busy night's staged batches are not counted: the
    memory learns from the pages a night later.)"""
    pages = [
        (r.article.source, r.article.url, r.article.lines)
        for r in results
        if r.article is not None and r.article.lines is not None
    ]
    try:
        return remember_lines(con, pages, datetime.now(UTC))
    except (duckdb.Error, StorageError) as exc:
        log.warning("the sources' memory of recurring lines did not count %d pages (%s); "
                    "the batch itself is stored", len(pages), _brief(exc))  # fmt: skip
        return 0


def _brief(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]
