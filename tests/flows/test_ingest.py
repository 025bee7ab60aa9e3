"""The ingest flow end to end: a Blogger blog on 127.0.0.1, a real Prefect server, DuckDB."""

from __future__ import annotations

import dataclasses
import zlib
from datetime import timedelta

import duckdb
import pytest

from newsflow.demo.site import blogger_site, post_path
from tests.support.flows import run_flow, write_sources

pytestmark = pytest.mark.usefixtures("prefect_server")


def _query(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_blog_added_by_home_page_is_discovered_fetched_and_stored(tmp_path, blog):
    sources = write_sources(
        tmp_path / "sources.toml", [("kabar-dunia", blog.base_url + "/", "auto")]
    )
    db = tmp_path / "news.duckdb"

    state = run_flow(sources, db)

    assert state.is_completed(), state.message
    (title, author, published, language, text, canonical) = _query(
        db,
        """
        SELECT title, author, published_at, language, text, canonical_url FROM articles
        WHERE url LIKE '%rusia-dan-nato%'""",
    )[0]
    assert title == "Rusia dan NATO Bertemu di Brussel"
    assert author == "Admin Kabar Dunia"
    assert published.date().isoformat() == "2022-01-13"
    assert language == "id"
    assert "Sekretaris Jenderal NATO Jens Stoltenberg" in text
    assert "Post a Comment" not in text and "No comments" not in text
    assert canonical.endswith(post_path(blog.posts[0]))
    assert _query(db, "SELECT count(*) FROM articles") == [(len(blog.posts),)]
    assert _query(db, "SELECT state, articles_new FROM runs") == [("COMPLETED", len(blog.posts))]
    assert _query(db, "SELECT discovered_feed FROM source_health")[0][0].endswith(
        "/feeds/posts/default"
    )
    # Each page's raw HTML is kept as the server sent it, byte for byte.
    raw = {
        url: zlib.decompress(html)
        for url, html in _query(db, "SELECT url, html_zlib FROM raw_pages")
    }
    served = {blog.base_url + post_path(p): blog.site.files[post_path(p)][1] for p in blog.posts}
    assert raw == served


def test_second_run_sends_only_a_conditional_feed_request_and_adds_nothing(tmp_path, blog):
    sources = write_sources(
        tmp_path / "sources.toml", [("kabar-dunia", blog.base_url + "/", "auto")]
    )
    db = tmp_path / "news.duckdb"
    assert run_flow(sources, db).is_completed()
    first = _query(db, "SELECT count(*) FROM articles")
    blog.requests.clear()

    state = run_flow(sources, db)

    assert state.is_completed(), state.message
    assert [path for _, path, _ in blog.requests] == ["/feeds/posts/default"]
    assert "If-None-Match" in blog.requests[0][2]
    assert _query(db, "SELECT count(*) FROM articles") == first
    assert _query(
        db,
        "SELECT outcome FROM fetches WHERE run_id = ("
        "SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1)",
    ) == [("not_modified",)]


def test_a_changed_post_is_fetched_again_and_versioned(tmp_path, blog):
    sources = write_sources(
        tmp_path / "sources.toml", [("kabar-dunia", blog.base_url + "/", "auto")]
    )
    db = tmp_path / "news.duckdb"
    assert run_flow(sources, db).is_completed()
    edited = dataclasses.replace(
        blog.posts[1],
        paragraphs=(*blog.posts[1].paragraphs, "Pembaruan: rapat ditunda."),
        published=blog.posts[1].published + timedelta(hours=1),
    )
    blog.site = blogger_site("Kabar Dunia", [blog.posts[0], edited, *blog.posts[2:]], blog.base_url)
    blog.requests.clear()

    assert run_flow(sources, db).is_completed()

    page_requests = [p for p in blog.paths() if p.endswith(".html")]
    assert page_requests == [post_path(edited)]
    assert _query(db, f"SELECT versions FROM articles WHERE url LIKE '%{edited.slug}%'") == [(2,)]
    assert _query(db, "SELECT count(*) FROM article_versions") == [(len(blog.posts) + 1,)]


def test_bad_sources_are_recorded_and_the_rest_goes_on(tmp_path, blog):
    sources = write_sources(
        tmp_path / "sources.toml",
        [
            ("good", blog.base_url + "/feeds/posts/default", "feed"),
            ("missing-feed", blog.base_url + "/no/such/feed.xml", "feed"),
            ("not-a-feed", blog.base_url + "/robots.txt", "feed"),
        ],
    )
    db = tmp_path / "news.duckdb"

    state = run_flow(sources, db)

    assert state.is_completed(), state.message
    outcomes = dict(_query(db, "SELECT source, outcome FROM fetches WHERE kind = 'feed'"))
    assert outcomes == {"good": "ok", "missing-feed": "gone", "not-a-feed": "not_a_feed"}
    assert _query(db, "SELECT count(*) FROM articles WHERE source = 'good'") == [(len(blog.posts),)]
    assert _query(db, "SELECT sources_failed FROM runs") == [(2,)]


def test_every_source_failing_fails_the_run(tmp_path, blog):
    sources = write_sources(
        tmp_path / "sources.toml", [("missing", blog.base_url + "/nothing.xml", "feed")]
    )
    state = run_flow(sources, tmp_path / "news.duckdb")
    assert state.is_failed()
    assert "missing" in state.message


def test_a_config_mistake_fails_fast_naming_file_and_line(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[sources]]\nname = "x"\nurl = "https://x.example/"\nkind = "rss"\n')
    state = run_flow(sources, tmp_path / "news.duckdb")
    assert state.is_failed()
    assert f"{sources}:4" in state.message and "kind" in state.message


def test_a_database_that_cannot_be_opened_fails_fast_naming_the_parameter(tmp_path, blog):
    sources = write_sources(tmp_path / "sources.toml", [("blog", blog.base_url + "/", "auto")])
    (tmp_path / "a-file").write_text("")
    state = run_flow(sources, tmp_path / "a-file" / "news.duckdb")
    assert state.is_failed()
    assert state.message.startswith("parameter 'db': ") and "a-file" in state.message
    assert not blog.requests  # nothing fetched for a night that can't be stored
