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

from extractors.furniture import MIN_PAGES, MIN_SHARE, page_lines
from newsflow.errors import StorageError
from newsflow.models import PageResult, SourceFurniture
from storage.furniture import PAGE_WINDOW, load_furniture, remember_lines, unremembered_articles

log = logging.getLogger(__name__)


def read_furniture(con: duckdb.DuckDBPyConnection) -> dict[str, SourceFurniture]:
    """Returns each source's furniture, by source, once sources with stored articles but no
    memory yet have had it seeded from their latest articles (their text and headline as
    stored are what extraction saw: no memory stripped them)."""
    try:
        stored = unremembered_articles(con, PAGE_WINDOW)
        if stored:
            pages = [(s, url, page_lines(text, title)) for s, url, text, title in stored]
            remember_lines(con, pages, datetime.now(UTC))
        return load_furniture(con, MIN_PAGES, MIN_SHARE)
    except (duckdb.Error, StorageError) as exc:
        log.warning("the sources' memory of recurring lines could not be read (%s): "
                    "tonight's pages are extracted without it", _brief(exc))  # fmt: skip
        return {}


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
