"""A night's report from its shards' outcomes: counts merged, a lost shard's sources failed."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.shard_plan import Shard
from flows.shard_runs import ShardOutcome
from flows.shards import merge_outcome, shards_markdown
from newsflow.models import Settings, Source, SourcesConfig
from newsflow.summary import RunReport

CONFIG = SourcesConfig(
    path="sources.toml",
    settings=Settings(),
    sources=tuple(Source(n, f"http://127.0.0.1:{9000 + i}/") for i, n in enumerate("abcd")),
)


def _report() -> RunReport:
    return RunReport(run_id="night", started_at=datetime.now(UTC), db="ducklake:x", config=CONFIG)


def _row(source: str, new: int, failed: int = 0) -> dict:
    return {"source": source, "new": new, "updated": 0, "unchanged": 1, "not_modified": 0,
            "failed": failed, "fetches": new + failed + 1, "seconds": 0.5, "error": ""}  # fmt: skip


def _completed() -> ShardOutcome:
    return ShardOutcome(
        shard=Shard(1, ("a", "b"), ("127.0.0.1:9000", "127.0.0.1:9001"), 7),
        state="COMPLETED",
        message="shard 1 of 2: ...",
        worker="w2",
        seconds=31.5,
        flow_run_id="run-1",
        pages_done=7,
        sources=[_row("a", 4), _row("b", 2, failed=1)],
        failures=[
            {
                "url": "http://127.0.0.1:9001/x",
                "source": "b",
                "stage": "fetch",
                "reason": "timeout: 20 s",
            }
        ],  # fmt: skip
    )


def _crashed() -> ShardOutcome:
    return ShardOutcome(
        shard=Shard(2, ("c", "d"), ("127.0.0.1:9002", "127.0.0.1:9003"), 9),
        state="CRASHED",
        message="no heartbeat for 90 s",
        worker="w3",
        seconds=50.0,
        flow_run_id="run-2",
    )


def test_a_completed_shard_s_counts_and_failures_become_the_night_s():
    report = _report()

    merge_outcome(report, _completed(), 2)

    assert report.sources["a"].new == 4 and report.sources["b"].failed == 1
    assert [f.url for f in report.failures] == ["http://127.0.0.1:9001/x"]
    assert report.pages_planned == 7 and report.pages_done == 7
    assert report.failed_sources == []


def test_a_crashed_shard_s_sources_are_failed_saying_which_shard_and_why():
    report = _report()

    merge_outcome(report, _completed(), 2)
    merge_outcome(report, _crashed(), 2)

    assert report.failed_sources == ["c", "d"]
    assert report.sources["c"].error == "shard 2 of 2 CRASHED: no heartbeat for 90 s"
    assert not report.all_sources_failed
    assert report.totals().new == 6


def test_the_summary_has_a_row_per_shard_with_worker_pages_seconds_and_state():
    text = shards_markdown([_completed(), _crashed()])

    assert "| 1 of 2 | w2 | 2 | 2 | 7 | 7 | 31.5 | **COMPLETED** |" in text
    assert "| 2 of 2 | w3 | 2 | 2 | 9 | 0 | 50.0 | **CRASHED** |" in text
    assert "> shard 2: no heartbeat for 90 s" in text


def test_a_shard_s_gaps_reach_the_night_s_summary():
    from flows.artifacts import source_rows

    shard_report = _report()
    shard_report.add_gap("a", 20, True, None)
    shard_report.add_gap("b", 0, False, "feed offers no older pages")
    outcome = _completed()
    outcome.sources = source_rows(shard_report)
    report = _report()

    merge_outcome(report, outcome, 2)

    assert report.gaps == shard_report.gaps
    assert "not closed: b" in report.brief()
