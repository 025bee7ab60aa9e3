"""Watches on every backend: only the night's articles are looked at, filters hold, and
an article matches a watch once ever (`watch_matches`, `watch_digest`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from extractors.search.search_terms import query_words
from flows.search_index import refresh_index
from storage.search import indexed_languages, search
from storage.search_index import open_index
from storage.transaction import in_transaction
from storage.watches import (
    NightIndex,
    WatchFilters,
    WatchQuery,
    night_articles,
    record_matches,
    watch_totals,
)
from storage.writes import article_rows, fetch_rows, tag_rows, write_batch
from tests.support.search_db import page_result
from tests.support.search_samples import ENGLISH, GERMAN, INDONESIAN, POSTS

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def store(backend, run_id: str, results) -> None:
    with backend.connect() as con:
        write_batch(con, run_id, fetch_rows(run_id, []), article_rows(results),
                    tag_rows(results, datetime.now(UTC)))  # fmt: skip


def find(backend, index, run_id: str, query: str, filters=None) -> list[str]:
    with backend.connect(read_only=True) as con:
        urls, tags = night_articles(con, run_id)
    with open_index(index, read_only=True) as idx:
        night = NightIndex(idx, urls, tags)
        terms = [v for w in query_words(query, ["id", "de", "en"]) for v in w.variants]
        found = night.matches([WatchQuery("w", tuple(terms), filters or WatchFilters())])
        night.close()
    return [m.title for m in found]


@pytest.fixture
def two_nights(backend, tmp_path):
    """Run-1 brought the Indonesian and German posts, run-2 the others; indexed."""
    early = [page_result(p, "blog-a") for p in (INDONESIAN, GERMAN)]
    store(backend, "run-1", early)
    store(backend, "run-2", [page_result(p, "blog-b") for p in POSTS if p not in
                             (INDONESIAN, GERMAN)])  # fmt: skip
    index = tmp_path / "news.search.duckdb"
    refresh_index(backend.db, index)
    return backend, index


def test_a_watch_looks_only_at_its_nights_articles(two_nights):
    backend, index = two_nights
    assert find(backend, index, "run-1", "Stoltenberg Brussel") == [INDONESIAN.title]
    assert find(backend, index, "run-2", "Stoltenberg Brussel") == []
    assert find(backend, index, "run-2", "cycling lanes") == [ENGLISH.title]
    assert find(backend, index, "run-3", "cycling lanes") == []  # a night that brought nothing


def test_filters_language_source_since_and_tags_must_all_hold(two_nights):
    backend, index = two_nights
    both = "Stoltenberg Hochwasser"
    assert len(find(backend, index, "run-1", both)) == 2
    assert find(backend, index, "run-1", both, WatchFilters(language="de")) == [GERMAN.title]
    assert find(backend, index, "run-1", both, WatchFilters(source="blog-b")) == []
    late = max(INDONESIAN.published, GERMAN.published) + timedelta(days=1)
    assert find(backend, index, "run-1", both, WatchFilters(since=late)) == []
    by_tag = WatchFilters(tags=(("language", "ID"),))  # a language tag by its code, any case
    assert find(backend, index, "run-1", both, by_tag) == [INDONESIAN.title]
    two_tags = WatchFilters(tags=(("language", "id"), ("person", "Jens Stoltenberg")))
    assert find(backend, index, "run-1", both, two_tags) == []  # no person tag stored


def test_an_article_matches_a_watch_once_ever(two_nights):
    backend, index = two_nights
    with backend.connect(read_only=True) as con:
        urls, tags = night_articles(con, "run-1")
    with open_index(index, read_only=True) as idx:
        night = NightIndex(idx, urls, tags)
        terms = [v for w in query_words("Stoltenberg", ["id"]) for v in w.variants]
        found = night.matches([WatchQuery("nato", tuple(terms))])
        night.close()
    queries = {"nato": "Stoltenberg"}
    with backend.connect() as con:
        first = in_transaction(con, lambda: record_matches(con, "run-1", queries, found, NOW))
        again = in_transaction(con, lambda: record_matches(con, "run-2", queries, found, NOW))
        rows = con.execute("SELECT watch, url, run_id, matched_at, query FROM watch_matches")
        rows = rows.fetchall()
        digest = con.execute("SELECT * FROM watch_digest").fetchall()
        totals = watch_totals(con)
    assert [m.title for m in first] == [INDONESIAN.title] and again == []
    assert rows == [("nato", found[0].url, "run-1", NOW, "Stoltenberg")]
    assert digest == [("nato", NOW.date(), 1)]
    assert totals == {"nato": (1, NOW, INDONESIAN.title)}


def test_a_changed_article_is_in_its_night_but_matches_no_more(two_nights, tmp_path):
    backend, index = two_nights
    edited = replace(INDONESIAN, paragraphs=(*INDONESIAN.paragraphs, "Stoltenberg lagi."))
    store(backend, "run-3", [page_result(edited, "blog-a")])
    refresh_index(backend.db, index)
    assert find(backend, index, "run-3", "Stoltenberg") == [INDONESIAN.title]
    with backend.connect(read_only=True) as con:
        urls, _ = night_articles(con, "run-3")
    assert urls.num_rows == 1  # only the changed article, not the night of run-1 again


def test_scores_are_the_ones_search_gives_and_each_watch_keeps_its_own(two_nights):
    backend, index = two_nights
    with backend.connect(read_only=True) as con:
        urls, tags = night_articles(con, "run-1")
    with open_index(index, read_only=True) as idx:
        languages = indexed_languages(idx)
        terms = {q: tuple(v for w in query_words(q, languages) for v in w.variants)
                 for q in ("Stoltenberg Brussel", "Hochwasser", "Brussel")}  # fmt: skip
        expected = {h.url: h.score for h in search(idx, list(terms["Stoltenberg Brussel"]))}
        night = NightIndex(idx, urls, tags)
        found = night.matches([WatchQuery(q, t) for q, t in terms.items()])
        night.close()
    by_watch = {}
    for m in found:
        by_watch.setdefault(m.watch, []).append(m)
    assert {w: [m.title for m in ms] for w, ms in by_watch.items()} == {
        "Stoltenberg Brussel": [INDONESIAN.title],
        "Hochwasser": [GERMAN.title],
        "Brussel": [INDONESIAN.title],
    }
    [nato] = by_watch["Stoltenberg Brussel"]
    assert nato.score == pytest.approx(expected[nato.url], rel=1e-9)
    assert by_watch["Brussel"][0].score < nato.score  # one of the two words: a lower score
