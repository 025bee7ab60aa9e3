"""All 115 corpus pages, served on 127.0.0.1 behind a feed, through the real flow."""

from __future__ import annotations

import duckdb
import pytest

from newsflow.demo.site import SiteServer
from tests.support.corpus_site import corpus_site
from tests.support.flows import run_flow, write_sources

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_corpus_pages_all_land_with_their_text(tmp_path, corpus_dir, pages_index):
    with SiteServer(lambda base: corpus_site(corpus_dir, base)) as server:
        sources = write_sources(
            tmp_path / "sources.toml", [("corpus", server.base_url + "/section0/feed.xml", "feed")]
        )
        db = tmp_path / "news.duckdb"
        state = run_flow(sources, db)
    assert state.is_completed(), state.message
    with duckdb.connect(str(db), read_only=True) as con:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        pages = con.execute("SELECT count(*) FROM fetches WHERE kind = 'page'").fetchone()[0]
        lost = con.execute("""SELECT url, outcome, error FROM fetches WHERE kind = 'page'
            AND url NOT IN (SELECT url FROM articles)""").fetchall()
    assert pages == len(pages_index)
    # Every page is either an article or a fetches row saying why it is not one.
    assert articles + len(lost) == pages
    assert all(outcome != "ok" and error for _, outcome, error in lost)
    assert articles >= len(pages_index) - 3
