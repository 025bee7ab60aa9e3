"""A file's raw HTML waits beside it during a night and joins raw_pages at the close: every
page once, bytes as fetched, nothing lost when a night is cut short."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest

from flows import night
from newsflow.errors import StorageError
from storage.copy import copy_database
from storage.db import connect
from storage.raw_html import join_waiting, keep_waiting, waiting_dir, waiting_files
from storage.writes import write_batch
from tests.support.batches import batch_rows, page_html, stored_article


def _articles(prefix: str, n: int):
    return [
        stored_article(f"https://b.example/{prefix}/{i}", f"{prefix} text {i}") for i in range(n)
    ]


def _write(db, batch_no: int, articles) -> None:
    with connect(db) as con:
        raw = waiting_dir(db) / f"run-1-{batch_no:05d}.parquet"
        write_batch(con, "run-1", *batch_rows("run-1", articles), raw_waiting=raw)


def _raw(db) -> dict[str, bytes]:
    with connect(db, read_only=True) as con:
        rows = con.execute("SELECT url, html_zlib FROM raw_pages").fetchall()
    return {url: zlib.decompress(blob) for url, blob in rows}


def test_a_nights_raw_html_waits_beside_the_file_then_joins_once(tmp_path):
    db = tmp_path / "news.duckdb"
    _write(db, 1, _articles("a", 3))
    _write(db, 2, _articles("b", 2))
    assert _raw(db) == {}  # articles stored, their raw HTML waiting
    assert len(waiting_files(waiting_dir(db))) == 2
    with connect(db) as con:
        added = join_waiting(con, waiting_dir(db))
        again = join_waiting(con, waiting_dir(db))
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert (added, again, articles) == (5, 0, 5)
    assert _raw(db) == {a.url: page_html(a) for a in _articles("a", 3) + _articles("b", 2)}
    assert waiting_files(waiting_dir(db)) == []


def test_rows_joined_before_a_crash_or_repeated_across_batches_are_added_once(tmp_path):
    db = tmp_path / "news.duckdb"
    _write(db, 1, _articles("a", 3))
    first = waiting_files(waiting_dir(db))[0]
    rows = pq.read_table(first)
    with connect(db) as con:
        join_waiting(con, waiting_dir(db))
    # A crash after the commit, before the files were removed: the same file again, and a
    # later batch repeating one of its keys next to a new page.
    keep_waiting(first, rows)
    _write(db, 2, _articles("c", 1))
    keep_waiting(waiting_dir(db) / "run-1-00003.parquet", rows.slice(0, 1))
    (waiting_dir(db) / "run-1-00004.tmp").write_bytes(b"cut off mid-write")
    with connect(db) as con:
        added = join_waiting(con, waiting_dir(db))
        pairs = con.execute("SELECT count(*), count(DISTINCT url) FROM raw_pages").fetchone()
    assert added == 1 and pairs == (4, 4)
    assert list(waiting_dir(db).iterdir()) == []


def test_the_next_night_joins_what_a_night_cut_short_left(tmp_path):
    db = tmp_path / "news.duckdb"
    _write(db, 1, _articles("a", 2))  # the night died before its close
    night.open_night(str(db), "run-2", datetime.now(UTC), _Report())
    assert set(_raw(db)) == {a.url for a in _articles("a", 2)}


def test_a_night_goes_on_when_waiting_raw_html_cannot_join_and_keeps_the_files(tmp_path, caplog):
    db = tmp_path / "news.duckdb"
    _write(db, 1, _articles("a", 2))
    bad = waiting_dir(db) / "run-1-00002.parquet"
    bad.write_bytes(b"not a parquet file")  # a file damaged on disk
    tonight = night.open_night(str(db), "run-2", datetime.now(UTC), _Report())
    assert tonight.db == str(db)  # the night opened
    assert str(waiting_dir(db)) in caplog.text and "kept for the next night" in caplog.text
    assert len(waiting_files(waiting_dir(db))) == 2 and _raw(db) == {}
    with pytest.raises(StorageError, match="copy raw_pages: .*run-1-00002.parquet"):
        copy_database(db, str(tmp_path / "copy.duckdb"))  # a copy would lack its pages: stop
    bad.unlink()  # once the damaged file is dealt with, the next night joins the rest
    night.open_night(str(db), "run-3", datetime.now(UTC), _Report())
    assert set(_raw(db)) == {a.url for a in _articles("a", 2)}


def test_a_copy_takes_the_raw_html_still_waiting(tmp_path):
    db, target = tmp_path / "news.duckdb", tmp_path / "copy.duckdb"
    _write(db, 1, _articles("a", 2))
    copy_database(db, str(target))
    assert _raw(target) == {a.url: page_html(a) for a in _articles("a", 2)}
    assert len(waiting_files(waiting_dir(db))) == 1  # the source is not changed


class _Report:
    """What open_night records in the night's report."""

    staged_merged, storage_error = 0, None
