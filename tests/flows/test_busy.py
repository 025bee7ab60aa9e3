"""A database held by another process for a whole run: the night's work is staged beside
it, merged by the next run without asking the sites again."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import duckdb
import pytest

from newsflow.demo.site import blogger_site, post_path
from storage.db import connect
from storage.staging import staged_batches, staging_dir
from tests.support.flows import run_flow, write_sources
from tests.support.processes import held_by_another_process

pytestmark = pytest.mark.usefixtures("prefect_server")


def _query(db, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _page_requests(site) -> list[str]:
    return [path for path in site.paths() if path.endswith(".html")]


def _busy_run(sources, db):
    """Runs the flow while another process holds the database read-only; returns its state."""
    with held_by_another_process(db, read_only=True):
        return run_flow(sources, db)


def _assert_staged(state, db) -> None:
    assert state.is_completed() and state.name == "Staged", (state.name, state.message)
    assert "was busy" in state.message and str(db) in state.message
    staged = staging_dir(db)
    assert len(staged_batches(staged)) >= 1
    assert list(staged.glob("*.articles.parquet"))


def test_a_busy_night_is_staged_and_merged_next_run_without_fetching_again(tmp_path, blog):
    sources = write_sources(tmp_path / "s.toml", [("kabar", blog.base_url + "/", "auto")])
    db = tmp_path / "news.duckdb"
    with connect(db):
        pass  # the file exists, so another process can hold it

    state = _busy_run(sources, db)

    _assert_staged(state, db)
    assert sorted(_page_requests(blog)) == sorted(post_path(p) for p in blog.posts)
    assert _query(db, "SELECT count(*) FROM articles") == [(0,)]
    blog.requests.clear()

    assert run_flow(sources, db).is_completed()  # released: the staged night is merged first

    assert _page_requests(blog) == []
    assert len(staged_batches(staging_dir(db))) == 0
    stored = {u for (u,) in _query(db, "SELECT url FROM articles")}
    assert stored == {blog.base_url + post_path(p) for p in blog.posts}
    assert _query(db, "SELECT count(*) FROM raw_pages") == [(len(blog.posts),)]


def test_a_busy_night_after_a_normal_one_plans_from_the_snapshot(tmp_path, blog):
    sources = write_sources(tmp_path / "s.toml", [("kabar", blog.base_url + "/", "auto")])
    db = tmp_path / "news.duckdb"
    assert run_flow(sources, db).is_completed()
    newer = [
        dataclasses.replace(
            post, slug=f"{post.slug}-lanjutan", published=post.published + timedelta(days=400)
        )
        for post in blog.posts[:2]
    ]
    blog.site = blogger_site("Kabar Dunia", [*blog.posts, *newer], blog.base_url)
    blog.requests.clear()

    state = _busy_run(sources, db)

    _assert_staged(state, db)
    # The snapshot remembered the feed (asked conditionally, no home page) and the articles
    # already stored: only the two new posts are fetched.
    feeds = [(p, h) for _, p, h in blog.requests if p != "/robots.txt" and ".html" not in p]
    assert [p for p, _ in feeds] == ["/feeds/posts/default"] and "If-None-Match" in feeds[0][1]
    assert sorted(_page_requests(blog)) == sorted(post_path(p) for p in newer)
    blog.requests.clear()

    assert run_flow(sources, db).is_completed()

    assert _page_requests(blog) == []
    assert _query(db, "SELECT count(*) FROM articles") == [(len(blog.posts) + len(newer),)]
    assert _query(db, "SELECT count(*) FROM article_versions") == [(len(blog.posts) + 2,)]
