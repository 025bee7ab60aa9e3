"""The night's scheduling policy, pure: which entries are worth fetching, which sources
are due. No database and no flow: storage's remembered values are passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsflow.models import FeedEntry, Settings, Source, SourcesConfig
from newsflow.policy import select_new_entries, sources_due
from newsflow.summary import RunReport
from storage.state import KnownPage, SourceState

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
FEED = "https://b.example/feed"


def _entry(path: str, updated: datetime | None = None, published: datetime | None = None):
    return FeedEntry(f"https://b.example/{path}", FEED, updated=updated, published=published)


def test_stored_unchanged_and_gone_pages_are_skipped_changed_ones_fetched_again():
    earlier = NOW - timedelta(days=1)
    known = {
        "https://b.example/same": KnownPage("https://b.example/same", earlier, gone=False),
        "https://b.example/edited": KnownPage("https://b.example/edited", earlier, gone=False),
        "https://b.example/gone": KnownPage("https://b.example/gone", None, gone=True),
    }
    entries = [_entry("same", earlier), _entry("edited", NOW), _entry("gone", NOW), _entry("new")]
    todo, skipped = select_new_entries(entries, known, limit=10)
    assert [e.url.rsplit("/", 1)[1] for e in todo] == ["edited", "new"] and skipped == 2


def test_dated_entries_come_first_and_the_rest_waits_past_the_limit():
    entries = [_entry("undated"), _entry("dated", published=NOW), _entry("later", NOW)]
    todo, skipped = select_new_entries(entries, {}, limit=2)
    assert [e.url.rsplit("/", 1)[1] for e in todo] == ["dated", "later"] and skipped == 0


def test_an_unhealthy_source_backing_off_is_not_due_and_the_report_says_until_when():
    settings = Settings()
    config = SourcesConfig(
        "sources.toml", settings, (Source("ok", "https://a.example/"), Source("down", FEED))
    )
    health = {"down": SourceState("down", consecutive_failures=settings.unhealthy_after_failures,
                                  last_attempt_at=NOW - timedelta(hours=1))}  # fmt: skip
    report = RunReport(run_id="r", started_at=NOW, db="news.duckdb", config=config)
    due = sources_due(config, health, report, now=NOW)
    assert [s.name for s in due.sources] == ["ok"]
    assert report.unhealthy_skipped["down"] > NOW
