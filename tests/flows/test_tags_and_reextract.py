"""The seed through the real flow comes out tagged; `reextract` re-tags without any request."""

from __future__ import annotations

import asyncio

import duckdb
import pytest

from tests.support.flows import run_flow, write_sources

pytestmark = pytest.mark.usefixtures("prefect_server")

SEED_URL = "%rusia-dan-nato%"


def _tags(db, kind: str) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            r[0]
            for r in con.execute(
                "SELECT value FROM article_tags WHERE url LIKE ? AND kind = ?", [SEED_URL, kind]
            ).fetchall()
        }


def test_seed_article_is_tagged_through_the_flow(tmp_path, blog):
    sources = write_sources(
        tmp_path / "sources.toml", [("kabar-dunia", blog.base_url + "/", "auto")]
    )
    db = tmp_path / "news.duckdb"
    assert run_flow(sources, db).is_completed()

    assert _tags(db, "language") == {"id"}
    assert "NATO" in _tags(db, "org")
    assert "Jens Stoltenberg" in _tags(db, "person")
    assert {"Russia", "Ukraine", "Georgia", "Moldova", "Brussels"} <= _tags(db, "place")
    keywords = _tags(db, "keyword")
    assert any("nato" in k for k in keywords) and any("rusia" in k for k in keywords)
    with duckdb.connect(str(db), read_only=True) as con:
        tagger_rows = con.execute(
            "SELECT DISTINCT tagger, tagger_version FROM article_tags"
        ).fetchall()
        clusters = con.execute(
            "SELECT count(DISTINCT cluster_id), count(cluster_id) FROM articles"
        ).fetchall()
    assert {t for t, _ in tagger_rows} >= {"language", "entities", "keywords"}
    assert clusters == [(len(blog.posts), len(blog.posts))]  # different stories, own clusters


def test_reextract_after_a_version_change_retags_without_fetching(tmp_path, blog):
    from flows.reextract import reextract

    sources = write_sources(
        tmp_path / "sources.toml", [("kabar-dunia", blog.base_url + "/", "auto")]
    )
    db = tmp_path / "news.duckdb"
    assert run_flow(sources, db).is_completed()
    with duckdb.connect(str(db)) as con:
        # As if the entities tagger had been at an older version when these were tagged.
        con.execute("UPDATE article_taggers SET tagger_version = 'old' WHERE tagger = 'entities'")
        con.execute("UPDATE tags SET tagger_version = 'old' WHERE tagger = 'entities'")
    requests_before = len(blog.requests)

    state = asyncio.run(reextract(str(db), return_state=True))

    assert state.is_completed(), state.message
    figures = state.result()
    assert figures["stale"] == len(blog.posts) and figures["reextracted"] == len(blog.posts)
    assert len(blog.requests) == requests_before
    with duckdb.connect(str(db), read_only=True) as con:
        versions = con.execute(
            "SELECT DISTINCT tagger_version FROM article_tags WHERE tagger = 'entities'"
        ).fetchall()
    assert versions and ("old",) not in versions
    assert "NATO" in _tags(db, "org")
    second = asyncio.run(reextract(str(db), return_state=True))
    assert second.result()["stale"] == 0
