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
import httpx
import pytest

from flows.night import MAX_BACKOFF_NIGHTS, next_attempt
from newsflow.demo.site import SiteServer, blogger_site
from newsflow.models import Settings
from storage.state import SourceState
from tests.conftest import seed_post
from tests.flows.conftest import LOCAL_SETTINGS, run_flow, write_sources

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


def _sources_artifact(state) -> list[dict]:
    from prefect.settings import PREFECT_API_URL

    body = {
        "artifacts": {
            "key": {"any_": ["ingest-sources"]},
            "flow_run_id": {"any_": [str(state.state_details.flow_run_id)]},
        }
    }
    [artifact] = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", json=body).json()
    return json.loads(artifact["data"])  # a table artifact's data is JSON text


@pytest.mark.parametrize(
    ("failures", "nights_out"), [(1, None), (2, 1), (3, 2), (4, 4), (5, 7), (9, 7)]
)
def test_backoff_doubles_the_nights_sat_out_up_to_a_week(failures, nights_out):
    last = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    state = SourceState("s", consecutive_failures=failures, last_attempt_at=last)
    when = next_attempt(state, Settings(unhealthy_after_failures=2))
    if nights_out is None:
        assert when is None
        return
    assert nights_out <= MAX_BACKOFF_NIGHTS
    # Asked again on the night after the ones it sits out, even if that run starts early.
    assert last + timedelta(days=nights_out) < when <= last + timedelta(days=nights_out + 1)


def test_a_failing_source_turns_unhealthy_backs_off_and_revives(tmp_path, blog, prefect_server):
    with SiteServer(lambda base: blogger_site("Flaky", [seed_post()], base)) as flaky:
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
        row = next(r for r in _sources_artifact(state) if r["source"] == "flaky")
        assert row["error"].startswith("unhealthy (2 failed nights): skipped until")
        assert _health(db, "flaky") == (2, False)

        _nights_pass(db, 1)
        assert run_flow(sources, db).is_completed()  # night 4: the backoff is over, tried
        assert FEED in flaky.paths()
        assert _health(db, "flaky") == (3, False)

        flaky.site = blogger_site("Flaky", [seed_post()], flaky.base_url)  # the feed is back
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
