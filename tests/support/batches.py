"""Articles and the batch rows storage writes for them, for storage tests on real DuckDB."""

from __future__ import annotations

from datetime import UTC, datetime

from extractors.article.extract import content_hash
from newsflow.models import Article, FetchResult, PageResult, Tag
from storage.writes import article_rows, fetch_rows, tag_rows

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def stored_article(url: str, text: str, when: datetime = NOW) -> Article:
    """Returns an article of source "blog" as extraction gives it (its page: page_html)."""
    return Article(
        url=url,
        source="blog",
        text=text,
        content_hash=content_hash(text),
        fetched_at=when,
        title="T",
    )


def page_html(article: Article) -> bytes:
    """Returns the page a stored_article was extracted from, as fetched."""
    return f"<p>{article.text}</p>".encode()


def page_results(articles: list[Article]) -> tuple[list[FetchResult], list[PageResult]]:
    """Returns the fetches and tagged results a batch of these articles would have."""
    fetches = [
        FetchResult(
            url=a.url,
            source="blog",
            kind="page",
            outcome="ok",
            status=200,
            fetched_at=a.fetched_at,
            body=page_html(a),
        )
        for a in articles
    ]
    results = [
        PageResult(
            url=a.url,
            source="blog",
            article=a,
            tagged=True,
            tags=[Tag("language", "id", 0.9, "language", "1", code="id")],
        )
        for a in articles
    ]
    return fetches, results


def batch_rows(run_id: str, articles: list[Article]):
    """Returns the fetches, articles and tags tables of a batch of these articles."""
    fetches, results = page_results(articles)
    pages = {f.url: f.body for f in fetches}
    return fetch_rows(run_id, fetches), article_rows(results, pages), tag_rows(results, NOW)
