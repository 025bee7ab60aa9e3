"""The publication date chosen among the feed's, the page's and the URL's, and the offset
the publisher stated kept beside the instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from trafilatura.utils import load_html

from extractors.article.dates import published, url_date
from extractors.article.extract import extract_article
from newsflow.models import FeedEntry

STORY = "<p>" + "The council met on Tuesday and voted on the harbour plan. " * 20 + "</p>"
TOKYO = timezone(timedelta(hours=9))


def _page(head: str = "", body: str = STORY) -> bytes:
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>".encode()


def _meta_date(value: str) -> str:
    return f'<meta property="article:published_time" content="{value}">'


def _extract(page: bytes, url: str = "https://news.example/harbour", entry=None):
    return extract_article(page, url, source="news", fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
                           content_type="text/html", entry=entry)  # fmt: skip


def test_the_offset_the_page_states_is_kept_beside_the_instant():
    article = _extract(_page(_meta_date("2024-03-06T00:30:00+09:00")))
    assert article.published_at == datetime(2024, 3, 6, 0, 30, tzinfo=TOKYO)
    assert article.published_offset_minutes == 540


def test_a_stated_utc_is_an_offset_and_a_missing_one_is_not():
    assert _extract(_page(_meta_date("2024-03-06T08:00:00Z"))).published_offset_minutes == 0
    unstated = _extract(_page(_meta_date("2024-03-06T08:00:00")))
    assert unstated.published_at == datetime(2024, 3, 6, 8, tzinfo=UTC)
    assert unstated.published_offset_minutes is None


def test_the_feeds_instant_stands_with_the_offset_the_page_states():
    entry = FeedEntry("https://news.example/harbour", "https://news.example/feed",
                      published=datetime(2024, 3, 5, 15, 30, tzinfo=UTC))  # fmt: skip
    article = _extract(_page(_meta_date("2024-03-06T00:30:00+09:00")), entry=entry)
    assert article.published_at == entry.published
    assert article.published_offset_minutes == 540
    # feedparser hands feed dates over in UTC: that zero is not the publisher's offset
    assert _extract(_page(), entry=entry).published_offset_minutes is None


def test_a_page_date_far_from_the_urls_date_does_not_win_over_it():
    url = "https://news.example/2024/03/06/harbour-plan"
    article = _extract(_page(_meta_date("2020-01-02T09:00:00+01:00")), url)
    assert article.published_at.date() == date(2024, 3, 6)
    assert article.published_offset_minutes is None
    # within a day of it, the page's own date and offset stand (time zones differ)
    near = _extract(_page(_meta_date("2024-03-07T00:30:00+09:00")), url)
    assert near.published_at == datetime(2024, 3, 7, 0, 30, tzinfo=TOKYO)


def test_url_dates_are_full_dates_in_the_path_only():
    assert url_date("https://x.example/2024/03/06/story") == date(2024, 3, 6)
    assert url_date("https://x.example/news/2024-3-6-story.html") == date(2024, 3, 6)
    assert url_date("https://x.example/id/20240306/story") is None  # digits, maybe an id
    assert url_date("https://x.example/2024-03-06/story") == date(2024, 3, 6)
    assert url_date("https://x.example/2024/03/story") is None
    assert url_date("https://x.example/2024/02/31/story") is None
    assert url_date("https://x.example/story?d=/2024/03/06/") is None


def test_no_date_anywhere_is_none():
    when = published(None, load_html(_page().decode()), "https://news.example/a", None)
    assert (when.at, when.offset_minutes) == (None, None)
