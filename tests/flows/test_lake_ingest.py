"""The ingest flow into a DuckLake (SQLite catalog): same results as into a file, Parquet
files where `[storage] data_path` says, tidied after the night, history kept for --as-of."""

from __future__ import annotations

import pytest

from storage.as_of import connect_as_of
from storage.db import connect
from storage.lake import forget_engines
from tests.support.flows import LOCAL_SETTINGS, run_flow, write_sources

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_a_night_into_a_lake_then_a_night_that_adds_nothing(tmp_path, blog):
    settings = LOCAL_SETTINGS + '\n[storage]\ndata_path = "lake-files"\n'
    sources = write_sources(
        tmp_path / "sources.toml", [("kabar-dunia", blog.base_url + "/", "auto")], settings
    )
    db = f"ducklake:sqlite:{tmp_path / 'catalog.sqlite'}"
    try:
        first = run_flow(sources, db)
        second = run_flow(sources, db)
        assert first.is_completed() and second.is_completed(), (first.message, second.message)
        with connect(db, read_only=True) as con:
            articles = con.execute("SELECT count(*) FROM articles").fetchall()
            runs = con.execute("SELECT run_id, state, articles_new FROM runs ORDER BY started_at")
            runs = runs.fetchall()
            feed = con.execute("SELECT discovered_feed FROM source_health").fetchall()
        with connect_as_of(db, runs[1][0]) as (con, _):  # before the second night
            before_second = con.execute("SELECT count(*) FROM articles").fetchall()
    finally:
        forget_engines()
    assert articles == [(len(blog.posts),)]
    assert [(state, new) for _, state, new in runs] == [
        ("COMPLETED", len(blog.posts)),
        ("COMPLETED", 0),
    ]
    assert feed[0][0].endswith("/feeds/posts/default")
    assert before_second == articles
    parquet = list((tmp_path / "lake-files" / "main" / "articles").glob("*.parquet"))
    assert parquet  # the night's rows, flushed from the catalog by maintenance
    assert not list(tmp_path.glob("*.snapshot"))  # a lake needs no busy-night copy
