"""Storage writes on every backend (DuckDB file, DuckLake on SQLite and on PostgreSQL):
schema as documented, idempotency, versions."""

from __future__ import annotations

import zlib
from datetime import timedelta

import pytest

from storage.db import connect
from storage.schema import MIGRATIONS
from storage.writes import write_batch
from tests.support.batches import NOW, batch_rows, stored_article


def test_schema_has_the_documented_tables_and_columns(backend):
    with backend.connect() as con:
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        columns = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'articles'"
            ).fetchall()
        }
        version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    assert {
        "articles",
        "fetches",
        "runs",
        "article_versions",
        "raw_pages",
        "feeds",
        "source_health",
        "article_tags",
        "schema_version",
        "latest_articles",
        "daily_counts",
        "source_status",
    } <= tables
    assert {
        "url",
        "canonical_url",
        "source",
        "title",
        "author",
        "published_at",
        "language",
        "text",
        "content_hash",
        "first_seen_at",
        "last_seen_at",
        "keywords_declared",
        "free_access",
    } <= columns
    assert version == len(MIGRATIONS)  # every migration applied, the newest included


def test_same_batch_twice_adds_nothing(backend):
    batch = batch_rows(
        "run-1",
        [
            stored_article("https://b.example/1", "eins"),
            stored_article("https://b.example/2", "zwei"),
        ],
    )
    with backend.connect() as con:
        first = write_batch(con, "run-1", *batch)
        second = write_batch(con, "run-1", *batch)
        counts = [
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("articles", "fetches", "article_versions", "raw_pages", "tags")
        ]
    assert first["blog"].new == 2 and second["blog"].unchanged == 2
    assert counts == [2, 2, 2, 2, 2]


def test_changed_text_makes_a_new_version_and_keeps_first_seen(backend):
    later = NOW + timedelta(days=1)
    with backend.connect() as con:
        write_batch(
            con, "run-1", *batch_rows("run-1", [stored_article("https://b.example/1", "old")])
        )
        counts = write_batch(
            con,
            "run-2",
            *batch_rows("run-2", [stored_article("https://b.example/1", "new", later)]),
        )
        row = con.execute(
            "SELECT text, versions, first_seen_at, last_seen_at FROM articles"
        ).fetchone()
        versions = con.execute(
            "SELECT version, text FROM article_versions ORDER BY version"
        ).fetchall()
        raw = con.execute("SELECT html_zlib FROM raw_pages ORDER BY fetched_at").fetchall()
    assert counts["blog"].updated == 1
    assert row[0] == "new" and row[1] == 2
    assert row[2] == NOW and row[3] == later
    assert versions == [(1, "old"), (2, "new")]
    assert [zlib.decompress(r[0]) for r in raw] == [b"<p>old</p>", b"<p>new</p>"]


def test_read_only_open_of_a_missing_file_names_it(tmp_path):
    from newsflow.errors import StorageError

    with (
        pytest.raises(StorageError, match="missing.duckdb"),
        connect(tmp_path / "missing.duckdb", read_only=True),
    ):
        pass
