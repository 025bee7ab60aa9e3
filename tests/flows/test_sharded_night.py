"""A sharded night for real: a Prefect server, three process workers, DuckLake on PostgreSQL.

24 blogs on 127.0.0.1, one port each (24 hosts to politeness), 42 posts each: 1,008 pages.
As docs/operations.md says: `prefect deploy --all`; three workers started in the checkout with
nothing set but the API URL (`--limit 1`: one flow run each, a machine each); then
`prefect deployment run ingest/nightly --param shards=2`: one worker holds the night,
the two others run its shards. Once a shard has stored a batch, its worker is killed with
every process it started (kill -9 of the tree: the machine dies). The night is then run
again, the dead worker's machine back. Throughout, another process counts the lake's
articles every 0.2 s.
"""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from storage.db import connect
from storage.lake import forget_engines
from tests.support.lake_reader import lake_reader, reads
from tests.support.many_blogs import Blogs, many_blogs
from tests.support.prefect_server import (
    PrefectServer,
    kill_tree,
    prefect_server,
    start_worker,
    stop_group,
)

pytestmark = pytest.mark.e2e

POOL = "newsflow-pool"
BLOGS, POSTS_EACH, BATCH = 24, 42, 100
# Workers take one flow run at a time (`--limit 1`, a machine each): one holds the night,
# which waits for its shards; the other two run a shard each, at the same time.
SHARDS = 2


@dataclass
class Nights:
    blogs: Blogs
    db: str
    first: dict  # the night a worker died in
    first_artifacts: dict[str, dict]  # by key
    killed: dict  # the shard run whose worker was killed, as it was then
    killed_end: dict  # the same run, once the night was over
    stored_after_first: set[str]
    second: dict  # the rerun
    reader_log: object
    lost_home_run: dict


def _stored(db: str, sql: str = "SELECT url FROM articles", *params) -> list[tuple]:
    with connect(db, read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _running_shards(server: PrefectServer) -> list[dict]:
    return server.api("POST", "/flow_runs/filter", {
        "deployments": {"name": {"any_": ["shard"]}},
        "flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}},
    }).json()  # fmt: skip


def _kill_a_worker_mid_shard(server: PrefectServer, workers: dict, db: str) -> dict:
    """Kills the worker of the first shard seen with a batch stored but not all; returns
    that shard's run."""
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline:
        for run in _running_shards(server):
            names = run["parameters"]["names"]
            marks = ", ".join("?" for _ in names)
            (stored,) = _stored(db, f"SELECT count(*) FROM articles WHERE source IN ({marks})",
                                *names)[0]  # fmt: skip
            if BATCH <= stored < len(names) * POSTS_EACH:
                kill_tree(workers[run["labels"]["prefect.worker.name"]])
                return run
        time.sleep(0.5)
    pytest.fail("no shard was seen between its first batch and its last")


@pytest.fixture(scope="module")
def nights(postgres_cluster, tmp_path_factory, request) -> Nights:
    work = tmp_path_factory.mktemp("sharded-night")
    (work / "prefect").mkdir()
    db = f"ducklake:postgres:{postgres_cluster.dsn(postgres_cluster.create_database())}"
    started = time.monotonic()
    with ExitStack() as stack:
        server = stack.enter_context(prefect_server(work / "prefect"))
        blogs = stack.enter_context(many_blogs(BLOGS, POSTS_EACH))
        sources = blogs.write_sources(work / "sources.toml")
        with connect(db, data_path=f"{work / 'data' / 'lake'}/"):
            pass  # an empty lake, as `[storage] data_path` says, for the reader to start on
        server.prefect("work-pool", "create", POOL, "--type", "process")
        server.prefect("deploy", "--all")
        workers = {n: start_worker(server, POOL, n, "--limit", "1") for n in ("w1", "w2", "w3")}
        stack.callback(lambda: [stop_group(w) for w in workers.values()])
        reader_log = stack.enter_context(lake_reader(db, work))

        first_id = server.deployment_run("ingest/nightly", sources=sources, db=db, shards=SHARDS)
        killed = _kill_a_worker_mid_shard(server, workers, db)
        first = server.wait_final(first_id, 480)
        first_artifacts = server.artifacts(first_id)
        killed_end = server.flow_run(killed["id"])
        stored_after_first = {url for (url,) in _stored(db)}

        name = killed["labels"]["prefect.worker.name"]
        workers[name + "-again"] = start_worker(server, POOL, name + "-again", "--limit", "1")
        second = server.wait_final(
            server.deployment_run("ingest/nightly", sources=sources, db=db, shards=SHARDS), 300
        )
        for worker in workers.values():
            stop_group(worker)
        lost_home_run = _run_on_a_worker_without_the_code(server, work)
    forget_engines()
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print(f"\nsharded nights (setup, killed night, rerun): {time.monotonic() - started:.0f} s")
    return Nights(blogs, db, first, first_artifacts, killed, killed_end, stored_after_first,
                  second, reader_log, lost_home_run)  # fmt: skip


def _run_on_a_worker_without_the_code(server: PrefectServer, work) -> dict:
    """Returns a reextract run taken by a worker whose NEWSFLOW_HOME names no checkout."""
    run_id = server.deployment_run("reextract/reextract", db=str(work / "x.duckdb"))
    env = {**server.env, "NEWSFLOW_HOME": str(work / "nowhere")}
    start_worker(server, POOL, "lost", "--run-once", env=env).wait(timeout=180)
    return server.wait_final(run_id, 60)


def test_every_page_is_stored_exactly_once(nights):
    assert nights.second["state"]["type"] == "COMPLETED", nights.second["state"]["message"]
    stored = _stored(nights.db, "SELECT url, count(*) FROM articles GROUP BY url")
    assert {url for url, _ in stored} == nights.blogs.page_urls()
    assert len(stored) == BLOGS * POSTS_EACH and all(n == 1 for _, n in stored)
    versions = _stored(nights.db, "SELECT url, version FROM article_versions")
    assert len(versions) == len(set(versions)) == BLOGS * POSTS_EACH
    assert _stored(nights.db, "SELECT count(*) FROM raw_pages") == [(BLOGS * POSTS_EACH,)]


def test_shards_ran_on_at_least_two_workers(nights):
    rows = json.loads(nights.first_artifacts["ingest-shards"]["data"])
    assert len(rows) == SHARDS
    assert len({r["worker"] for r in rows}) >= 2
    assert {r["worker"] for r in rows} <= {"w1", "w2", "w3"}


def test_the_killed_worker_s_shard_crashed_and_the_night_reports_it(nights):
    killed, shard = nights.killed, nights.killed_end
    assert shard["state"]["type"] == "CRASHED"
    assert "no heartbeat" in shard["state"]["message"]
    number, worker = killed["parameters"]["shard"], killed["labels"]["prefect.worker.name"]
    first, which = nights.first, f"{killed['parameters']['shard']} of {SHARDS}"
    assert first["state"]["type"] == "FAILED"
    assert f"shard {number} of {SHARDS} CRASHED on {worker}" in first["state"]["message"]
    artifacts = nights.first_artifacts
    rows = {r["shard"]: r for r in json.loads(artifacts["ingest-shards"]["data"])}
    assert rows[which]["state"] == "CRASHED" and rows[which]["worker"] == worker
    assert [r["state"] for k, r in rows.items() if k != which] == ["COMPLETED"] * (SHARDS - 1)
    assert "CRASHED" in artifacts["ingest-summary"]["data"]
    runs = dict(_stored(nights.db, "SELECT run_id, state FROM runs"))
    assert runs == {first["id"]: "FAILED", nights.second["id"]: "COMPLETED"}


def test_nothing_other_shards_stored_was_lost_and_the_rerun_fetched_only_the_rest(nights):
    blogs, killed = nights.blogs, nights.killed["parameters"]["names"]
    stored = nights.stored_after_first
    others = {u for n, posts in blogs.posts.items() if n not in killed for u in _urls(blogs, n)}
    assert others <= stored  # every page of the shards that completed
    mine = {u for n in killed for u in _urls(blogs, n)}
    assert BATCH <= len(mine & stored) < len(mine)
    fetched = _stored(nights.db, "SELECT url FROM fetches WHERE kind = 'page' AND run_id = ?",
                      nights.second["id"])  # fmt: skip
    assert sorted(url for (url,) in fetched) == sorted(blogs.page_urls() - stored)


def _urls(blogs: Blogs, name: str) -> set[str]:
    base = blogs.servers[name].base_url
    return {u for u in blogs.page_urls() if u.startswith(base + "/")}


def test_a_reader_polling_the_lake_throughout_never_failed_and_saw_counts_only_grow(nights):
    counts, errors = reads(nights.reader_log)
    assert errors == []
    assert counts == sorted(counts)
    assert counts[-1] == BLOGS * POSTS_EACH
    assert any(0 < c < BLOGS * POSTS_EACH for c in counts)  # it read while shards wrote
    assert len(counts) > 100


def test_a_worker_that_cannot_find_the_code_fails_the_run_naming_newsflow_home(nights):
    run = nights.lost_home_run
    assert run["state"]["type"] == "FAILED"
    assert "set NEWSFLOW_HOME" in run["state"]["message"]
    assert "nowhere" in run["state"]["message"]
