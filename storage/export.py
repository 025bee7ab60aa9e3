"""Writes articles to Parquet, JSON Lines or CSV files, Hive-partitioned by day and source.

`OUT/day=2024-03-06/source=kabar-dunia/articles_0.parquet`: the day is the publication
day in UTC (the day first seen when the page gives none), as in `daily_counts`. Each
export writes into a scratch folder inside OUT, then swaps each partition it wrote into
place whole: rerunning replaces those partitions, never adds copies, and partitions it
did not write (older days, other sources) stay, so `--since 2d` every morning keeps a
complete archive.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

FORMATS = {"parquet": "parquet", "jsonl": "json", "csv": "csv"}
_LIST_COLUMNS = ("categories", "keywords_declared", "tags")

_ROWS = """
SELECT a.url, a.canonical_url, a.title, a.author, a.published_at, a.first_seen_at,
       a.last_seen_at, coalesce(l.code, a.language) AS language,
       a.language AS declared_language, a.site_name, a.description, a.categories,
       a.keywords_declared, a.free_access, a.image, a.text, a.content_hash, a.versions,
       a.cluster_id{tags_column},
       CAST(timezone('UTC', coalesce(a.published_at, a.first_seen_at)) AS DATE) AS day,
       a.source
FROM articles a
LEFT JOIN (SELECT url, any_value(code) AS code FROM article_tags
           WHERE kind = 'language' GROUP BY url) l USING (url)
{tags_join}
WHERE true {where}
"""
_TAGS_JOIN = """
LEFT JOIN (SELECT url, list({'kind': kind, 'value': value, 'code': code, 'score': score}
                            ORDER BY kind, value) AS tags
           FROM article_tags GROUP BY url) t USING (url)
"""


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What to export, and where."""

    out: Path
    format: str = "parquet"  # parquet | jsonl | csv
    since: datetime | None = None
    source: str | None = None
    with_tags: bool = False


@dataclass(frozen=True, slots=True)
class ExportReport:
    """How many articles went into how many partitions (folders) and files."""

    articles: int
    partitions: int
    files: int


def export_articles(con: duckdb.DuckDBPyConnection, request: ExportRequest) -> ExportReport:
    """Returns what was written: the selected articles, one row each, partitioned."""
    if request.format not in FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {request.format!r}")
    out = Path(request.out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = out / f".export-{uuid.uuid4().hex[:12]}"
    try:
        articles = _copy(con, request, scratch)
        partitions = _swap_into_place(scratch, out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    files = sum(len([f for f in p.iterdir() if f.is_file()]) for p in partitions)
    return ExportReport(articles, len(partitions), files)


def _copy(con: duckdb.DuckDBPyConnection, request: ExportRequest, scratch: Path) -> int:
    where, params = "", {}
    if request.since:
        where += " AND coalesce(a.published_at, a.first_seen_at) >= $since"
        params["since"] = request.since
    if request.source:
        where += " AND a.source = $source"
        params["source"] = request.source
    sql = _ROWS.format(
        tags_column=", t.tags" if request.with_tags else "",
        tags_join=_TAGS_JOIN if request.with_tags else "",
        where=where,
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE export_rows AS {sql}", params)
    try:
        [(count,)] = con.execute("SELECT count(*) FROM export_rows").fetchall()
        if count and request.format == "jsonl":
            _copy_each_partition(con, scratch)
        elif count:
            con.execute(f"COPY ({_select_for(request.format, request.with_tags)})"
                        f" TO '{_quoted(scratch)}' ({_copy_options(request.format)})")  # fmt: skip
    finally:
        con.execute("DROP TABLE IF EXISTS export_rows")
    return count


def _select_for(fmt: str, with_tags: bool) -> str:
    if fmt != "csv":
        return "SELECT * FROM export_rows"
    # CSV has no lists: they go as JSON arrays, which every CSV reader can unpack.
    lists = [c for c in _LIST_COLUMNS if with_tags or c != "tags"]
    replaced = ", ".join(f"to_json({c})::VARCHAR AS {c}" for c in lists)
    return f"SELECT * REPLACE ({replaced}) FROM export_rows"


def _copy_options(fmt: str) -> str:
    options = {"parquet": "FORMAT parquet, COMPRESSION zstd", "csv": "FORMAT csv, HEADER true"}
    return f"{options[fmt]}, PARTITION_BY (day, source), FILENAME_PATTERN 'articles_{{i}}'"


def _copy_each_partition(con: duckdb.DuckDBPyConnection, scratch: Path) -> None:
    # DuckDB's JSON writer has no PARTITION_BY: one COPY per partition, same layout.
    partitions = con.execute("SELECT DISTINCT day, source FROM export_rows ORDER BY 1, 2")
    for day, source in partitions.fetchall():
        folder = scratch / f"day={day}" / f"source={source}"
        folder.mkdir(parents=True)
        con.execute(
            "COPY (SELECT * EXCLUDE (day, source) FROM export_rows WHERE day = ? AND source = ?)"
            f" TO '{_quoted(folder / 'articles_0.jsonl')}' (FORMAT json)",
            [day, source],
        )


def _swap_into_place(scratch: Path, out: Path) -> list[Path]:
    """Moves each partition folder written to scratch over the same one in out."""
    placed = []
    for partition in sorted(p for p in scratch.glob("day=*/source=*") if p.is_dir()):
        target = out / partition.relative_to(scratch)
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        partition.rename(target)
        placed.append(target)
    return placed


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
