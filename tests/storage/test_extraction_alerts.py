"""`source_status.extraction_alert` on a real DuckDB file written as nights write it: a
source whose stored texts suddenly shrink, or whose pages suddenly fail extraction, is
marked; a steady source, or one with too few runs to know its usual, is not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from newsflow.models import FetchResult
from storage.db import connect
from storage.extraction_alerts import extraction_alerts
from storage.writes import article_rows, fetch_rows, tag_rows, write_batch
from tests.support.search_db import page_result
from tests.support.search_samples import GERMAN

FIRST_NIGHT = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
STORY = "Das Hochwasser am Rhein hat am Dienstag mehrere Dörfer erreicht. " * 30  # ~2,000 chars
TEASER = "Lesen Sie mehr in unserer App."


def _night(con, n: int, pages: dict[str, tuple[int, str | None, int]]) -> None:
    """Writes night n: per source (stored pages, their text, pages that failed extraction)."""
    at, run_id = FIRST_NIGHT + timedelta(days=n), f"run-{n}"
    results, fetches = [], []
    for source, (stored, text, failed) in pages.items():
        for i in range(stored):
            slug = f"{source}-{n}-{i}"
            result = page_result(replace(GERMAN, slug=slug), source, text=f"{slug}\n{text}")
            results.append(result)
            fetches.append(_fetch(result.url, source, "ok", at))
        fetches += [_fetch(f"http://{source}.test/bad-{n}-{i}", source, "extract_error", at)
                    for i in range(failed)]  # fmt: skip
    write_batch(con, run_id, fetch_rows(run_id, fetches), article_rows(results),
                tag_rows(results, at))  # fmt: skip


def _fetch(url: str, source: str, outcome: str, at: datetime) -> FetchResult:
    return FetchResult(url=url, source=source, kind="page", outcome=outcome, fetched_at=at,
                       status=200)  # fmt: skip


def _alerts(path) -> dict[str, str | None]:
    with connect(path) as con:
        rows = con.execute("SELECT source, extraction_alert FROM source_status").fetchall()
    return dict(rows)


def test_shorter_texts_and_failing_pages_are_marked_a_steady_source_is_not(tmp_path):
    path = tmp_path / "news.duckdb"
    usual = {"steady": (3, STORY, 0), "redesigned": (3, STORY, 0), "broken": (3, STORY, 0)}
    with connect(path) as con:
        for n in range(4):
            _night(con, n, usual)
        _night(con, 4, {"steady": (3, STORY, 0), "redesigned": (3, TEASER, 0),
                        "broken": (1, STORY, 3)})  # fmt: skip
        found = extraction_alerts(con)
    alerts = _alerts(path)
    assert alerts["steady"] is None
    assert alerts["redesigned"].startswith("median text length fell to ")
    assert alerts["broken"] == "extraction failures jumped: 75% of the last run's pages, usually 0%"
    assert found == {k: v for k, v in alerts.items() if v}


def test_too_few_runs_to_know_the_usual_is_no_alert(tmp_path):
    path = tmp_path / "news.duckdb"
    with connect(path) as con:
        for n in range(2):
            _night(con, n, {"young": (3, STORY, 0)})
        _night(con, 2, {"young": (3, TEASER, 2)})
    assert _alerts(path) == {"young": None}


def test_a_source_always_failing_half_its_pages_is_not_a_jump(tmp_path):
    path = tmp_path / "news.duckdb"
    with connect(path) as con:
        for n in range(5):
            _night(con, n, {"flaky": (2, STORY, 2)})
    assert _alerts(path) == {"flaky": None}
