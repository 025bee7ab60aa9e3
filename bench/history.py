"""A database with a long history, built in a minute: synthetic articles bulk-written
through the flow's own Arrow path (storage.writes.write_results, storage.clusters), so
the benchmark can show that a night's cost follows its new pages, not the history.

Each synthetic article has a ~2 kB text, its raw HTML, a page fetch, ten tags, the
taggers' versions and 32 MinHash bands, as a real one does.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsflow.models import Article, FetchResult, PageResult, Tag
from storage.clusters import assign_clusters
from storage.db import connect
from storage.writes import write_results

BATCH = 5_000
TAGGER_VERSIONS = {"language": "1", "entities": "1", "keywords": "1", "topics": "1"}
_RANDOM = random.Random(6)
_WORDS = [
    "".join(_RANDOM.choices("abcdefghijklmnopqrstuvwxyz", k=_RANDOM.randint(3, 10)))
    for _ in range(5_000)
]
_TEXTS = [" ".join(_RANDOM.choices(_WORDS, k=330)) for _ in range(200)]


def build_history(db: Path, articles: int) -> None:
    """Writes `articles` synthetic articles (and their fetches, tags, bands) into `db`."""
    run_id, now = str(uuid.uuid4()), datetime.now(UTC)
    with connect(db) as con:
        for start in range(0, articles, BATCH):
            results = [_result(n, now) for n in range(start, min(start + BATCH, articles))]
            fetches = [_fetch(r) for r in results]
            pages = {r.url: f"<p>{r.article.text}</p>".encode() for r in results}
            write_results(con, run_id, fetches, results, TAGGER_VERSIONS, now, pages)
            assign_clusters(con, [(r.url, r.signature) for r in results])


def _result(n: int, now: datetime) -> PageResult:
    url = f"https://history{n % 50}.example/{n // 50}/post-{n}.html"
    text = f"Post {n}. " + _TEXTS[n % len(_TEXTS)]
    article = Article(
        url=url,
        source=f"history{n % 50}",
        text=text,
        content_hash=f"{n:032x}",
        fetched_at=now - timedelta(minutes=n),
        title=f"Post {n}",
        language="en",
        published_at=now - timedelta(minutes=n),
        encoding="utf-8",
    )
    tags = [Tag("keyword", w, 0.5, "keywords", "1") for w in text.split()[2:11]]
    tags.append(Tag("language", "English", 0.99, "language", "1", code="en"))
    signature = _RANDOM.randbytes(512)
    return PageResult(url, article.source, article, tags, signature, tagged=True)


def _fetch(result: PageResult) -> FetchResult:
    return FetchResult(
        url=result.url,
        source=result.source,
        kind="page",
        outcome="ok",
        fetched_at=result.article.fetched_at,
        status=200,
        elapsed_ms=20,
    )
