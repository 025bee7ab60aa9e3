"""Source health across nights: failing sources turn unhealthy, back off, and revive.

Nights are real flow runs; the time between them is simulated by moving the stored
`last_attempt_at` back, which is all the backoff looks at.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import duckdb

from newsflow.demo.site import SiteServer, blogger_site
from newsflow.models import Settings
from newsflow.policy import next_attempt
from storage.state import SourceState
from tests.support.flows import LOCAL_SETTINGS, run_artifact, run_flow, write_sources
from tests.support.posts import NATO_POST

FEED = "/feeds/posts/default"
SETTINGS = LOCAL_SETTINGS + "unhealthy_after_failures = 2\n"


def _query(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _nights_pass(db, nights: int) -> None:
    """Moves the last attempts back by `nights` days, as if that many nights had passed."""
    with duckdb.connect(str(db)) as con:
        con.execute(
            f"UPDATE source_health SET last_attempt_at = last_attempt_at - INTERVAL {nights} DAY"
        )


def _health(db, source: str) -> tuple[int, bool]:
    return _query(
        db, f"SELECT consecutive_failures, healthy FROM source_health WHERE source = '{source}'"
    )[0]


def test_a_source_failing_every_night_is_asked_on_the_nights_the_docs_promise():
    # docs/reliability.md: unhealthy after `unhealthy_after_failures` failed nights in a row, then
    # skipped for 1, 2, 4, then 7 nights after each failed attempt. A month of nightly
    # runs, starting around 02:00 (some a little early, some late), all failing:
    settings = Settings(unhealthy_after_failures=2)
    first = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    state, asked = SourceState("s"), []
    for night in range(1, 31):
        start = first + timedelta(days=night - 1, minutes=15 if night % 2 else -20)
        when = next_attempt(state, settings)
        if when is not None and start < when:
            continue  # sat out
        asked.append(night)
        state = SourceState(
            "s", consecutive_failures=state.consecutive_failures + 1, last_attempt_at=start
        )
    # Asked nights 1 and 2 (healthy), then sits out 1, 2, 4, 7, 7 nights between attempts.
    assert asked == [1, 2, 4, 7, 12, 20, 28]


def test_a_failing_source_turns_unhealthy_backs_off_and_revives(tmp_path, blog, prefect_server):
    with SiteServer(lambda base: blogger_site("Flaky", [NATO_POST], base)) as flaky:
        flaky.site.files.pop(FEED)  # the feed is gone: every night fails
        sources = write_sources(
            tmp_path / "sources.toml",
            [("good", blog.base_url + FEED, "feed"), ("flaky", flaky.base_url + FEED, "feed")],
            SETTINGS,
        )
        db = tmp_path / "news.duckdb"

        for night in (1, 2):
            assert run_flow(sources, db).is_completed()
            assert _health(db, "flaky") == (night, night < 2)
            _nights_pass(db, 1)
        assert "unhealthy (2x, next try" in _listed(sources, db, "flaky")

        flaky.requests.clear()
        state = run_flow(sources, db)  # night 3: sat out, not a single request to its host
        assert state.is_completed(), state.message
        assert flaky.requests == []
        assert "1 unhealthy skipped" in state.message
        rows = json.loads(run_artifact(state, "ingest-sources"))  # a table artifact: JSON text
        row = next(r for r in rows if r["source"] == "flaky")
        assert row["error"].startswith("unhealthy (2 failed nights): skipped until")
        assert _health(db, "flaky") == (2, False)

        _nights_pass(db, 1)
        assert run_flow(sources, db).is_completed()  # night 4: the backoff is over, tried
        assert FEED in flaky.paths()
        assert _health(db, "flaky") == (3, False)

        flaky.site = blogger_site("Flaky", [NATO_POST], flaky.base_url)  # the feed is back
        _nights_pass(db, 3)
        assert run_flow(sources, db).is_completed()  # night 7: tried again, and it answers
    assert _health(db, "flaky") == (0, True)
    assert _query(db, "SELECT count(*) FROM articles WHERE source = 'flaky'") == [(1,)]
    assert "│ healthy" in _listed(sources, db, "flaky")


def _listed(sources, db, name: str) -> str:
    """Returns the line of `newsflow sources` about source `name`."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsflow.cli",
            "sources",
            "--sources",
            str(sources),
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "400"},  # one line per source: no wrapped cells
    )
    assert result.returncode == 0, result.stderr
    return next(line for line in result.stdout.splitlines() if f" {name} " in line)
