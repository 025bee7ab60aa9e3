"""Exports read back with DuckDB and with pyarrow, compared with the database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pyarrow.dataset as ds
import pytest

from storage.db import connect
from storage.export import ExportRequest, export_articles
from tests.support.search_db import page_result, write_articles
from tests.support.search_samples import GERMAN, INDONESIAN, POSTS

READERS = {"parquet": "read_parquet", "jsonl": "read_json_auto", "csv": "read_csv_auto"}
EXTENSIONS = {"parquet": "parquet", "jsonl": "jsonl", "csv": "csv"}


@pytest.fixture
def news_db(tmp_path):
    db = tmp_path / "news.duckdb"
    results = [page_result(p, "blog-a" if i % 2 else "blog-b") for i, p in enumerate(POSTS)]
    write_articles(db, results)
    return db


def export(db, out, **options) -> object:
    with connect(db, read_only=True) as con:
        return export_articles(con, ExportRequest(out, **options))


def read_back(out, fmt: str) -> list[dict]:
    pattern = f"{out}/**/*.{EXTENSIONS[fmt]}"
    con = duckdb.connect()
    cursor = con.execute(
        f"SELECT * FROM {READERS[fmt]}('{pattern}', hive_partitioning = true) ORDER BY url"
    )
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_export_reads_back_with_duckdb_like_the_database(news_db, tmp_path, fmt):
    out = tmp_path / "out"
    report = export(news_db, out, format=fmt, with_tags=True)
    assert report.articles == len(POSTS) and report.partitions == len(POSTS)
    rows = read_back(out, fmt)
    assert len(rows) == len(POSTS)
    with connect(news_db, read_only=True) as con:
        stored = dict(con.execute("SELECT url, title FROM articles").fetchall())
    assert {r["url"]: r["title"] for r in rows} == stored
    german = next(r for r in rows if r["url"].endswith(GERMAN.slug))
    assert str(german["day"]) == "2024-03-05" and german["source"] == "blog-a"
    assert german["language"] == "de" and "Hochwasser" in german["text"]
    tags = german["tags"] if fmt != "csv" else json.loads(german["tags"])
    assert {"kind": "language", "value": "de", "code": "de", "score": 0.99} in [
        dict(t) for t in tags
    ]
    categories = german["categories"] if fmt != "csv" else json.loads(german["categories"])
    assert list(categories) == ["Wetter"]


def test_parquet_reads_back_with_pyarrow_hive_partitions(news_db, tmp_path):
    out = tmp_path / "out"
    export(news_db, out, with_tags=True)
    table = ds.dataset(out, format="parquet", partitioning="hive").to_table()
    assert table.num_rows == len(POSTS)
    assert set(table.column("source").to_pylist()) == {"blog-a", "blog-b"}
    assert str(table.schema.field("tags").type).startswith("list<element: struct<kind: string")
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.parquet"))
    assert "day=2024-03-06/source=blog-b/articles_0.parquet" in files


def test_rerun_replaces_partitions_and_never_duplicates(news_db, tmp_path):
    out = tmp_path / "out"
    export(news_db, out)
    export(news_db, out)
    assert len(read_back(out, "parquet")) == len(POSTS)
    changed = page_result(INDONESIAN, "blog-b", text="Teks baru tentang Brussel.")
    write_articles(news_db, [changed], run_id="run-2")
    export(news_db, out, since=datetime(2024, 3, 6, tzinfo=UTC))
    rows = read_back(out, "parquet")
    assert len(rows) == len(POSTS)  # the day's partition replaced, the others kept
    assert next(r for r in rows if r["url"].endswith(INDONESIAN.slug))["text"] == (
        "Teks baru tentang Brussel."
    )
    assert not [p for p in out.iterdir() if p.name.startswith(".export-")]


def test_since_and_source_select_what_is_written(news_db, tmp_path):
    out = tmp_path / "out"
    report = export(news_db, out, since=datetime(2024, 3, 4, tzinfo=UTC), source="blog-a")
    rows = read_back(out, "parquet")
    assert report.articles == len(rows) == 2  # the German and English posts of blog-a
    assert {r["source"] for r in rows} == {"blog-a"} and "tags" not in rows[0]


def test_nothing_selected_writes_nothing(news_db, tmp_path):
    report = export(news_db, tmp_path / "out", source="nobody")
    assert (report.articles, report.files) == (0, 0)
