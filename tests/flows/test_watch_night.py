"""Watches in a real night: the ingest flow (and a sharded night, once after its shards)
records each watch's new matches, announces them as Prefect events and summarises them;
`newsflow watch list` then shows them.

Real parts: a blog on 127.0.0.1, the session's Prefect test server, DuckDB and DuckLake.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from extractors.search.search_terms import query_words
from newsflow.demo.run import POSTS
from newsflow.demo.site import SiteServer, blogger_site
from storage.db import connect
from storage.lake import forget_engines
from storage.search import SearchFilters, indexed_languages, search
from storage.search_index import index_path, open_index
from tests.support.cli import newsflow
from tests.support.flows import run_flow, write_sources
from tests.support.many_blogs import many_blogs, shared_post
from tests.support.posts import NATO_POST
from tests.support.prefect_server import api_request

pytestmark = pytest.mark.usefixtures("prefect_server")

WATCHES = """
[[watches]]
name = "nato-talks"
query = "Stoltenberg Brussel"

[[watches]]
name = "nothing-yet"
query = "Tsunami"

[[watches]]
name = "elsewhere"
query = "Stoltenberg"
lang = "de"
"""


def events(name: str) -> list[dict]:
    """Returns the events of that name the test server has, newest first."""
    from prefect.settings import PREFECT_API_URL

    body = {"filter": {"event": {"name": [name]}}, "limit": 50}
    found = api_request(PREFECT_API_URL.value(), "POST", "/events/filter", body)
    return found.json()["events"]


def summary(flow_run_id) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async def read():
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))  # fmt: skip

    return {a.key: a.data for a in asyncio.run(read())}["ingest-summary"]


def wait_for_events(name: str, run_id: str, count: int) -> list[dict]:
    """Events reach the server a moment after the flow ends (the events worker sends them)."""
    import time

    deadline = time.monotonic() + 30
    while True:
        mine = [e for e in events(name) if e["payload"]["run_id"] == run_id]
        if len(mine) >= count or time.monotonic() > deadline:
            return mine
        time.sleep(0.5)


@dataclass(frozen=True)
class WatchedNights:
    sources: Path
    db: Path
    first: object  # the flow runs' final states
    second: object


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory, prefect_server) -> WatchedNights:
    """The blog read twice with WATCHES: the second night sees the same articles again.
    Shared by the tests that only read what the nights left: a night costs seconds."""
    folder = tmp_path_factory.mktemp("watched")
    posts = [NATO_POST, *POSTS]
    with SiteServer(lambda base: blogger_site("Kabar Dunia", posts, base)) as blog:
        sources = write_sources(folder / "sources.toml", [("kabar-dunia", blog.base_url + "/",
                                                           "auto")])  # fmt: skip
        sources.write_text(sources.read_text() + WATCHES)
        db = folder / "news.duckdb"
        first = run_flow(sources, db)
        second = run_flow(sources, db)  # the same articles, seen again: nothing new
    return WatchedNights(sources, db, first, second)


def test_a_night_records_announces_and_summarises_what_its_watches_match(two_nights):
    db, first, second = two_nights.db, two_nights.first, two_nights.second
    assert first.is_completed() and second.is_completed(), (first.message, second.message)
    run_id = str(first.state_details.flow_run_id)
    with connect(db, read_only=True) as con:
        matches = con.execute(
            "SELECT w.watch, a.title, w.run_id FROM watch_matches w JOIN articles a USING (url)"
        ).fetchall()
    assert matches == [("nato-talks", "Rusia dan NATO Bertemu di Brussel", run_id)]
    announced = wait_for_events("newsflow.watch.matched", run_id, 1)
    assert len(announced) == 1
    [event] = announced
    assert event["resource"] == {
        "prefect.resource.id": "newsflow.watch.nato-talks",
        "newsflow.watch.name": "nato-talks",
    }
    flow_runs = [r for r in event["related"] if r["prefect.resource.role"] == "flow-run"]
    assert [r["prefect.resource.id"] for r in flow_runs] == [f"prefect.flow-run.{run_id}"]
    assert event["payload"]["count"] == 1
    [article] = event["payload"]["articles"]
    assert article["title"] == "Rusia dan NATO Bertemu di Brussel"
    assert article["source"] == "kabar-dunia" and article["published_at"].startswith("2022-01-13")
    text = summary(first.state_details.flow_run_id)
    assert "## Watches" in text and "**nato-talks**: 1 new" in text
    assert "[Rusia dan NATO Bertemu di Brussel](<http://127.0.0.1" in text
    assert wait_for_events("newsflow.watch.matched", str(second.state_details.flow_run_id), 1) == []
    assert "## Watches" not in summary(second.state_details.flow_run_id)


def test_watch_list_shows_totals_and_the_last_match_in_a_named_zone(two_nights):
    with connect(two_nights.db, read_only=True) as con:
        [(matched_at,)] = con.execute("SELECT matched_at FROM watch_matches").fetchall()
    tokyo = {**os.environ, "TZ": "Asia/Tokyo"}  # not the test machine's: shown as TZ says
    listed = newsflow("watch", "list", "--sources", str(two_nights.sources), "--db",
                      str(two_nights.db), "--format", "csv", env=tokyo)  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    last = f"{matched_at.astimezone(ZoneInfo('Asia/Tokyo')):%Y-%m-%d %H:%M} JST"
    assert listed.stdout.splitlines() == [
        "watch,query,filters,matches,last match,last article",
        f"nato-talks,Stoltenberg Brussel,,1,{last},Rusia dan NATO Bertemu di Brussel",
        "nothing-yet,Tsunami,,0,,",
        "elsewhere,Stoltenberg,lang=de,0,,",
    ]


def test_a_sharded_night_matches_once_after_its_shards(tmp_path):
    from flows.ingest import ingest

    lake = f"ducklake:sqlite:{tmp_path / 'catalog.sqlite'}"
    story = shared_post(1)
    query = story.title.rsplit(" ", 1)[0]  # its place, subject and verb
    try:
        with many_blogs(2, 4, extra={0: [story], 1: [story]}) as blogs:
            sources = blogs.write_sources(tmp_path / "sources.toml")
            sources.write_text(sources.read_text() + f'\n[[watches]]\nname = "story"\n'
                               f'query = "{query}"\n')  # fmt: skip
            state = asyncio.run(ingest(str(sources), lake, 2, return_state=True))
        assert state.is_completed(), state.message
        run_id = str(state.state_details.flow_run_id)
        with connect(lake, read_only=True) as con:
            matched = con.execute("SELECT url, run_id FROM watch_matches").fetchall()
    finally:
        forget_engines()
    with open_index(index_path(lake), read_only=True) as idx:
        terms = [v for w in query_words(query, indexed_languages(idx)) for v in w.variants]
        expected = {h.url for h in search(idx, terms, SearchFilters(limit=1_000))}
    assert {url for url, _ in matched} == expected and len(expected) >= 2  # both copies
    assert {r for _, r in matched} == {run_id}
    assert len(wait_for_events("newsflow.watch.matched", run_id, 1)) == 1
