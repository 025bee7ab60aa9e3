"""Matching the night's articles against the watches (flows.watches.match_night) on real
DuckDB files and DuckLakes (SQLite and PostgreSQL catalogs): bad input, many watches,
every script, warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.search_index import refresh_index
from flows.watches import MAX_EVENT_ARTICLES, event_payload, match_night, watches_markdown
from newsflow.models import Watch
from storage.db import connect
from storage.lake import forget_engines
from storage.watches import watch_totals
from storage.writes import write_batch
from tests.support.backends import Backend
from tests.support.batches import batch_rows, stored_article
from tests.support.search_db import page_result, write_articles_to
from tests.support.search_samples import ARABIC, CHINESE, ENGLISH, FRENCH, GERMAN, INDONESIAN, POSTS

# A big night, every article matched: 10,000 on the file; on a lake (a third slower, ~4 s
# more) enough for two write batches and two index chunks.
EVERYTHING = {"file": 10_000, "ducklake-sqlite": 2_600, "ducklake-postgres": 2_600}
FILE_ONLY = pytest.mark.parametrize("backend", ["file"], indirect=True)


def index_of(backend: Backend) -> Path:
    """Returns the backend's search index, in its test folder (a PostgreSQL catalog's
    default index would be in ./data/)."""
    return Path(backend.data_path or backend.db).parent / "news.search.duckdb"


def store(backend: Backend, run_id: str, results) -> None:
    with backend.connect() as con:
        write_articles_to(con, run_id, results)


def night(backend: Backend, run_id: str, posts, source: str = "blog-a") -> None:
    store(backend, run_id, [page_result(p, source) for p in posts])
    refresh_index(backend.db, index_of(backend))


def match(backend: Backend, run_id: str, watches, index: Path | None = None):
    return match_night(backend.db, run_id, watches, index=index or index_of(backend))


def rows(backend: Backend, sql: str) -> list[tuple]:
    with backend.connect(read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_watch_in_every_script_finds_its_article(backend):
    night(backend, "run-1", POSTS)
    watches = (
        Watch("id", "Stoltenberg Brussel"), Watch("de", "Hochwassers"), Watch("ar", "المِيَاهُ"),
        Watch("zh", "电影节"), Watch("fr", "ELYSEE"), Watch("en", "cycling"),
    )  # fmt: skip
    report = match(backend, "run-1", watches)
    found = {name: [m.title for m in matches] for name, matches in report.new.items()}
    assert found == {
        "id": [INDONESIAN.title], "de": [GERMAN.title], "ar": [ARABIC.title],
        "zh": [CHINESE.title], "fr": [FRENCH.title], "en": [ENGLISH.title],
    }  # fmt: skip
    assert report.warnings == [] and report.articles == len(POSTS)


@FILE_ONLY  # on a lake: test_matching_on_a_lake_records_once
def test_later_nights_add_nothing_for_an_article_matched_once(backend):
    watch = (Watch("nato", "Stoltenberg"),)
    night(backend, "run-1", [INDONESIAN, GERMAN])
    assert [m.title for m in match(backend, "run-1", watch).new["nato"]] == [INDONESIAN.title]
    edited = INDONESIAN.__class__(**{**INDONESIAN.__dict__, "title": "Stoltenberg lagi"})
    night(backend, "run-2", [edited])  # the same URL, changed: in run-2's night, matched before
    assert match(backend, "run-2", watch).new == {}
    assert rows(backend, "SELECT watch, run_id FROM watch_matches") == [("nato", "run-1")]


def test_a_watch_that_cannot_be_evaluated_is_a_warning_and_the_others_run(backend, tmp_path):
    night(backend, "run-1", POSTS)
    watches = (Watch("nothing", "_"), Watch("nato", "Stoltenberg"))
    report = match(backend, "run-1", watches)
    assert report.warnings == ["watch nothing not evaluated: no word to search for in '_'"]
    assert list(report.new) == ["nato"]
    assert "> watch nothing not evaluated" in watches_markdown(report)
    elsewhere = tmp_path / "missing.search.duckdb"
    night(backend, "run-2", [])
    store(backend, "run-3", [page_result(ENGLISH, "blog-b")])
    missing = match(backend, "run-3", watches, index=elsewhere)
    assert missing.warnings == [
        f"watch {w.name} not evaluated: no search index at {elsewhere}" for w in watches
    ]
    assert missing.new == {}


@FILE_ONLY
def test_a_damaged_index_is_a_warning_for_each_watch(backend, tmp_path):
    night(backend, "run-1", [INDONESIAN])
    broken = tmp_path / "broken.search.duckdb"
    broken.write_bytes(b"not a search index" * 100)
    report = match(backend, "run-1", (Watch("a", "Stoltenberg"), Watch("b", "Brussel")),
                   index=broken)  # fmt: skip
    assert [w.split(":")[0] for w in report.warnings] == [
        "watch a not evaluated", "watch b not evaluated"
    ]  # fmt: skip
    assert all(str(broken) in w for w in report.warnings) and report.new == {}


def test_a_removed_watchs_matches_stay_queryable(backend):
    night(backend, "run-1", [INDONESIAN])
    match(backend, "run-1", (Watch("nato", "Stoltenberg"),))
    night(backend, "run-2", [GERMAN])
    match(backend, "run-2", (Watch("floods", "Hochwasser"),))  # nato left the file
    with backend.connect(read_only=True) as con:
        totals = watch_totals(con)
    assert {name: total[0] for name, total in totals.items()} == {"nato": 1, "floods": 1}
    assert rows(backend, "SELECT watch, matches FROM watch_digest ORDER BY watch") == [
        ("floods", 1), ("nato", 1)
    ]  # fmt: skip


def test_a_query_matching_every_article_of_a_big_night(backend):
    count = EVERYTHING[backend.name]
    articles = [
        stored_article(f"https://b.example/{i}", f"dan berita nomor {i} hari ini")
        for i in range(count)
    ]
    with backend.connect() as con:
        for start in range(0, len(articles), 2_500):
            write_batch(con, "run-1", *batch_rows("run-1", articles[start : start + 2_500]))
    refresh_index(backend.db, index_of(backend))
    watch = Watch("everything", "dan")  # an Indonesian stop word: in every article
    report = match(backend, "run-1", (watch,))
    assert len(report.new["everything"]) == count
    assert rows(backend, "SELECT count(*) FROM watch_matches") == [(count,)]
    payload = event_payload(watch, "run-1", report.new["everything"])
    assert payload["count"] == count and len(payload["articles"]) == MAX_EVENT_ARTICLES
    summary = watches_markdown(report)
    assert summary.count("\n- [") == 20 and f"{count - 20} more" in summary


@FILE_ONLY
def test_a_thousand_watches_each_find_their_article(backend):
    words = [f"kata{n}x" for n in range(1_000)]
    articles = [stored_article(f"https://b.example/{n}", f"berita {w}") for n, w in
                enumerate(words)]  # fmt: skip
    with backend.connect() as con:
        write_batch(con, "run-1", *batch_rows("run-1", articles))
    refresh_index(backend.db, index_of(backend))
    watches = tuple(Watch(f"w-{n}", w) for n, w in enumerate(words))
    report = match(backend, "run-1", watches)
    assert {name: [m.url for m in found] for name, found in report.new.items()} == {
        f"w-{n}": [f"https://b.example/{n}"] for n in range(1_000)
    }
    assert rows(backend, "SELECT count(DISTINCT watch) FROM watch_matches") == [(1_000,)]


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


@pytest.mark.parametrize("count", [0, 1, MAX_EVENT_ARTICLES + 1])
def test_the_event_payload_is_bounded_and_counts_all(count):
    from storage.watches import WatchMatch

    matches = [WatchMatch("w", f"https://b.example/{n}", 1.0, "T" * 1_000, "blog", None)
               for n in range(count)]  # fmt: skip
    payload = event_payload(Watch("w", "q"), "run-1", matches)
    assert payload["count"] == count
    assert len(payload["articles"]) == min(count, MAX_EVENT_ARTICLES)
    assert all(len(a["title"]) == 300 for a in payload["articles"])
