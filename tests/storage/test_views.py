"""The analysts' views on a real DuckDB file written the way the night writes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsflow.models import FetchResult
from storage.db import connect
from storage.state import save_source_states
from storage.writes import article_rows, fetch_rows, tag_rows, write_batch
from tests.support.search_db import page_result
from tests.support.search_samples import ARABIC, GERMAN, INDONESIAN

NIGHT_1 = datetime(2024, 3, 6, 2, 0, tzinfo=UTC)
NIGHT_2 = NIGHT_1 + timedelta(days=1)


def fetch(url: str, source: str, outcome: str, at: datetime) -> FetchResult:
    return FetchResult(url=url, source=source, kind="page", outcome=outcome, fetched_at=at,
                       status=200 if outcome == "ok" else 500)  # fmt: skip


def night(con, run_id: str, at: datetime, results, fetches) -> None:
    write_batch(con, run_id, fetch_rows(run_id, fetches), article_rows(results),
                tag_rows(results, at))  # fmt: skip


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "news.duckdb"
    first = [page_result(INDONESIAN, "kabar"), page_result(GERMAN, "zeitung"),
             page_result(ARABIC, "zeitung")]  # fmt: skip
    copy = page_result(INDONESIAN, "cermin")  # a repost of the same story on another blog
    updated = page_result(GERMAN, "zeitung", text="Neue Fassung: das Hochwasser ist vorbei.")
    with connect(path) as con:
        night(con, "run-1", NIGHT_1, first,
              [fetch(r.url, r.source, "ok", NIGHT_1) for r in first])  # fmt: skip
        night(con, "run-2", NIGHT_2, [copy, updated],
              [fetch(copy.url, "cermin", "ok", NIGHT_2),
               fetch(updated.url, "zeitung", "ok", NIGHT_2),
               fetch("http://zeitung.test/broken", "zeitung", "http_error", NIGHT_2)])  # fmt: skip
        con.execute("UPDATE articles SET cluster_id = 'story-1' WHERE url IN (?, ?)",
                    [first[0].url, copy.url])  # fmt: skip
        save_source_states(con, [
            {"source": "kabar", "discovered_feed": None, "last_run_id": None,
             "last_ok_at": NIGHT_1, "consecutive_failures": 0, "healthy": True,
             "last_error": None, "last_attempt_at": NIGHT_1},
            {"source": "zeitung", "discovered_feed": None, "last_run_id": None,
             "last_ok_at": NIGHT_1, "consecutive_failures": 4, "healthy": False,
             "last_error": "feed: timeout", "last_attempt_at": NIGHT_2},
            {"source": "quiet", "discovered_feed": None, "last_run_id": None,
             "last_ok_at": None, "consecutive_failures": 1, "healthy": True,
             "last_error": "home page: connect_error", "last_attempt_at": NIGHT_2},
        ])  # fmt: skip
    return path


def rows(db, sql: str) -> list[tuple]:
    with connect(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_latest_articles_has_one_row_per_story_newest_first(db):
    found = rows(db, "SELECT title, source, cluster_size, sources, language FROM latest_articles")
    assert found == [
        (INDONESIAN.title, "kabar", 2, 2, "id"),  # 2024-03-06; the first copy seen stands for it
        (GERMAN.title, "zeitung", 1, 1, "de"),  # 2024-03-05
        (ARABIC.title, "zeitung", 1, 1, "ar"),  # 2024-02-20
    ]


def test_daily_counts_per_day_source_and_language(db):
    found = rows(db, "SELECT day::VARCHAR, source, language, articles FROM daily_counts")
    assert found == [
        ("2024-03-06", "cermin", "id", 1),
        ("2024-03-06", "kabar", "id", 1),
        ("2024-03-05", "zeitung", "de", 1),
        ("2024-02-20", "zeitung", "ar", 1),
    ]


def test_source_status_tells_each_sources_last_night(db):
    found = rows(db, "SELECT source, last_run_id, requests, fetched, new, updated, failed, health,"
                     " consecutive_failures FROM source_status")  # fmt: skip
    assert found == [
        ("cermin", "run-2", 1, 1, 1, 0, 0, "never recorded", None),
        ("kabar", "run-1", 1, 1, 1, 0, 0, "healthy", 0),
        ("quiet", None, 0, 0, 0, 0, 0, "failing", 1),
        ("zeitung", "run-2", 2, 1, 0, 1, 1, "unhealthy", 4),
    ]


def test_views_exist_in_a_fresh_database(tmp_path):
    path = tmp_path / "fresh.duckdb"
    with connect(path) as con:
        for view in ("latest_articles", "daily_counts", "source_status"):
            assert con.execute(f"SELECT count(*) FROM {view}").fetchall() == [(0,)]


def test_source_status_counts_gaps_zero_when_never(db):
    with connect(db) as con:
        save_source_states(con, [{"source": "kabar", "gaps": 2, "last_gap_at": NIGHT_2}])
    found = rows(db, "SELECT source, gaps, last_gap_at FROM source_status")
    assert found == [("cermin", 0, None), ("kabar", 2, NIGHT_2), ("quiet", 0, None),
                     ("zeitung", 0, None)]  # fmt: skip
