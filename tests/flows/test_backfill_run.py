"""`newsflow backfill`: a source just added, walked back to a date, bounded and resumable."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import duckdb

from flows.backfill import backfill
from tests.support.busy_site import BusySite, SiteShape
from tests.support.flows import LOCAL_SETTINGS, run_flow, write_sources


def _stored(db) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {url for (url,) in con.execute("SELECT url FROM articles").fetchall()}


def _run(sources, db, since, source="busy", max_pages=50):
    return asyncio.run(backfill(str(sources), str(db), since, source, max_pages, return_state=True))


def test_backfill_walks_back_to_the_date_in_bounded_runs_fetching_nothing_twice(
    tmp_path, prefect_server
):
    with BusySite("busy", SiteShape(paging="wordpress", window=10)) as site:
        site.publish(60)
        sources = write_sources(
            tmp_path / "sources.toml",
            [("busy", site.feed_url, "feed")],
            LOCAL_SETTINGS + "max_articles_per_source = 20\n",
        )
        db = tmp_path / "news.duckdb"
        assert run_flow(sources, db).is_completed()  # the source is added: its window
        assert _stored(db) == {site.url_of(p) for p in site.posts[50:]}

        since = site.posts[20].published
        first = _run(sources, db, since)
        assert first.is_completed(), first.message
        assert len(_stored(db)) == 30  # bounded: 20 articles a run
        second = _run(sources, db, since)  # run again: it goes on where it stopped
        assert second.is_completed(), second.message
        third = _run(sources, db, since)
        assert third.is_completed(), third.message

        assert _stored(db) == {site.url_of(p) for p in site.posts[20:]}  # back to the date
        pages = Counter(
            path for path in site.requests if "/feed" not in path and "robots" not in path
        )
        assert pages and max(pages.values()) == 1  # no article fetched twice
        assert any("paged=" in path for path in site.requests)
    with duckdb.connect(str(db), read_only=True) as con:
        kinds = dict(con.execute("SELECT kind, count(*) FROM fetches GROUP BY kind").fetchall())
    assert kinds["feed_page"] >= 3  # each older page read is a row of `fetches`


def test_backfill_of_an_unknown_source_fails_naming_it(tmp_path, prefect_server):
    sources = write_sources(tmp_path / "sources.toml", [("a", "http://127.0.0.1:9/feed", "feed")])
    state = _run(sources, tmp_path / "news.duckdb", datetime.now(UTC), source="nope")
    assert state.is_failed() and "'nope'" in state.message
