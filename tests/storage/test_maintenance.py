"""Lake maintenance: small files merged, old snapshots expired, unneeded files deleted."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow.errors import StorageError
from storage.as_of import connect_as_of
from storage.maintenance import maintain
from storage.writes import write_batch
from tests.support.batches import batch_rows, stored_article

BATCHES = 6


def _nights(backend) -> datetime:
    """Writes BATCHES small batches, the last one changing the first one's articles (an
    update: a delete file); returns a moment after the second batch."""
    middle = None
    with backend.connect() as con:
        for n in range(BATCHES):
            first = n if n < BATCHES - 1 else 0
            articles = [
                stored_article(f"https://b.example/{first}-{i}", f"text {n} {i}") for i in range(20)
            ]
            write_batch(con, f"run-{n}", *batch_rows(f"run-{n}", articles))
            if n == 1:
                middle = datetime.now(UTC)
    return middle


def _contents(con) -> list:
    return con.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM fetches),"
        " (SELECT count(*) FROM tags), (SELECT sum(length(text)) FROM articles)"
    ).fetchall()


def test_merging_keeps_the_data_and_the_snapshots_kept(lake_backend):
    middle = _nights(lake_backend)
    with lake_backend.connect() as con:
        before = _contents(con)
        report = maintain(con, keep_snapshots_days=30)
        assert _contents(con) == before
    assert report.merged >= BATCHES
    assert report.after.live.count < report.before.live.count  # fewer, bigger files to read
    assert report.after.snapshots >= report.before.snapshots  # none is 30 days old
    assert report.after.stored.count < report.before.stored.count
    with connect_as_of(lake_backend.db, middle.isoformat()) as (con, _):
        assert con.execute(
            "SELECT count(*), count(*) FILTER (text LIKE 'text 0 %') FROM articles"
        ).fetchall() == [(40, 20)]  # as it was: before the update of the last batch


def test_expiring_every_old_snapshot_frees_the_files_no_one_reads(lake_backend):
    middle = _nights(lake_backend)
    with lake_backend.connect() as con:
        before = _contents(con)
        report = maintain(con, keep_snapshots_days=0)
        assert _contents(con) == before
        again = maintain(con, keep_snapshots_days=0)
    assert report.after.snapshots < report.before.snapshots
    assert report.after.stored.count < report.before.stored.count
    assert report.after.stored.bytes < report.before.stored.bytes
    assert report.after.stored.count == report.after.live.count  # nothing but what is read
    assert report.deleted >= report.merged
    assert again.after.live == report.after.live  # a second pass finds nothing more to do
    with (
        pytest.raises(StorageError, match="oldest kept"),
        connect_as_of(lake_backend.db, middle.isoformat()),
    ):
        pass


def test_a_young_unknown_file_may_be_a_writer_at_work_and_stays(lake_backend):
    _nights(lake_backend)
    folder = Path(lake_backend.data_path) / "main" / "articles"
    young, old = folder / "in-flight.parquet", folder / "left-by-a-killed-writer.parquet"
    young.write_bytes(b"PAR1")
    old.write_bytes(b"PAR1")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    with lake_backend.connect() as con:
        maintain(con, keep_snapshots_days=30)
    assert young.exists() and not old.exists()


def test_a_duckdb_file_needs_no_maintenance(tmp_path):
    from storage.db import connect

    with connect(tmp_path / "news.duckdb") as con, pytest.raises(StorageError, match="DuckLake"):
        maintain(con, keep_snapshots_days=30)
