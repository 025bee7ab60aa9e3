"""No article lost between runs: busy sites on 127.0.0.1 publish more than their feed's
window between two runs of the ingest flow; backfill recovers the rest, or the gap is
recorded (source_status, `newsflow sources`, the run's summary)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from tests.support.busy_site import BusySite, SiteShape
from tests.support.flows import LOCAL_SETTINGS, run_artifact, run_flow, write_sources

pytestmark = pytest.mark.usefixtures("prefect_server")

SITES = {
    "wordpress": SiteShape(paging="wordpress", window=10),
    "blogger": SiteShape(paging="blogger", window=25),
    "sitemapped": SiteShape(paging="none", sitemap="robots", window=10),
    "feedonly": SiteShape(paging="none", window=10),
    "looping": SiteShape(paging="rfc5005", loop=True),  # must cost no other source its night
    "reordered": SiteShape(reorder=True),  # oldest first: no false alarm
}


def _query(db, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _stored(db, source: str) -> set[str]:
    return {u for (u,) in _query(db, f"SELECT url FROM articles WHERE source = '{source}'")}


def _listed(sources, db, name: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "sources", "--sources", str(sources),
         "--db", str(db)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "400"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return next(line for line in result.stdout.splitlines() if f" {name} " in line)


@dataclass
class Nights:
    """Three runs over busy sites: 40 posts each, then 30 more (5 on `reordered`), then
    none; the database after them, and the states of runs 1 and 2."""

    sites: dict[str, BusySite]
    new: dict[str, list]
    sources: Path
    db: Path
    first: object
    second: object

    def feed_pages(self, run) -> dict[str, int]:
        sql = ("SELECT source, count(*) FROM fetches WHERE kind = 'feed_page'"
               f" AND run_id = '{_run_id(run)}' GROUP BY source")  # fmt: skip
        return dict(_query(self.db, sql))


def _run_id(state) -> str:
    return str(state.state_details.flow_run_id)


@pytest.fixture(scope="module")
def nights(tmp_path_factory, prefect_server) -> Iterator[Nights]:
    tmp = tmp_path_factory.mktemp("nights")
    with ExitStack() as stack:
        sites = {n: stack.enter_context(BusySite(n, shape)) for n, shape in SITES.items()}
        for site in sites.values():
            site.publish(40)
        sources = write_sources(
            tmp / "sources.toml", [(n, s.feed_url, "feed") for n, s in sites.items()]
        )
        db = tmp / "news.duckdb"
        first = run_flow(sources, db)
        new = {name: site.publish(5 if name == "reordered" else 30) for name, site in sites.items()}
        second = run_flow(sources, db)
        third = run_flow(sources, db)  # nothing new: every feed answers 304
        assert first.is_completed() and second.is_completed() and third.is_completed()
        nights = Nights(sites, new, sources, db, first, second)
        assert nights.feed_pages(third) == {}
        yield nights


def test_a_first_run_is_never_a_gap(nights):
    assert "gaps" not in nights.first.message
    assert nights.feed_pages(nights.first) == {}


def test_paged_and_sitemapped_sites_lose_nothing(nights):
    for name in ("wordpress", "blogger", "sitemapped", "reordered"):
        posted = {nights.sites[name].url_of(p) for p in nights.new[name]}
        assert posted <= _stored(nights.db, name), name
    assert nights.feed_pages(nights.second) == {
        "wordpress": 3, "blogger": 1, "sitemapped": 1, "feedonly": 1, "looping": 1}  # fmt: skip
    sitemaps = _query(nights.db, "SELECT count(*) FROM fetches WHERE source = 'sitemapped'"
                                 " AND kind = 'sitemap'")  # fmt: skip
    assert sitemaps == [(1,)]


def test_a_gap_not_closed_is_recorded(nights):
    feedonly = nights.sites["feedonly"]
    lost = {feedonly.url_of(p) for p in nights.new["feedonly"]} - _stored(nights.db, "feedonly")
    assert len(lost) == 20  # its feed showed 10 of the 30
    status = {s: (g, at is not None) for s, g, at in _query(
        nights.db, "SELECT source, gaps, last_gap_at FROM source_status")}  # fmt: skip
    assert {s for s, (gaps, _) in status.items() if gaps == 0} == {
        "wordpress", "blogger", "sitemapped", "reordered"}  # fmt: skip
    assert status["feedonly"] == status["looping"] == (1, True)
    assert not any(at for gaps, at in status.values() if gaps == 0)
    assert "not closed: feedonly, looping" in nights.second.message
    assert "│ 1 (last " in _listed(nights.sources, nights.db, "feedonly")
    assert "│ 0 " in _listed(nights.sources, nights.db, "wordpress")


def test_the_summary_lists_gaps_and_what_backfill_recovered(nights):
    summary = run_artifact(nights.second)
    assert "## Gaps" in summary and "| feedonly | 0 | **no" in summary
    assert "| wordpress | 20 | yes |" in summary and "| sitemapped | 20 | yes |" in summary
    assert "| looping | 10 | **no" in summary and "loops back to" in summary
    assert "reordered" not in summary.split("## Gaps")[1]  # a reordered window is no gap


def test_how_each_feed_pages_is_remembered(nights):
    paging = dict(_query(nights.db, "SELECT source, paging FROM source_health"))
    assert paging == {"wordpress": "wordpress", "blogger": "next", "sitemapped": "none",
                      "feedonly": "none", "looping": "next", "reordered": None}  # fmt: skip


@pytest.mark.parametrize(
    ("setting", "stored", "why"),
    [
        ("backfill_max_pages = 2", 10 + 30, "backfill_max_pages (2) reached"),  # feed + 2 pages
        ("max_articles_per_source = 15", 10 + 15, "max_articles_per_source reached: 5"),
    ],
)
def test_the_bounds_are_read_and_a_bounded_walk_is_a_gap(tmp_path, setting, stored, why):
    with BusySite("wp", SiteShape(paging="wordpress")) as site:
        site.publish(20)
        settings = LOCAL_SETTINGS + setting + "\n"
        sources = write_sources(tmp_path / "s.toml", [("wp", site.feed_url, "feed")], settings)
        db = tmp_path / "news.duckdb"
        assert run_flow(sources, db).is_completed()
        site.publish(60)

        state = run_flow(sources, db)

    assert state.is_completed(), state.message
    assert len(_stored(db, "wp")) == stored
    assert _query(db, "SELECT gaps FROM source_status") == [(1,)]
    assert why in run_artifact(state)


HOSTILE = {
    "healthy": SiteShape(paging="wordpress", window=10),
    "ignoring": SiteShape(paging="wordpress", ignore_paging=True),  # every ?paged=N is page 1
    # thousands of old children dated 2001, the live ones dated in the year 2100
    "flooded": SiteShape(sitemap="index", index_padding=5000, lastmod="future"),
}


def test_hostile_sites_end_their_walks_in_bounds_and_cost_a_busy_neighbour_nothing(tmp_path):
    settings = LOCAL_SETTINGS + "backfill_max_pages = 5\n"
    with ExitStack() as stack:
        sites = {n: stack.enter_context(BusySite(n, shape)) for n, shape in HOSTILE.items()}
        for site in sites.values():
            site.publish(40)
        sources = write_sources(
            tmp_path / "s.toml", [(n, s.feed_url, "feed") for n, s in sites.items()], settings
        )
        db = tmp_path / "news.duckdb"
        assert run_flow(sources, db).is_completed()
        asked = {n: len(s.requests) for n, s in sites.items()}
        new = {n: site.publish(30) for n, site in sites.items()}  # three windows of 10

        state = run_flow(sources, db)
        walked = {n: s.requests[asked[n] :] for n, s in sites.items()}

    assert state.is_completed(), state.message
    healthy = sites["healthy"]
    stored = _stored(db, "healthy")
    assert {healthy.url_of(p) for p in new["healthy"]} <= stored and len(stored) == 10 + 30
    kinds = _query(db, "SELECT source, kind, count(*) FROM fetches WHERE kind IN "
                       "('feed_page', 'sitemap') GROUP BY ALL")  # fmt: skip
    assert sorted(kinds) == [("flooded", "feed_page", 1), ("flooded", "sitemap", 4),
                             ("healthy", "feed_page", 3), ("ignoring", "feed_page", 1),
                             ("ignoring", "sitemap", 3)]  # fmt: skip
    # what each site heard besides its feed and the posts the night stored: its walk
    heard = {}
    for name, site in sites.items():
        known = {site.url_of(p).removeprefix(site.base_url) for p in site.posts}
        feed = urlsplit(site.feed_url).path
        heard[name] = [p for p in walked[name] if p not in known and p != feed]
    assert heard == {
        "healthy": ["/feed/?paged=2", "/feed/?paged=3", "/feed/?paged=4"],
        "ignoring": ["/feed/?paged=2", "/sitemap.xml", "/sitemap_index.xml", "/wp-sitemap.xml"],
        "flooded": ["/feed.xml?paged=2", "/sitemap.xml", "/sitemap-6.xml", "/sitemap-5.xml",
                    "/sitemap-4.xml"],  # the bound: the index, 3 of its 5,007 children
    }  # fmt: skip
    for name in ("ignoring", "flooded"):
        lost = {sites[name].url_of(p) for p in new[name]} - _stored(db, name)
        assert len(lost) == 20, name  # the feed showed 10 of the 30
    gaps = dict(_query(db, "SELECT source, gaps FROM source_status"))
    assert gaps == {"healthy": 0, "ignoring": 1, "flooded": 1}
    assert "not closed: flooded, ignoring" in state.message
    summary = run_artifact(state)
    assert "| healthy | 20 | yes |" in summary
    assert "| ignoring | 0 | **no" in summary and "| flooded | 0 | **no" in summary
    rows = json.loads(run_artifact(state, "ingest-sources"))
    why = {row["source"]: row["gap_reason"] for row in rows}
    assert why["healthy"] == "" and "(paging ignored)" in why["ignoring"]
    assert "dated in the future" in why["flooded"]
    assert "backfill_max_pages (5) reached in sitemap" in why["flooded"]
