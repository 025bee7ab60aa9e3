"""Writes sample articles into a real DuckDB file the way the night does (write_batch)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from extractors.article.extract import content_hash
from newsflow.demo.site import Post
from newsflow.models import Article, PageResult, Tag
from storage.db import connect
from storage.writes import article_rows, fetch_rows, tag_rows, write_batch


def page_result(post: Post, source: str, text: str | None = None) -> PageResult:
    """Returns the PageResult the pipeline would make of a post (with its language tag)."""
    text = text or "\n".join(post.paragraphs)
    article = Article(
        url=f"http://{source}.test/{post.slug}",
        source=source,
        text=text,
        content_hash=content_hash(text),
        fetched_at=datetime.now(UTC),
        title=post.title,
        published_at=post.published,
        language=post.lang,
        categories=post.labels,
    )
    tag = Tag("language", post.lang, 0.99, "language", "test", code=post.lang)
    return PageResult(url=article.url, source=source, article=article, tags=[tag], tagged=True)


def write_articles(db: Path, results: list[PageResult], run_id: str = "run-1") -> None:
    """Writes the results as one batch."""
    with connect(db) as con:
        write_articles_to(con, run_id, results)


def write_articles_to(con, run_id: str, results: list[PageResult]) -> None:
    """Writes the results as one batch on an open connection (a file's or a lake's)."""
    write_batch(con, run_id, fetch_rows(run_id, []), article_rows(results),
                tag_rows(results, datetime.now(UTC)))  # fmt: skip
