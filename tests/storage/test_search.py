"""Full-text search on real DuckDB files: multilingual terms, BM25 ranking, filters,
and an index kept current incrementally."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extractors.search.search_terms import query_words
from flows.search_index import refresh_index
from storage import search_index
from storage.search import SearchFilters, indexed_languages, search
from storage.search_index import index_path, open_index
from storage.writes import article_rows, fetch_rows, tag_rows, write_batch
from tests.support.backends import BACKENDS, make_backend
from tests.support.search_db import page_result, write_articles
from tests.support.search_samples import ARABIC, CHINESE, ENGLISH, FRENCH, GERMAN, INDONESIAN, POSTS


@pytest.fixture
def news_db(tmp_path):
    db = tmp_path / "news.duckdb"
    write_articles(db, [page_result(p, "blog-a" if i % 2 else "blog-b") for i, p in
                        enumerate(POSTS)])  # fmt: skip
    refresh_index(str(db))
    return db


def find(db, query: str, **filters) -> list[str]:
    with open_index(index_path(db), read_only=True) as con:
        languages = [filters["language"]] if filters.get("language") else indexed_languages(con)
        terms = [v for w in query_words(query, languages) for v in w.variants]
        return [hit.title for hit in search(con, terms, SearchFilters(**filters))]


def test_founding_style_story_is_found_by_stoltenberg_brussel(news_db):
    assert find(news_db, "Stoltenberg Brussel") == [INDONESIAN.title]


def test_german_article_is_found_by_an_inflected_form(news_db):
    assert "Hochwassers" not in " ".join(GERMAN.paragraphs) + GERMAN.title
    assert find(news_db, "Hochwassers") == [GERMAN.title]


def test_arabic_and_chinese_articles_are_found_by_a_word(news_db):
    assert find(news_db, "المياه") == [ARABIC.title]
    assert find(news_db, "القاهرة") == [ARABIC.title]
    assert find(news_db, "电影节") == [CHINESE.title]
    assert find(news_db, "大剧院") == [CHINESE.title]


def test_accents_case_and_arabic_vowel_signs_are_folded(news_db):
    assert find(news_db, "ELYSEE") == [FRENCH.title]
    assert find(news_db, "élysée") == [FRENCH.title]
    assert find(news_db, "brüssel") == [INDONESIAN.title]
    assert find(news_db, "المِيَاهُ") == [ARABIC.title]  # with harakat, as in a dictionary


def test_ranking_puts_the_article_with_more_matches_first(news_db, tmp_path):
    db = tmp_path / "news.duckdb"
    once = page_result(ENGLISH, "blog-c", text="A short note: the council met. " * 3)
    once.article.url, once.article.title = "http://blog-c.test/note", "Council note"
    write_articles(db, [once])
    refresh_index(str(db))
    found = find(db, "council cycling lanes")
    assert found[:2] == [ENGLISH.title, "Council note"]


def test_filters_language_source_since_and_limit(news_db):
    assert find(news_db, "Stoltenberg", language="de") == []
    assert find(news_db, "Stoltenberg", language="id") == [INDONESIAN.title]
    assert find(news_db, "Stoltenberg", source="blog-a") == []
    assert find(news_db, "Stoltenberg", source="blog-b") == [INDONESIAN.title]
    assert find(news_db, "Hochwasser", since=datetime(2024, 3, 6, tzinfo=UTC)) == []
    assert find(news_db, "Hochwasser", since=datetime(2024, 3, 5, tzinfo=UTC)) == [GERMAN.title]
    assert len(find(news_db, "di la the und", limit=2)) == 2


def test_no_match_is_an_empty_result(news_db):
    assert find(news_db, "Quetzalcoatl") == []
    assert find(news_db, "   ...   ") == []


def test_changed_and_deleted_articles_leave_the_index(news_db):
    changed = page_result(GERMAN, "blog-a", text="Sonnenschein im ganzen Land, kein Regen.")
    write_articles(news_db, [changed], run_id="run-2")
    report = refresh_index(str(news_db))
    assert report.indexed == 1 and report.documents == len(POSTS)
    assert find(news_db, "Milliarden") == []  # the old text's words are gone
    assert find(news_db, "Sonnenschein") == [GERMAN.title]
    from storage.db import connect

    with connect(news_db) as con:
        con.execute("DELETE FROM articles WHERE url LIKE '%elysee%'")
    assert refresh_index(str(news_db)).removed == 1
    assert find(news_db, "Elysee") == []


def test_refresh_indexes_only_what_changed_and_fills_segments(news_db, monkeypatch):
    assert refresh_index(str(news_db)).indexed == 0  # nothing new: nothing done
    monkeypatch.setattr(search_index, "SEGMENT_DOCS", 4)
    extra = [page_result(ENGLISH, "bulk") for _ in range(6)]
    for n, r in enumerate(extra):
        r.article.url = f"http://bulk.test/{n}"
        r.article.text = f"Bulk story number {n} about harbour cranes."
        r.article.content_hash = f"h{n}"
    write_articles(news_db, extra, run_id="run-3")
    report = refresh_index(str(news_db))
    assert report.indexed == 6 and report.documents == len(POSTS) + 6
    with open_index(index_path(news_db), read_only=True) as con:
        segments = con.execute("SELECT segment, docs FROM segments ORDER BY 1").fetchall()
    # The first segment (6 documents, over the new limit) is left as it is; the new
    # articles fill segments of 4.
    assert segments == [(1, 6), (2, 4), (3, 2)]
    assert report.segments_rebuilt == 2
    assert len(find(news_db, "harbour cranes", limit=50)) == 6


def test_full_rebuild_gives_the_same_results(news_db):
    before = find(news_db, "Brussel Hochwasser 电影")
    assert refresh_index(str(news_db), full=True).indexed == len(POSTS)
    assert find(news_db, "Brussel Hochwasser 电影") == before


def test_index_file_sits_beside_the_database_or_the_lake_catalog(tmp_path):
    assert index_path(tmp_path / "news.duckdb") == tmp_path / "news.search.duckdb"
    assert index_path(f"ducklake:sqlite:{tmp_path}/lake.sqlite") == tmp_path / "lake.search.duckdb"
    pg = index_path("ducklake:postgres:dbname=newsflow host=127.0.0.1")
    assert str(pg) == "data/newsflow.search.duckdb"


@pytest.mark.parametrize("kind", BACKENDS)
def test_the_index_is_built_from_every_backend_beside_it(kind, tmp_path, request):
    backend = make_backend(kind, tmp_path, request)
    results = [page_result(p, "blog") for p in POSTS]
    with backend.connect() as con:
        write_batch(con, "run-1", fetch_rows("run-1", []), article_rows(results),
                    tag_rows(results, datetime.now(UTC)))  # fmt: skip
    report = refresh_index(backend.db, tmp_path / "index.search.duckdb")
    assert report.documents == len(POSTS)
    with open_index(tmp_path / "index.search.duckdb", read_only=True) as con:
        terms = [v for w in query_words("Stoltenberg Brussel", ["id"]) for v in w.variants]
        assert [h.title for h in search(con, terms)] == [INDONESIAN.title]
