"""The night's side of each source's memory of recurring lines (storage.furniture): read
before extraction, counted as each batch is stored, and seeded from the articles a
database stored before it had the memory."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from extractors.furniture import MIN_PAGES, MIN_SHARE, page_lines
from newsflow.models import PageResult, SourceFurniture
from storage.furniture import PAGE_WINDOW, load_furniture, remember_lines, unremembered_articles


def read_furniture(con: duckdb.DuckDBPyConnection) -> dict[str, SourceFurniture]:
    """Returns each source's furniture, by source, once sources with stored articles but no
    memory yet have had it seeded from their latest articles (their text as stored is what
    extraction saw: no memory stripped it)."""
    stored = unremembered_articles(con, PAGE_WINDOW)
    if stored:
        pages = [(source, url, page_lines(text, None)) for source, url, text in stored]
        remember_lines(con, pages, datetime.now(UTC))
    return load_furniture(con, MIN_PAGES, MIN_SHARE)


def count_lines(con: duckdb.DuckDBPyConnection, results: list[PageResult]) -> int:
    """Counts the lines of a stored batch's new pages in their sources' memory; returns
    how many pages were new to it. (A busy night's staged batches are not counted: the
    memory learns from the pages a night later.)"""
    pages = [
        (r.article.source, r.article.url, r.article.lines)
        for r in results
        if r.article is not None and r.article.lines is not None
    ]
    return remember_lines(con, pages, datetime.now(UTC))
