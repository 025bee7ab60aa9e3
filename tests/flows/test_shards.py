"""A sharded night without a work pool: `ingest(shards=N)` runs its shards as processes of
this machine, writing into one DuckLake at once, then clusters and records the night once.

Real parts: blogs on 127.0.0.1 (one port each, so one host each), the session's Prefect
test server, DuckLake with its catalog in SQLite, real shard processes.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from flows.shard_plan import plan_shards
from newsflow.demo.site import post_path
from storage.db import connect
from storage.lake import forget_engines
from tests.support.many_blogs import many_blogs, shared_post

pytestmark = pytest.mark.usefixtures("prefect_server")


def _ingest(sources, db, shards: int):
    from flows.ingest import ingest

    return asyncio.run(ingest(str(sources), db, shards, return_state=True))


def _rows(db: str, sql: str, *params):
    with connect(db, read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture
def lake(tmp_path):
    """A DuckLake to be, its catalog in SQLite; the night creates it, its Parquet files in
    data/lake/ beside the sources file ([storage] data_path's default)."""
    yield f"ducklake:sqlite:{tmp_path / 'catalog.sqlite'}"
    forget_engines()


def test_shards_with_a_database_file_fail_at_once_saying_they_need_ducklake(tmp_path, blog):
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[sources]]\nname = "b"\nurl = "{blog.base_url}/"\n')
    db = tmp_path / "news.duckdb"

    state = _ingest(sources, str(db), 3)

    assert state.is_failed()
    assert state.message.startswith("parameter 'shards': 3 shards")
    assert "DuckLake" in state.message and "ducklake:postgres:" in state.message
    assert not db.exists() and blog.requests == []  # refused before anything was done


def _artifacts(flow_run_id) -> dict[str, str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async def read():
        async with get_client() as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])
                )
            )

    return {a.key: a.data for a in asyncio.run(read())}


def test_a_night_in_three_local_shards_stores_every_page_once_and_clusters_across_them(
    tmp_path, lake
):
    # A wire story reposted word for word by blog00 and blog05: shards that clustered on
    # their own could not see each other's copy; the night clusters once, after them.
    story = shared_post(1)
    with many_blogs(6, 8, extra={0: [story], 5: [story]}) as blogs:
        sources = blogs.write_sources(tmp_path / "sources.toml")
        urls = {name: s.base_url + "/feeds/posts/default" for name, s in blogs.servers.items()}
        planned = [(n, blogs.servers[n].base_url + post_path(p)) for n in urls
                   for p in blogs.posts[n]]  # fmt: skip
        split = plan_shards(urls, planned, 3)
        assert len([s for s in split if {"blog00", "blog05"} & set(s.sources)]) == 2

        state = _ingest(sources, lake, 3)
        copies = {n: blogs.servers[n].base_url + post_path(story) for n in ("blog00", "blog05")}

    assert state.is_completed(), state.message
    run_id = str(state.state_details.flow_run_id)
    stored = _rows(lake, "SELECT url, count(*) FROM articles GROUP BY url")
    assert {url for url, _ in stored} == blogs.page_urls()
    assert all(n == 1 for _, n in stored)
    # Each shard counted its pages in their sources' memory of recurring lines.
    assert _rows(lake, "SELECT count(*) FROM furniture_pages") == [(blogs.pages,)]
    page_fetches = _rows(lake, "SELECT url, count(*) FROM fetches WHERE kind = 'page' GROUP BY 1")
    assert len(page_fetches) == blogs.pages and all(n == 1 for _, n in page_fetches)
    assert _rows(lake, "SELECT DISTINCT run_id FROM article_versions") == [(run_id,)]
    assert _rows(lake, "SELECT run_id, state, articles_new FROM runs") == [
        (run_id, "COMPLETED", blogs.pages)
    ]
    clusters = dict(_rows(lake, "SELECT url, cluster_id FROM articles"))
    assert clusters[copies["blog00"]] == clusters[copies["blog05"]]
    assert len(set(clusters.values())) == blogs.pages - 1  # every other article on its own
    # One summary across shards: a row per shard, every source's counts.
    found = _artifacts(state.state_details.flow_run_id)
    shards = json.loads(found["ingest-shards"])
    assert [s["shard"] for s in shards] == ["1 of 3", "2 of 3", "3 of 3"]
    assert all(s["state"] == "COMPLETED" and "local process" in s["worker"] for s in shards)
    assert sum(s["pages_done"] for s in shards) == blogs.pages
    per_source = {r["source"]: r["new"] for r in json.loads(found["ingest-sources"])}
    assert per_source == {name: len(posts) for name, posts in blogs.posts.items()}
    assert "## Shards" in found["ingest-summary"] and "| 3 of 3 |" in found["ingest-summary"]
