"""No article lost between runs: busy sites on 127.0.0.1 publish more than their feed's
window between two runs of the ingest flow; backfill recovers the rest, or the gap is
recorded (source_status, `newsflow sources`, the run's summary)."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack

import duckdb
import httpx
import pytest

from tests.support.busy_site import BusySite, SiteShape
from tests.support.flows import LOCAL_SETTINGS, run_flow, write_sources

pytestmark = pytest.mark.usefixtures("prefect_server")

SITES = {
    "wordpress": SiteShape(paging="wordpress", window=10),
    "blogger": SiteShape(paging="blogger", window=25),
    "sitemapped": SiteShape(paging="none", sitemap="robots", window=10),
    "feedonly": SiteShape(paging="none", window=10),
    "looping": SiteShape(paging="rfc5005", loop=True),  # must cost no other source its night
}


def _query(db, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _stored(db, source: str) -> set[str]:
    return {u for (u,) in _query(db, f"SELECT url FROM articles WHERE source = '{source}'")}


def _summary(state) -> str:
    from prefect.settings import PREFECT_API_URL

    run = str(state.state_details.flow_run_id)
    body = {"artifacts": {"key": {"any_": ["ingest-summary"]}, "flow_run_id": {"any_": [run]}}}
    [artifact] = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", json=body).json()
    return artifact["data"]


def _listed(sources, db, name: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "sources", "--sources", str(sources),
         "--db", str(db)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "400"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return next(line for line in result.stdout.splitlines() if f" {name} " in line)


def test_thirty_posts_between_runs_are_all_stored_or_the_gap_recorded(tmp_path):
    with ExitStack() as stack:
        sites = {n: stack.enter_context(BusySite(n, shape)) for n, shape in SITES.items()}
        for site in sites.values():
            site.publish(40)
        sources = write_sources(
            tmp_path / "sources.toml", [(n, s.feed_url, "feed") for n, s in sites.items()]
        )
        db = tmp_path / "news.duckdb"
        first = run_flow(sources, db)
        assert first.is_completed(), first.message
        assert "gaps" not in first.message  # a first run is never a gap
        new = {name: site.publish(30) for name, site in sites.items()}

        second = run_flow(sources, db)

        assert second.is_completed(), second.message
        for name in ("wordpress", "blogger", "sitemapped"):
            assert {sites[name].url_of(p) for p in new[name]} <= _stored(db, name), name
        lost = {sites["feedonly"].url_of(p) for p in new["feedonly"]} - _stored(db, "feedonly")
        assert len(lost) == 20  # its feed showed 10 of the 30
        feed_pages = dict(_query(db, "SELECT source, count(*) FROM fetches"
                                     " WHERE kind = 'feed_page' GROUP BY source"))  # fmt: skip
        assert feed_pages == {"wordpress": 3, "blogger": 1, "sitemapped": 1, "feedonly": 1,
                              "looping": 1}  # fmt: skip
        sitemaps = _query(db, "SELECT count(*) FROM fetches WHERE source = 'sitemapped'"
                              " AND kind = 'sitemap'")  # fmt: skip
        assert sitemaps == [(1,)]
        status = dict((s, (g, at is not None)) for s, g, at in _query(
            db, "SELECT source, gaps, last_gap_at FROM source_status"))  # fmt: skip
        assert status == {"wordpress": (0, False), "blogger": (0, False), "sitemapped": (0, False),
                          "feedonly": (1, True), "looping": (1, True)}  # fmt: skip
        assert "not closed: feedonly, looping" in second.message
        summary = _summary(second)
        assert "## Gaps" in summary and "| feedonly | 0 | **no" in summary
        assert "| wordpress | 20 | yes |" in summary and "| sitemapped | 20 | yes |" in summary
        assert "| looping | 10 | **no" in summary and "loops back to" in summary
        assert "│ 1 (last " in _listed(sources, db, "feedonly")
        assert "│ 0 " in _listed(sources, db, "wordpress")
        paging = dict(_query(db, "SELECT source, paging FROM source_health"))
        assert paging == {"wordpress": "wordpress", "blogger": "next", "sitemapped": "none",
                          "feedonly": "none", "looping": "next"}  # fmt: skip


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
    assert why in _summary(state)
