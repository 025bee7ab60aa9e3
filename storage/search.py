"""Searches the full-text index: BM25 over every segment, filtered, best first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from storage.search_index import segment_numbers, segment_table


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """What narrows a search: language code, source name, date from, how many results."""

    language: str | None = None
    source: str | None = None
    since: datetime | None = None
    limit: int = 20


@dataclass(frozen=True, slots=True)
class Hit:
    """One article found, with its BM25 score and its text (for the snippet)."""

    url: str
    title: str | None
    source: str
    language: str | None
    date: datetime | None
    score: float
    text: str


def indexed_languages(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Returns the languages of the indexed articles, most frequent first."""
    rows = con.execute(
        "SELECT language FROM documents WHERE language IS NOT NULL"
        " GROUP BY language ORDER BY count(*) DESC"
    ).fetchall()
    return [r[0] for r in rows]


def indexed_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Returns the sources of the indexed articles, by name."""
    rows = con.execute("SELECT DISTINCT source FROM documents ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def search(
    con: duckdb.DuckDBPyConnection, terms: list[str], filters: SearchFilters = SearchFilters()
) -> list[Hit]:
    """Returns the articles matching any of `terms` (as indexed), ranked by BM25.

    Each segment scores its own documents (its own document frequencies: segments are
    large and mixed, so scores compare across them).
    """
    segments = segment_numbers(con)
    if not terms or not segments:
        return []
    scored = " UNION ALL ".join(
        f"SELECT doc_id, fts_main_{segment_table(s)}.match_bm25(doc_id, $query) AS score"
        f" FROM {segment_table(s)}"
        for s in segments
    )
    where, params = _filters(filters)
    # The best `limit` first, then their texts: no text is read for the other matches.
    rows = con.execute(
        f"""
        WITH best AS (
            SELECT h.doc_id, h.score FROM ({scored}) h JOIN documents d USING (doc_id)
            WHERE h.score IS NOT NULL {where}
            ORDER BY h.score DESC, d.url LIMIT $limit
        )
        SELECT d.url, d.title, d.source, d.language, coalesce(d.published_at, d.first_seen_at),
               b.score, d.text
        FROM best b JOIN documents d USING (doc_id)
        ORDER BY b.score DESC, d.url
        """,
        {"query": " ".join(dict.fromkeys(terms)), "limit": filters.limit, **params},
    ).fetchall()
    return [Hit(*row) for row in rows]


def _filters(filters: SearchFilters) -> tuple[str, dict]:
    clauses, params = [], {}
    if filters.language:
        clauses.append("d.language = $language")
        params["language"] = filters.language
    if filters.source:
        clauses.append("d.source = $source")
        params["source"] = filters.source
    if filters.since:
        clauses.append("coalesce(d.published_at, d.first_seen_at) >= $since")
        params["since"] = filters.since
    return "".join(f" AND {c}" for c in clauses), params


def write_search_macro(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)defines `bm25(query)`, a table of (doc_id, score) over every segment, for SQL.

    Each segment's own fts macro scores it: `fts_main_seg_NNNNN.match_bm25(doc_id, q)`.
    """
    parts = [
        f"SELECT doc_id, fts_main_{table}.match_bm25(doc_id, lower(strip_accents(query)))"
        f" AS score FROM {table}"
        for table in map(segment_table, segment_numbers(con))
    ] or ["SELECT NULL::BIGINT AS doc_id, NULL::DOUBLE AS score WHERE false"]
    union = " UNION ALL ".join(parts)
    con.execute(
        f"CREATE OR REPLACE MACRO bm25(query) AS TABLE"
        f" SELECT * FROM ({union}) WHERE score IS NOT NULL"
    )
