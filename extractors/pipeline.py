"""Extracts and tags fetched pages on every core: one worker process per core, loaded once."""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from extractors.article import extract_article
from newsflow.errors import ExtractError
from newsflow.models import FeedEntry, PageResult

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PageInput:
    """A fetched page as the extraction workers need it."""

    url: str  # final URL, after redirects
    source: str
    body: bytes
    content_type: str
    fetched_at: datetime
    entry: FeedEntry | None = None


_topics = None  # loaded once per worker process by _init_worker


def process_page(page: PageInput, tag: bool = True) -> PageResult:
    """Returns the article and tags of one page; failures become PageResult.error."""
    try:
        article = extract_article(
            page.body, page.url, source=page.source, fetched_at=page.fetched_at,
            content_type=page.content_type, entry=page.entry,
        )
    except ExtractError as exc:
        return PageResult(url=page.url, source=page.source, error=exc.reason)
    except Exception as exc:  # a parser bug on one page must not cost the batch
        log.exception("extraction crashed on %s", page.url)
        return PageResult(url=page.url, source=page.source, error=f"extractor crashed: {exc!r}")
    result = PageResult(url=page.url, source=page.source, article=article)
    if tag:
        _tag(result)
    return result


def process_pages(pages: list[PageInput], tag: bool = True) -> list[PageResult]:
    """Returns the results of `process_page` for a chunk of pages, in order."""
    return [process_page(page, tag) for page in pages]


def _tag(result: PageResult) -> None:
    from extractors.near_duplicates import signature
    from extractors.tagging import tag_article

    result.tags = tag_article(result.article, _topics)
    result.tagged = True
    try:
        result.signature = signature(result.article.text)
    except Exception:
        log.exception("near-duplicate signature failed on %s", result.url)


def _init_worker(topics_path: str | None) -> None:
    global _topics
    if topics_path:
        from extractors.topics import load_topics

        _topics = load_topics(topics_path)


class ExtractorPool:
    """Runs `process_pages` in worker processes; a context manager that owns the pool."""

    def __init__(self, workers: int | None = None, topics_path: str | None = None,
                 chunk_size: int = 8):
        self.workers = workers or os.cpu_count() or 1
        self.chunk_size = chunk_size
        self._topics_path = topics_path
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ExtractorPool:
        # forkserver: workers fork from a clean process, not from one running Prefect's
        # threads, and import the extractors once in the server.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["extractors.pipeline", "extractors.tagging"])
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_init_worker,
            initargs=(self._topics_path,),
        )
        return self

    def __exit__(self, *exc) -> None:
        if self._pool:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, pages: list[PageInput], tag: bool = True) -> list:
        """Returns futures, one per chunk of pages, each resolving to a list of PageResult."""
        step = self.chunk_size
        return [self._pool.submit(process_pages, pages[i:i + step], tag)
                for i in range(0, len(pages), step)]
