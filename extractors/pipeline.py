"""Extracts and tags fetched pages on every core: one worker process per core, loaded once.

The workers fork from a fork server that has imported the extractors and loaded every
model (extractors.warm), so each starts warm and shares the models' memory. The flow's
own process never imports trafilatura or spaCy.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from newsflow.errors import ExtractError
from newsflow.models import FeedEntry, PageResult

log = logging.getLogger(__name__)

# Imported in the fork server before any worker forks: extractors.warm loads the models.
FORKSERVER_PRELOAD = [
    "extractors.article",
    "extractors.tagging",
    "extractors.pipeline",
    "extractors.warm",
]


@dataclass(frozen=True, slots=True)
class PageInput:
    """A fetched page as the extraction workers need it."""

    url: str  # final URL, after redirects
    source: str
    body: bytes
    content_type: str
    fetched_at: datetime
    entry: FeedEntry | None = None


class ChunkResults(list):
    """A chunk's PageResults in order, with the CPU seconds its worker spent on them."""

    extract_seconds: float = 0.0
    tag_seconds: float = 0.0


_topics = None  # loaded once per worker process by _init_worker


def process_page(page: PageInput, tag: bool = True) -> PageResult:
    """Returns the article and tags of one page; failures become PageResult.error."""
    result = _extract(page)
    if tag and result.article is not None:
        _tag(result)
    return result


def process_pages(pages: list[PageInput], tag: bool = True, keep_html: bool = True) -> ChunkResults:
    """Returns the results of `process_page` for a chunk of pages, in order, timed.

    With keep_html False the articles come back without `raw_html` (the caller still has
    each page's body): half the bytes through the pipe, one copy fewer in memory.
    """
    done = ChunkResults()
    for page in pages:
        started = time.process_time()
        result = _extract(page)
        extracted = time.process_time()
        if tag and result.article is not None:
            _tag(result)
        done.extract_seconds += extracted - started
        done.tag_seconds += time.process_time() - extracted
        if not keep_html and result.article is not None:
            result.article.raw_html = b""
        done.append(result)
    return done


def _extract(page: PageInput) -> PageResult:
    from extractors.article import extract_article

    try:
        article = extract_article(
            page.body,
            page.url,
            source=page.source,
            fetched_at=page.fetched_at,
            content_type=page.content_type,
            entry=page.entry,
        )
    except ExtractError as exc:
        return PageResult(url=page.url, source=page.source, error=exc.reason)
    except Exception as exc:  # a parser bug on one page must not cost the batch
        log.exception("extraction crashed on %s", page.url)
        return PageResult(url=page.url, source=page.source, error=f"extractor crashed: {exc!r}")
    return PageResult(url=page.url, source=page.source, article=article)


def _tag(result: PageResult) -> None:
    from extractors.near_duplicates import signature
    from extractors.tagging import tag_article

    result.tags = tag_article(result.article, _topics)
    result.tagged = True
    try:
        result.signature = signature(result.article.text)
    except Exception:
        log.exception("near-duplicate signature failed on %s", result.url)


_WARM_UP_TEXT = (
    b"<p>The Prime Minister of Canada met the President of France in Paris on Monday to talk "
    b"about trade, energy prices and the war in Ukraine with NATO officials.</p>"
)
_WARM_UP_HTML = b"<html lang='en'><body><article><h1>Warm-up</h1>%s</article></body></html>" % (
    _WARM_UP_TEXT * 5
)


def warm_up() -> None:
    """Loads every extractor's and tagger's models in this process by running one page."""
    page = PageInput(
        url="http://warm-up.invalid/",
        source="warm-up",
        body=_WARM_UP_HTML,
        content_type="text/html",
        fetched_at=datetime.now(UTC),
    )
    result = process_page(page)
    if result.error:
        log.warning("warm-up page failed: %s", result.error)


def _init_worker(topics_path: str | None) -> None:
    global _topics
    if topics_path:
        from extractors.topics import load_topics

        _topics = load_topics(topics_path)


def _ready() -> int:
    return os.getpid()


def prestart() -> None:
    """Starts the fork server now, so it loads the models while the caller does other work
    (the CLI starts Prefect's server meanwhile); the pool's workers then fork warm."""
    from multiprocessing import forkserver

    _forkserver_context()
    forkserver.ensure_running()


def _forkserver_context():
    # forkserver: workers fork from a clean process, not from one running Prefect's
    # threads, and import the extractors and load their models once, in the server.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FORKSERVER_PRELOAD)
    return context


class ExtractorPool:
    """Runs `process_pages` in worker processes; a context manager that owns the pool."""

    def __init__(
        self, workers: int | None = None, topics_path: str | None = None, chunk_size: int = 5
    ):
        self.workers = workers or os.cpu_count() or 1
        self.chunk_size = chunk_size
        self._topics_path = topics_path
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ExtractorPool:
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=_forkserver_context(),
            initializer=_init_worker,
            initargs=(self._topics_path,),
        )
        return self

    def __exit__(self, *exc) -> None:
        if self._pool:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def start(self) -> None:
        """Starts every worker now (the fork server loads the models), not at the first page."""
        for _ in range(self.workers):
            self._pool.submit(_ready)

    def submit(
        self, pages: list[PageInput], tag: bool = True, keep_html: bool = True
    ) -> list[Future]:
        """Returns futures, one per chunk of pages, each resolving to a ChunkResults."""
        step = self.chunk_size
        return [
            self._pool.submit(process_pages, pages[i : i + step], tag, keep_html)
            for i in range(0, len(pages), step)
        ]
