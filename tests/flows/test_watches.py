"""Matching the night's articles against the watches (flows.watches.match_night) on real
DuckDB files and a DuckLake: bad input, many watches, every script, warnings."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from flows.search_index import refresh_index
from flows.watches import MAX_EVENT_ARTICLES, event_payload, match_night, watches_markdown
from newsflow.models import Watch
from storage.db import connect
from storage.lake import forget_engines
from storage.watches import watch_totals
from storage.writes import write_batch
from tests.support.batches import batch_rows, stored_article
from tests.support.search_db import page_result, write_articles
from tests.support.search_samples import ARABIC, CHINESE, ENGLISH, FRENCH, GERMAN, INDONESIAN, POSTS


def night(db, run_id: str, posts, source: str = "blog-a") -> None:
    write_articles(db, [page_result(p, source) for p in posts], run_id)
    refresh_index(str(db))


def rows(db, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_watch_in_every_script_finds_its_article(tmp_path):
    db = tmp_path / "news.duckdb"
    night(db, "run-1", POSTS)
    watches = (
        Watch("id", "Stoltenberg Brussel"), Watch("de", "Hochwassers"), Watch("ar", "المِيَاهُ"),
        Watch("zh", "电影节"), Watch("fr", "ELYSEE"), Watch("en", "cycling"),
    )  # fmt: skip
    report = match_night(str(db), "run-1", watches)
    found = {name: [m.title for m in matches] for name, matches in report.new.items()}
    assert found == {
        "id": [INDONESIAN.title], "de": [GERMAN.title], "ar": [ARABIC.title],
        "zh": [CHINESE.title], "fr": [FRENCH.title], "en": [ENGLISH.title],
    }  # fmt: skip
    assert report.warnings == [] and report.articles == len(POSTS)


def test_later_nights_add_nothing_for_an_article_matched_once(tmp_path):
    db = tmp_path / "news.duckdb"
    watch = (Watch("nato", "Stoltenberg"),)
    night(db, "run-1", [INDONESIAN, GERMAN])
    assert [m.title for m in match_night(str(db), "run-1", watch).new["nato"]] == [INDONESIAN.title]
    edited = INDONESIAN.__class__(**{**INDONESIAN.__dict__, "title": "Stoltenberg lagi"})
    night(db, "run-2", [edited])  # the same URL, changed: in run-2's night, matched before
    assert match_night(str(db), "run-2", watch).new == {}
    assert rows(db, "SELECT watch, run_id FROM watch_matches") == [("nato", "run-1")]


def test_a_watch_that_cannot_be_evaluated_is_a_warning_and_the_others_run(tmp_path):
    db = tmp_path / "news.duckdb"
    night(db, "run-1", POSTS)
    watches = (Watch("nothing", "_"), Watch("nato", "Stoltenberg"))
    report = match_night(str(db), "run-1", watches)
    assert report.warnings == ["watch nothing not evaluated: no word to search for in '_'"]
    assert list(report.new) == ["nato"]
    assert "> watch nothing not evaluated" in watches_markdown(report)
    elsewhere = tmp_path / "missing.search.duckdb"
    night(db, "run-2", [])
    write_articles(db, [page_result(ENGLISH, "blog-b")], "run-3")
    missing = match_night(str(db), "run-3", watches, index=elsewhere)
    assert missing.warnings == [
        f"watch {w.name} not evaluated: no search index at {elsewhere}" for w in watches
    ]
    assert missing.new == {}


def test_a_damaged_index_is_a_warning_for_each_watch(tmp_path):
    db = tmp_path / "news.duckdb"
    night(db, "run-1", [INDONESIAN])
    broken = tmp_path / "broken.search.duckdb"
    broken.write_bytes(b"not a search index" * 100)
    report = match_night(str(db), "run-1", (Watch("a", "Stoltenberg"), Watch("b", "Brussel")),
                         index=broken)  # fmt: skip
    assert [w.split(":")[0] for w in report.warnings] == [
        "watch a not evaluated", "watch b not evaluated"
    ]  # fmt: skip
    assert all(str(broken) in w for w in report.warnings) and report.new == {}


def test_a_removed_watchs_matches_stay_queryable(tmp_path):
    db = tmp_path / "news.duckdb"
    night(db, "run-1", [INDONESIAN])
    match_night(str(db), "run-1", (Watch("nato", "Stoltenberg"),))
    night(db, "run-2", [GERMAN])
    match_night(str(db), "run-2", (Watch("floods", "Hochwasser"),))  # nato left the file
    with connect(db, read_only=True) as con:
        totals = watch_totals(con)
    assert {name: total[0] for name, total in totals.items()} == {"nato": 1, "floods": 1}
    assert rows(db, "SELECT watch, matches FROM watch_digest ORDER BY watch") == [
        ("floods", 1), ("nato", 1)
    ]  # fmt: skip


def test_a_query_matching_everything_over_10000_articles(tmp_path):
    db = tmp_path / "news.duckdb"
    articles = [
        stored_article(f"https://b.example/{i}", f"dan berita nomor {i} hari ini")
        for i in range(10_000)
    ]
    with connect(db) as con:
        for start in range(0, len(articles), 2_500):
            write_batch(con, "run-1", *batch_rows("run-1", articles[start : start + 2_500]))
    refresh_index(str(db))
    watch = Watch("everything", "dan")  # an Indonesian stop word: in every article
    report = match_night(str(db), "run-1", (watch,))
    assert len(report.new["everything"]) == 10_000
    assert rows(db, "SELECT count(*) FROM watch_matches") == [(10_000,)]
    payload = event_payload(watch, "run-1", report.new["everything"])
    assert payload["count"] == 10_000 and len(payload["articles"]) == MAX_EVENT_ARTICLES
    summary = watches_markdown(report)
    assert summary.count("\n- [") == 20 and "9980 more" in summary


def test_a_thousand_watches_each_find_their_article(tmp_path):
    db = tmp_path / "news.duckdb"
    words = [f"kata{n}x" for n in range(1_000)]
    articles = [stored_article(f"https://b.example/{n}", f"berita {w}") for n, w in
                enumerate(words)]  # fmt: skip
    with connect(db) as con:
        write_batch(con, "run-1", *batch_rows("run-1", articles))
    refresh_index(str(db))
    watches = tuple(Watch(f"w-{n}", w) for n, w in enumerate(words))
    report = match_night(str(db), "run-1", watches)
    assert {name: [m.url for m in found] for name, found in report.new.items()} == {
        f"w-{n}": [f"https://b.example/{n}"] for n in range(1_000)
    }
    assert rows(db, "SELECT count(DISTINCT watch) FROM watch_matches") == [(1_000,)]


def test_matching_on_a_lake_records_once(tmp_path):
    db = f"ducklake:sqlite:{tmp_path / 'catalog.sqlite'}"
    data = str(tmp_path / "lake") + "/"
    try:
        for run_id, posts in (("run-1", [INDONESIAN]), ("run-2", [INDONESIAN, GERMAN])):
            text = "Stoltenberg lagi" if run_id == "run-2" else None
            results = [page_result(p, "blog-a", text if p is INDONESIAN else None) for p in posts]
            with connect(db, data_path=data) as con:
                write_articles_to(con, run_id, results)
            refresh_index(db, tmp_path / "lake.search.duckdb")
            index = tmp_path / "lake.search.duckdb"
            report = match_night(db, run_id, (Watch("nato", "Stoltenberg"),), index=index)
            assert {k: len(v) for k, v in report.new.items()} == (
                {"nato": 1} if run_id == "run-1" else {}
            )
        with connect(db, read_only=True) as con:
            assert con.execute("SELECT watch, run_id FROM watch_matches").fetchall() == [
                ("nato", "run-1")
            ]
    finally:
        forget_engines()


def write_articles_to(con, run_id: str, results) -> None:
    from storage.writes import article_rows, fetch_rows, tag_rows

    write_batch(con, run_id, fetch_rows(run_id, []), article_rows(results),
                tag_rows(results, datetime.now(UTC)))  # fmt: skip


@pytest.mark.parametrize("count", [0, 1, MAX_EVENT_ARTICLES + 1])
def test_the_event_payload_is_bounded_and_counts_all(count):
    from storage.watches import WatchMatch

    matches = [WatchMatch("w", f"https://b.example/{n}", 1.0, "T" * 1_000, "blog", None)
               for n in range(count)]  # fmt: skip
    payload = event_payload(Watch("w", "q"), "run-1", matches)
    assert payload["count"] == count
    assert len(payload["articles"]) == min(count, MAX_EVENT_ARTICLES)
    assert all(len(a["title"]) == 300 for a in payload["articles"])
