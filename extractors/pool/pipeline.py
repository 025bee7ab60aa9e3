"""Extracts and tags fetched pages on every core: one worker process per core, loaded once.

The workers fork from a fork server that has imported the extractors and loaded every
model (extractors.pool.warm), so each starts warm and shares the models' memory. The flow's
own process never imports trafilatura or spaCy.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime

from extractors.pool.workers import Job, Supervisor, worker_loop
from newsflow.errors import ExtractError
from newsflow.models import FeedEntry, PageResult, SourceFurniture

log = logging.getLogger(__name__)

# Imported in the fork server before any worker forks: extractors.pool.warm loads the models.
FORKSERVER_PRELOAD = [
    "extractors.article.extract",
    "extractors.taggers.tagging",
    "extractors.pool.pipeline",
    "extractors.pool.workers",
    "extractors.pool.warm",
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
    furniture: SourceFurniture | None = None  # what the source's other pages showed to recur


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


def process_pages(pages: list[PageInput], tag: bool = True) -> ChunkResults:
    """Returns the results of `process_page` for a chunk of pages, in order, timed."""
    done = ChunkResults()
    for page in pages:
        started = time.process_time()
        result = _extract(page)
        extracted = time.process_time()
        if tag and result.article is not None:
            _tag(result)
        done.extract_seconds += extracted - started
        done.tag_seconds += time.process_time() - extracted
        done.append(result)
    return done


def _extract(page: PageInput) -> PageResult:
    from extractors.article.extract import extract_article

    try:
        article = extract_article(
            page.body,
            page.url,
            source=page.source,
            fetched_at=page.fetched_at,
            content_type=page.content_type,
            entry=page.entry,
            furniture=page.furniture,
        )
    except ExtractError as exc:
        return PageResult(url=page.url, source=page.source, error=exc.reason)
    except Exception as exc:  # a parser bug on one page must not cost the batch
        log.exception("extraction crashed on %s", page.url)
        return PageResult(url=page.url, source=page.source, error=f"extractor crashed: {exc!r}")
    return PageResult(url=page.url, source=page.source, article=article)


def _tag(result: PageResult) -> None:
    from extractors.taggers.near_duplicates import signature
    from extractors.taggers.tagging import tag_article

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
        from extractors.taggers.topics_file import load_topics

        _topics = load_topics(topics_path)


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
    """Runs `process_pages`' work on supervised worker processes (extractors.pool.workers): a
    page past `deadline` seconds is recorded as a timeout, a worker that dies is replaced.
    A context manager that owns the workers.

    `test_fault_hook`, for tests only, is called in the worker before each page (to hang
    or kill it there); it must be importable by name (a module-level function)."""

    def __init__(
        self,
        workers: int | None = None,
        topics_path: str | None = None,
        chunk_size: int = 5,
        deadline: float = 30.0,
        test_fault_hook: Callable[[PageInput], None] | None = None,
    ):
        self.workers = workers or os.cpu_count() or 1
        self.chunk_size = chunk_size
        self._topics_path = topics_path
        self._hook = test_fault_hook
        self._supervisor = Supervisor(self.workers, self._spawn_worker, deadline)
        self._chunks: list[_Chunk] = []

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(self, *exc) -> None:
        self._supervisor.stop()
        for chunk in self._chunks:
            chunk.future.cancel()  # only those not done: a done future stays as it is

    def start(self) -> None:
        """Starts every worker now (the fork server loads the models), not at the first page."""
        self._supervisor.start()

    def worker_pids(self) -> list[int]:
        """Returns the process ids of the workers running now."""
        return self._supervisor.pids()

    def submit(self, pages: list[PageInput], tag: bool = True) -> list[Future]:
        """Returns futures, one per chunk of pages, each resolving to a ChunkResults."""
        futures = []
        for i in range(0, len(pages), self.chunk_size):
            chunk = _Chunk(pages[i : i + self.chunk_size])
            self._chunks = [c for c in self._chunks if not c.future.done()] + [chunk]
            for n, page in enumerate(chunk.pages):
                deliver = functools.partial(chunk.deliver, n)
                job = Job(page, (tag,), deliver, cancelled=chunk.future.cancelled)
                self._supervisor.put(job)
            futures.append(chunk.future)
        return futures

    def _spawn_worker(self):
        context = _forkserver_context()
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_worker_main, args=(theirs, self._topics_path, self._hook), daemon=True
        )
        process.start()
        theirs.close()
        return process, ours


class _Chunk:
    """Collects the results of a chunk's pages, whichever order they come back in."""

    def __init__(self, pages: list[PageInput]):
        self.pages, self.future = pages, Future()
        self._results: list[PageResult | None] = [None] * len(pages)
        self._cpu = [0.0, 0.0]

    def deliver(self, index: int, result: PageResult, extract_s: float, tag_s: float) -> None:
        self._results[index] = result
        self._cpu[0] += extract_s
        self._cpu[1] += tag_s
        if all(r is not None for r in self._results) and not self.future.done():
            done = ChunkResults(self._results)
            done.extract_seconds, done.tag_seconds = self._cpu
            self.future.set_result(done)


def _worker_main(conn, topics_path: str | None, hook) -> None:
    _init_worker(topics_path)
    worker_loop(conn, _process_timed, hook)


def _process_timed(page: PageInput, tag: bool) -> tuple[PageResult, float, float]:
    """Returns `process_pages`' result for one page, with its extract and tag CPU seconds."""
    done = process_pages([page], tag)
    return done[0], done.extract_seconds, done.tag_seconds
