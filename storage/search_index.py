"""The full-text search index: a companion DuckDB file of documents and fts indexes.

Where it lives: `news.duckdb` -> `news.search.duckdb` beside it. fts cannot create its
index inside a DuckLake catalog, so with DuckLake the index is the same kind of file,
beside the catalog's SQLite file (`ducklake:sqlite:PATH`) or, for a PostgreSQL catalog,
`data/<database>.search.duckdb`; in every case it is rebuilt from the articles alone.

Kept current incrementally: fts indexes do not update themselves and rebuilding one
costs ~0.45 ms per article (docs/benchmarks.md), so documents are split by arrival into
segments of SEGMENT_DOCS, each a table with its own fts index. New and changed articles
go to the open (last) segment, and only the segments that changed are re-indexed: a
night pays for at most a few thousand documents whatever the archive's size. A changed
article leaves its old segment at once (its row is deleted, so it is never returned);
that segment's index is rebuilt when a fifth of it is gone.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import duckdb
import pyarrow as pa

from newsflow.errors import DatabaseBusyError, StorageError
from storage.extensions import load_extension

log = logging.getLogger(__name__)

SEGMENT_DOCS = 5_000
REBUILD_WHEN_REMOVED = 0.2
_LOCK_MESSAGES = ("could not set lock", "conflicting lock", "database is locked")

SCHEMA = """
CREATE TABLE IF NOT EXISTS index_meta (key VARCHAR, value VARCHAR);
CREATE TABLE IF NOT EXISTS documents (
    doc_id BIGINT NOT NULL,           -- new for every version of an article
    url VARCHAR NOT NULL,
    segment INTEGER NOT NULL,         -- the table seg_NNNNN holding its terms
    fingerprint VARCHAR NOT NULL,     -- of what was indexed: changes mean re-index
    source VARCHAR, language VARCHAR,
    published_at TIMESTAMPTZ, first_seen_at TIMESTAMPTZ,
    title VARCHAR, text VARCHAR
);
CREATE TABLE IF NOT EXISTS segments (
    segment INTEGER NOT NULL, docs INTEGER NOT NULL, removed INTEGER NOT NULL,
    dirty BOOLEAN NOT NULL, built_at TIMESTAMPTZ
);
"""

# What each article is indexed from, and a fingerprint that changes when any of it does.
ARTICLES_SQL = """
SELECT a.url, md5(concat_ws('|', a.content_hash, a.title, a.source, l.code, a.language,
                            a.published_at, a.first_seen_at)) AS fingerprint,
       a.source, coalesce(l.code, a.language) AS language, a.published_at, a.first_seen_at,
       a.title, a.text
FROM articles a
LEFT JOIN (SELECT url, any_value(code) AS code FROM article_tags
           WHERE kind = 'language' GROUP BY url) l USING (url)
"""


class IndexedArticle(NamedTuple):
    """An article as ARTICLES_SQL reads it for the index, before its terms are made."""

    url: str
    fingerprint: str
    source: str
    language: str | None
    published_at: object
    first_seen_at: object
    title: str | None
    text: str


class IndexDocument(NamedTuple):
    """An article as the index keeps it: what it shows in results, and its terms."""

    article: IndexedArticle
    terms: str


def index_path(db: str | Path) -> Path:
    """Returns the search index file that goes with a database (file or DuckLake)."""
    db = str(db)
    if not db.startswith("ducklake:"):
        path = Path(db)
    elif db.startswith("ducklake:postgres:"):
        name = re.search(r"dbname=(\S+)", db)
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name.group(1) if name else "lake")
        path = Path("data") / f"{slug}.duckdb"
    else:
        path = Path(db.removeprefix("ducklake:").removeprefix("sqlite:"))
    return path.with_name(f"{path.stem}.search.duckdb")


@contextmanager
def open_index(
    path: str | Path, *, read_only: bool = False, wait_seconds: float = 10.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yields a connection to the index file with fts loaded, closed on exit."""
    path = Path(path)
    if read_only and not path.exists():
        raise StorageError(str(path), "no search index yet (`newsflow index` builds it)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = _open_with_retry(path, read_only, wait_seconds)
    try:
        load_extension(con, "fts")
        if not read_only:
            con.execute(SCHEMA)
        yield con
    finally:
        con.close()


def _open_with_retry(path: Path, read_only: bool, wait_seconds: float):
    deadline, delay = time.monotonic() + wait_seconds, 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0]
            if not any(m in message.lower() for m in _LOCK_MESSAGES):
                raise StorageError(str(path), message) from None
            if time.monotonic() >= deadline:
                raise DatabaseBusyError(str(path), f"held by another process ({message})") from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def article_fingerprints(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Returns (url, fingerprint) of every article in the database."""
    return con.execute(f"SELECT url, fingerprint FROM ({ARTICLES_SQL})").to_arrow_table()


def articles_for_index(con: duckdb.DuckDBPyConnection, urls: list[str]) -> list[IndexedArticle]:
    """Returns the articles with these URLs as the index reads them."""
    rows = con.execute(
        f"SELECT * FROM ({ARTICLES_SQL}) WHERE url IN (SELECT unnest(?))", [urls]
    ).fetchall()
    return [IndexedArticle(*row) for row in rows]


def analyzer_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """Returns the analyzer version the index was built with (None: empty index)."""
    rows = con.execute("SELECT value FROM index_meta WHERE key = 'analyzer'").fetchall()
    return rows[0][0] if rows else None


def database_identity(con: duckdb.DuckDBPyConnection) -> str:
    """Returns what tells the database on `con` from any other: the moment its schema was
    created (schema_version's first row, never copied: copy-db's target has its own)."""
    rows = con.execute("SELECT applied_at FROM schema_version WHERE version = 1").fetchall()
    if not rows:
        raise StorageError("database", "has no schema yet (run `newsflow ingest`)")
    return rows[0][0].isoformat()


def indexed_database(con: duckdb.DuckDBPyConnection) -> str | None:
    """Returns the identity of the database the index was built from (None: not recorded)."""
    rows = con.execute("SELECT value FROM index_meta WHERE key = 'database'").fetchall()
    return rows[0][0] if rows else None


def claim(con: duckdb.DuckDBPyConnection, identity: str) -> None:
    """Records that the (empty or rebuilt) index is the one of the database `identity`."""
    con.execute("DELETE FROM index_meta WHERE key = 'database'")
    con.execute("INSERT INTO index_meta VALUES ('database', ?)", [identity])


def check_belongs(con: duckdb.DuckDBPyConnection, path: str | Path, identity: str) -> None:
    """Raises StorageError unless the index on `con` was built from the database `identity`:
    two databases whose default index is the same file must not answer for each other."""
    if indexed_database(con) != identity:
        raise StorageError(
            str(path),
            "this search index was built from another database: `newsflow index --rebuild"
            " --db …` rebuilds it for this one, or give each database its own --index",
        )


def reset(con: duckdb.DuckDBPyConnection, analyzer: str) -> None:
    """Empties the index, to be rebuilt with terms from `analyzer`."""
    for (segment,) in con.execute("SELECT segment FROM segments").fetchall():
        _drop_segment(con, segment)
    con.execute("DELETE FROM documents; DELETE FROM segments; DELETE FROM index_meta")
    con.execute("INSERT INTO index_meta VALUES ('analyzer', ?)", [analyzer])


def changes(con: duckdb.DuckDBPyConnection, current: pa.Table) -> tuple[list[str], list[str]]:
    """Returns the URLs to (re)index and the URLs gone from the database."""
    con.register("current_articles", current)
    try:
        todo = con.execute(
            "SELECT c.url FROM current_articles c LEFT JOIN documents d USING (url)"
            " WHERE d.fingerprint IS DISTINCT FROM c.fingerprint ORDER BY c.url"
        ).fetchall()
        gone = con.execute(
            "SELECT url FROM documents WHERE url NOT IN (SELECT url FROM current_articles)"
        ).fetchall()
    finally:
        con.unregister("current_articles")
    return [r[0] for r in todo], [r[0] for r in gone]


def remove(con: duckdb.DuckDBPyConnection, urls: list[str]) -> int:
    """Takes these articles out of the index; returns how many were in it."""
    rows = con.execute(
        "SELECT segment, list(doc_id) FROM documents WHERE url IN (SELECT unnest(?))"
        " GROUP BY segment",
        [urls],
    ).fetchall()
    for segment, doc_ids in rows:
        table = segment_table(segment)
        con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest(?))", [doc_ids])
        con.execute(
            "UPDATE segments SET removed = removed + ?,"
            " dirty = dirty OR (removed + ?) > docs * ? WHERE segment = ?",
            [len(doc_ids), len(doc_ids), REBUILD_WHEN_REMOVED, segment],
        )
    con.execute("DELETE FROM documents WHERE url IN (SELECT unnest(?))", [urls])
    return sum(len(ids) for _, ids in rows)


def replace(con: duckdb.DuckDBPyConnection, documents: list[IndexDocument]) -> None:
    """Puts these documents in the index in place of their articles' older ones, at once."""
    con.execute("BEGIN TRANSACTION")
    try:
        remove(con, [d.article.url for d in documents])
        add(con, documents)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def document_count(con: duckdb.DuckDBPyConnection) -> int:
    """Returns how many documents the index holds."""
    [(count,)] = con.execute("SELECT count(*) FROM documents").fetchall()
    return count


def add(con: duckdb.DuckDBPyConnection, documents: list[IndexDocument]) -> None:
    """Adds documents (not already in the index) to the open segment, opening new ones."""
    [(next_id,)] = con.execute("SELECT coalesce(max(doc_id), 0) + 1 FROM documents").fetchall()
    done = 0
    while done < len(documents):
        segment, room = _open_segment(con)
        chunk = documents[done : done + room]
        ids = list(range(next_id, next_id + len(chunk)))
        _insert(con, segment, ids, chunk)
        con.execute(
            "UPDATE segments SET docs = docs + ?, dirty = true WHERE segment = ?",
            [len(chunk), segment],
        )
        done, next_id = done + len(chunk), next_id + len(chunk)


def _open_segment(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    rows = con.execute(
        "SELECT segment, docs FROM segments ORDER BY segment DESC LIMIT 1"
    ).fetchall()
    if rows and rows[0][1] < SEGMENT_DOCS:
        return rows[0][0], SEGMENT_DOCS - rows[0][1]
    segment = rows[0][0] + 1 if rows else 1
    con.execute(f"CREATE TABLE {segment_table(segment)} (doc_id BIGINT NOT NULL, terms VARCHAR)")
    con.execute("INSERT INTO segments VALUES (?, 0, 0, true, NULL)", [segment])
    return segment, SEGMENT_DOCS


def _insert(con, segment: int, ids: list[int], docs: list[IndexDocument]) -> None:
    articles = [d.article for d in docs]
    table = pa.table(
        {
            "doc_id": pa.array(ids, pa.int64()),
            "url": [a.url for a in articles],
            "segment": pa.array([segment] * len(docs), pa.int32()),
            "fingerprint": [a.fingerprint for a in articles],
            "source": [a.source for a in articles],
            "language": [a.language for a in articles],
            "published_at": pa.array([a.published_at for a in articles], pa.timestamp("us", "UTC")),
            "first_seen_at": pa.array(
                [a.first_seen_at for a in articles], pa.timestamp("us", "UTC")
            ),
            "title": [a.title for a in articles],
            "text": [a.text for a in articles],
            "terms": [d.terms for d in docs],
        }
    )
    con.register("new_documents", table)
    try:
        con.execute(f"INSERT INTO {segment_table(segment)} SELECT doc_id, terms FROM new_documents")
        con.execute("INSERT INTO documents SELECT * EXCLUDE (terms) FROM new_documents")
    finally:
        con.unregister("new_documents")


def dirty_segments(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Returns the segments whose fts index is out of date."""
    return [r[0] for r in con.execute("SELECT segment FROM segments WHERE dirty").fetchall()]


def rebuild_segment(con: duckdb.DuckDBPyConnection, segment: int) -> None:
    """Re-creates one segment's fts index (drops the segment when nothing is left in it)."""
    started = time.monotonic()
    [(live,)] = con.execute(f"SELECT count(*) FROM {segment_table(segment)}").fetchall()
    if live == 0:
        _drop_segment(con, segment)
        con.execute("DELETE FROM segments WHERE segment = ?", [segment])
        return
    # Terms are made by extractors.search.search_terms: fts only splits on whitespace. (Its
    # lower/strip_accents would change nothing in them and double the build time;
    # bm25() folds a query typed in SQL instead.)
    con.execute(
        f"PRAGMA create_fts_index('{segment_table(segment)}', 'doc_id', 'terms',"
        " stemmer='none', stopwords='none', ignore='\\s+', strip_accents=0, lower=0,"
        " overwrite=1)"
    )
    # Postings sorted by term: a query's terms then sit in a few row groups, which
    # DuckDB's zone maps find without scanning the rest (half the query time).
    fts = f"fts_main_{segment_table(segment)}"
    con.execute(f"CREATE OR REPLACE TABLE {fts}.terms AS SELECT * FROM {fts}.terms ORDER BY termid")
    con.execute(
        "UPDATE segments SET docs = ?, removed = 0, dirty = false, built_at = now()"
        " WHERE segment = ?",
        [live, segment],
    )
    log.info("search index segment %d: %d documents in %.1fs", segment, live,
             time.monotonic() - started)  # fmt: skip


def segment_numbers(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Returns the segments that have an fts index."""
    return [
        r[0]
        for r in con.execute(
            "SELECT segment FROM segments WHERE built_at IS NOT NULL ORDER BY segment"
        ).fetchall()
    ]


def _drop_segment(con: duckdb.DuckDBPyConnection, segment: int) -> None:
    con.execute(f"DROP SCHEMA IF EXISTS fts_main_{segment_table(segment)} CASCADE")
    con.execute(f"DROP TABLE IF EXISTS {segment_table(segment)}")


def segment_table(segment: int) -> str:
    """Returns the name of the table holding a segment's terms."""
    return f"seg_{int(segment):05d}"
