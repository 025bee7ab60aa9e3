"""A busy database: batches are staged as Parquet, and merged on the next open."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows import night
from newsflow.errors import DatabaseBusyError
from newsflow.models import Settings, SourcesConfig
from newsflow.summary import RunReport
from storage.db import connect
from storage.staging import staged_batches, staging_dir
from tests.support.batches import batch_rows, page_results, stored_article
from tests.support.processes import held_by_another_process

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def _report(db) -> RunReport:
    return RunReport(
        run_id="run-1",
        started_at=NOW,
        db=str(db),
        config=SourcesConfig("sources.toml", Settings(), ()),
    )


@pytest.mark.parametrize("read_only", [True, False])
def test_a_busy_database_is_reported_after_waiting(tmp_path, read_only):
    db = tmp_path / "news.duckdb"
    with connect(db):
        pass
    with (
        held_by_another_process(db, read_only),
        pytest.raises(DatabaseBusyError, match="held"),
        connect(db, wait_seconds=0.3),
    ):
        pass


def test_batches_written_while_busy_are_staged_then_merged_once(tmp_path, monkeypatch):
    db = tmp_path / "news.duckdb"
    with connect(db):
        pass
    report = _report(db)
    monkeypatch.setattr(night, "BUSY_WAIT_SECONDS", 0.3)
    articles = [stored_article(f"https://b.example/{i}", f"text {i}") for i in range(3)]
    fetches, results = page_results(articles)
    with held_by_another_process(db, read_only=True):
        tonight = night.open_night(str(db), "run-1", NOW, report)
        assert tonight.busy and report.storage_error.startswith("database busy")
        night.write_pages(tonight, 1, fetches, results)
    assert len(staged_batches(staging_dir(db))) == 1

    night.open_night(str(db), "run-2", NOW, _report(db))
    night.open_night(str(db), "run-3", NOW, _report(db))  # nothing left to merge twice

    assert len(staged_batches(staging_dir(db))) == 0
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (3,)
        assert con.execute("SELECT count(*) FROM fetches").fetchone() == (3,)


def test_a_batch_cut_off_before_its_manifest_is_ignored(tmp_path):
    from storage.staging import stage_batch

    db = tmp_path / "news.duckdb"
    fetches, articles, tags = batch_rows("run-1", [stored_article("https://b.example/1", "one")])
    directory = staging_dir(db)
    stage_batch(
        directory,
        "run-1-00001",
        {"fetches": fetches, "articles": articles, "tags": tags, "taggers": _empty_taggers()},
    )
    (directory / "run-1-00001.json").unlink()  # as if killed before the manifest landed
    night.open_night(str(db), "run-2", NOW, _report(db))
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)


def _empty_taggers():
    from storage.writes import _TAGGER_SCHEMA

    return _TAGGER_SCHEMA.empty_table()
