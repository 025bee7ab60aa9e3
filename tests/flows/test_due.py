"""`ingest --due`: each source read at its own pace, the health back-off on top.

Runs are real flow runs against blogs on 127.0.0.1; the time between them is simulated
by moving the stored `next_due_at` (and `last_attempt_at`) back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb

from newsflow.demo.site import SiteServer, blogger_site
from newsflow.models import Settings, Source, SourcesConfig
from newsflow.policy import next_attempt, sources_due
from newsflow.summary import RunReport
from storage.state import SourceState
from tests.support.flows import LOCAL_SETTINGS, run_flow, write_sources
from tests.support.posts import NATO_POST

FEED = "/feeds/posts/default"


def _query(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _time_passes(db, source: str, hours: float) -> None:
    """Moves the source's stored times back, as if `hours` had passed."""
    minutes = round(hours * 60)
    with duckdb.connect(str(db)) as con:
        con.execute(
            f"UPDATE source_health SET next_due_at = next_due_at - INTERVAL {minutes} MINUTE,"
            f" last_attempt_at = last_attempt_at - INTERVAL {minutes} MINUTE,"
            f" last_ok_at = last_ok_at - INTERVAL {minutes} MINUTE WHERE source = ?",
            [source],
        )


def test_sources_due_by_their_pace_a_run_reads_what_is_due_before_the_next_one():
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    settings = Settings(min_interval_minutes=20)
    due_at = {
        "new": None,  # never read
        "late": now - timedelta(hours=1),
        "soon": now + timedelta(minutes=9),  # before the next run (20 minutes) is halfway
        "later": now + timedelta(minutes=11),
        "week": now + timedelta(days=6),
    }
    config = SourcesConfig(
        "s.toml", settings, tuple(Source(n, f"https://{n}.example/feed") for n in due_at)
    )
    health = {n: SourceState(n, next_due_at=t) for n, t in due_at.items()}
    report = RunReport(run_id="r", started_at=now, db="x", config=config)

    due = sources_due(config, health, report, now=now, due_only=True)
    every = sources_due(config, health, report, now=now)

    assert [s.name for s in due.sources] == ["new", "late", "soon"]
    assert report.not_due == 2
    assert len(every.sources) == 5  # the night reads every healthy source


def test_a_due_run_reads_only_what_is_due_and_with_nothing_due_sends_nothing(
    tmp_path, blog, prefect_server
):
    sources = write_sources(tmp_path / "sources.toml", [("blog", blog.base_url + FEED, "feed")])
    db = tmp_path / "news.duckdb"
    before = datetime.now(UTC)
    assert run_flow(sources, db).is_completed()  # a plain run reads every source
    [(due, every)] = _query(
        db,
        "SELECT s.next_due_at, h.read_interval_seconds FROM source_status s"
        " JOIN source_health h USING (source)",
    )
    settings = Settings()
    assert before + settings.pace_bounds.shortest <= due
    assert due <= datetime.now(UTC) + settings.pace_bounds.longest
    assert due - timedelta(seconds=every) >= before

    blog.requests.clear()
    state = run_flow(sources, db, due_only=True)  # nothing due yet
    assert state.is_completed(), state.message
    assert blog.requests == []
    assert "1 not due" in state.message
    runs = _query(db, "SELECT state FROM runs ORDER BY started_at")
    assert runs == [("COMPLETED",), ("COMPLETED",)]  # the empty run is recorded too

    _time_passes(db, "blog", every / 3600 + 0.1)
    assert run_flow(sources, db, due_only=True).is_completed()
    assert FEED in blog.paths()  # due now: read
    [(later_due,)] = _query(db, "SELECT next_due_at FROM source_status")
    assert later_due > datetime.now(UTC)


def test_a_failing_source_waits_for_the_later_of_its_pace_and_its_back_off(
    tmp_path, blog, prefect_server
):
    with SiteServer(lambda base: blogger_site("Flaky", [NATO_POST], base)) as flaky:
        flaky.site.files.pop(FEED)  # the feed is gone: every read fails
        sources = write_sources(
            tmp_path / "sources.toml",
            [("good", blog.base_url + FEED, "feed"), ("flaky", flaky.base_url + FEED, "feed")],
            LOCAL_SETTINGS + "unhealthy_after_failures = 1\nmin_interval_minutes = 1\n",
        )
        db = tmp_path / "news.duckdb"
        assert run_flow(sources, db).is_completed()
        [(due, attempt, failures, every)] = _query(
            db,
            "SELECT next_due_at, last_attempt_at, consecutive_failures, read_interval_seconds"
            " FROM source_health WHERE source = 'flaky'",
        )
        backoff = next_attempt(
            SourceState("flaky", consecutive_failures=failures, last_attempt_at=attempt),
            Settings(unhealthy_after_failures=1),
        )
        assert every == 60  # its pace alone would ask again in a minute
        assert due == backoff > attempt + timedelta(hours=12)  # the back-off wins

        _time_passes(db, "flaky", 1)  # the pace's minute is long past, the back-off is not
        _time_passes(db, "good", 24 * 8)
        flaky.requests.clear()
        state = run_flow(sources, db, due_only=True)
        assert state.is_completed(), state.message
        assert flaky.requests == []
        assert "1 unhealthy skipped" in state.message
