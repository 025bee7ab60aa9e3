"""The schema, as numbered migrations applied in order and recorded in `schema_version`.

Add a migration by appending to MIGRATIONS; never edit one that has shipped. The text is
written for a DuckDB file. A DuckLake has no PRIMARY KEY or UNIQUE constraints (nor
sequences): `for_lake` strips the keys, and the writes keep them by MERGE instead
(storage/upsert.py, keyed by KEYS). Everything else (NOT NULL, DEFAULT, views, ALTER
TABLE ... ADD COLUMN) means the same on both. A test checks KEYS against the declared keys.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import duckdb

from storage.transaction import in_transaction
from storage.views import DAILY_COUNTS_BY_LOCAL_DAY, GAP_COLUMNS, VIEWS_SQL, source_status_sql


class Column(NamedTuple):
    """One column of a table as declared: its DuckDB type, constraints, and the migration
    that added it (a column added later is an ALTER TABLE of that migration)."""

    name: str
    type: str
    constraints: str = ""
    migration: int = 1

    def ddl(self) -> str:
        return " ".join(filter(None, (self.name, self.type, self.constraints)))


# The one declaration of `articles`: its DDL here, and the writes' Arrow schema, insert
# and update lists (storage/writes.py) are derived from it.
ARTICLE_COLUMNS: tuple[Column, ...] = (
    Column("url", "VARCHAR", "PRIMARY KEY"),
    Column("canonical_url", "VARCHAR"),
    Column("source", "VARCHAR", "NOT NULL"),
    Column("title", "VARCHAR"),
    Column("author", "VARCHAR"),
    Column("published_at", "TIMESTAMPTZ"),
    Column("language", "VARCHAR"),
    Column("site_name", "VARCHAR"),
    Column("description", "VARCHAR"),
    Column("categories", "VARCHAR[]"),
    Column("tags", "VARCHAR[]"),
    Column("image", "VARCHAR"),
    Column("text", "VARCHAR", "NOT NULL"),
    Column("content_hash", "VARCHAR", "NOT NULL"),
    Column("first_seen_at", "TIMESTAMPTZ", "NOT NULL"),
    Column("last_seen_at", "TIMESTAMPTZ", "NOT NULL"),
    Column("feed_url", "VARCHAR"),
    Column("entry_updated", "TIMESTAMPTZ"),
    Column("versions", "INTEGER", "NOT NULL DEFAULT 1"),
    Column("cluster_id", "VARCHAR"),
    Column("keywords_declared", "VARCHAR[]", migration=5),  # declared by sitemaps, JSON-LD
    Column("free_access", "BOOLEAN", migration=5),
    # Minutes east of UTC the publisher stated published_at with; NULL where it stated none.
    Column("published_offset_minutes", "INTEGER", migration=10),
)


def create_table(table: str, columns: tuple[Column, ...]) -> str:
    """Returns the CREATE TABLE of `table` with the columns of the first migration."""
    body = ",\n        ".join(c.ddl() for c in columns if c.migration == 1)
    return f"CREATE TABLE {table} (\n        {body}\n    );\n"


def add_columns(table: str, columns: tuple[Column, ...], migration: int) -> str:
    """Returns the ALTER TABLE statements adding the columns `migration` added to `table`."""
    added = [c for c in columns if c.migration == migration]
    return "".join(f"\n    ALTER TABLE {table} ADD COLUMN {c.ddl()};" for c in added) + "\n"


MIGRATIONS: list[str] = [
    # 1: the core pipeline
    """
    CREATE TABLE runs (
        run_id VARCHAR PRIMARY KEY,          -- the Prefect flow run id (or a uuid outside Prefect)
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        state VARCHAR NOT NULL,              -- RUNNING | COMPLETED | FAILED | DB_BUSY
        sources_total INTEGER, sources_failed INTEGER,
        articles_new INTEGER, articles_updated INTEGER, articles_unchanged INTEGER,
        fetches INTEGER, fetch_errors INTEGER,
        message VARCHAR
    );
    CREATE TABLE fetches (
        fetch_id VARCHAR PRIMARY KEY,  -- hash of run_id, kind, url, time: re-insert is a no-op
        url VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        run_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,               -- feed | page | home | sitemap | robots
        fetched_at TIMESTAMPTZ NOT NULL,
        status INTEGER,
        outcome VARCHAR NOT NULL,
        error VARCHAR,
        elapsed_ms INTEGER,
        bytes BIGINT,
        final_url VARCHAR
    );
    """
    + create_table("articles", ARTICLE_COLUMNS)
    + """
    CREATE TABLE article_versions (
        url VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        fetched_at TIMESTAMPTZ NOT NULL,
        run_id VARCHAR,
        title VARCHAR,
        text VARCHAR,
        PRIMARY KEY (url, version)
    );
    CREATE TABLE raw_pages (
        url VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL,       -- of the extracted text: one row per article version
        fetched_at TIMESTAMPTZ NOT NULL,
        content_type VARCHAR,
        encoding VARCHAR,
        html_zlib BLOB NOT NULL,             -- zlib-compressed bytes exactly as fetched
        PRIMARY KEY (url, content_hash)
    );
    CREATE TABLE feeds (
        feed_url VARCHAR PRIMARY KEY,
        source VARCHAR NOT NULL,
        etag VARCHAR, last_modified VARCHAR,
        last_fetched_at TIMESTAMPTZ, last_status INTEGER, last_outcome VARCHAR,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        last_error VARCHAR,
        entries_seen INTEGER
    );
    CREATE TABLE source_health (
        source VARCHAR PRIMARY KEY,
        discovered_feed VARCHAR,             -- for kind=auto: the feed found on the home page
        last_run_id VARCHAR,
        last_ok_at TIMESTAMPTZ,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        healthy BOOLEAN NOT NULL DEFAULT TRUE,
        last_error VARCHAR
    );
    CREATE TABLE http_cache (               -- small documents reused across nights (robots.txt)
        url VARCHAR PRIMARY KEY,
        fetched_at TIMESTAMPTZ NOT NULL,
        status INTEGER,
        etag VARCHAR, last_modified VARCHAR,
        body BLOB
    );
    """,
    # 2: tags and near-duplicate signatures
    """
    CREATE TABLE tags (
        url VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,               -- language | person | org | place | keyword | topic
        value VARCHAR NOT NULL,
        score DOUBLE,
        tagger VARCHAR NOT NULL,
        tagger_version VARCHAR NOT NULL,
        code VARCHAR,
        surface VARCHAR,
        tagged_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (url, kind, value, tagger)
    );
    CREATE VIEW article_tags AS
        SELECT url, kind, value, score, tagger, tagger_version, code, surface, tagged_at FROM tags;
    CREATE TABLE minhash_bands (            -- LSH bands of each article's MinHash
        band SMALLINT NOT NULL,
        bucket UBIGINT NOT NULL,
        url VARCHAR NOT NULL,
        cluster_id VARCHAR NOT NULL,
        PRIMARY KEY (band, bucket, url)
    );
    """,
    # 3: which tagger version last looked at each article, tags found or not: what
    # `newsflow reextract` compares with the running taggers' versions.
    """
    CREATE TABLE article_taggers (
        url VARCHAR NOT NULL,
        tagger VARCHAR NOT NULL,
        tagger_version VARCHAR NOT NULL,
        tagged_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (url, tagger)
    );
    """,
    # 4: when each source was last asked: an unhealthy source is asked again only after a
    # backoff counted from its last attempt, not from its last success.
    """
    ALTER TABLE source_health ADD COLUMN last_attempt_at TIMESTAMPTZ;
    """,
    # 5: what news sitemaps and JSON-LD declare, and the views every analyst asks for
    # (storage/views.py: each view's SQL, documented in docs/schema.md's table).
    add_columns("articles", ARTICLE_COLUMNS, migration=5) + VIEWS_SQL,
    # 6: each source's memory of recurring lines (storage/furniture.py): hashes and counts
    # of distinct pages, never the text, and only for the source's recent pages.
    """
    CREATE TABLE furniture_pages (          -- the distinct pages counted, per source
        source VARCHAR NOT NULL,
        url VARCHAR NOT NULL,
        page_hash VARCHAR NOT NULL,          -- of the page's line keys: copies count once
        page_no INTEGER NOT NULL,            -- 1, 2, … in the order the source's pages came
        counted_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (source, url)
    );
    CREATE TABLE furniture_lines (          -- on how many of those pages each line was
        source VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,               -- line | title_start | title_end
        key VARCHAR NOT NULL,                -- extractors.article.furniture.line_key of the line
        pages INTEGER NOT NULL,
        first_page INTEGER NOT NULL,         -- page_no where it was first seen
        last_page INTEGER NOT NULL,          -- and last seen
        PRIMARY KEY (source, kind, key)
    );
    """,
    # 7: minhash_bands without its key on the file. Its index (32 entries an article) was
    # loaded and rewritten at every batch: on 100,000 articles a batch's peak ~190 MB and
    # ~1.5 CPU-s more (bench/store_memory.py). Nothing looks rows up by that key; an
    # article's bands are replaced whole (storage/clusters.py deletes, then inserts).
    # KEYS keeps (band, bucket, url) as what makes a row the same row.
    """
    CREATE TABLE minhash_bands_unkeyed (
        band SMALLINT NOT NULL,
        bucket UBIGINT NOT NULL,
        url VARCHAR NOT NULL,
        cluster_id VARCHAR NOT NULL
    );
    INSERT INTO minhash_bands_unkeyed SELECT band, bucket, url, cluster_id FROM minhash_bands;
    DROP TABLE minhash_bands;
    ALTER TABLE minhash_bands_unkeyed RENAME TO minhash_bands;
    """,
    # 8: each source at its own pace (newsflow/pace.py): how long it waits between reads,
    # and when it is next due (the later of its pace and its health back-off).
    """
    ALTER TABLE source_health ADD COLUMN read_interval_seconds INTEGER;
    ALTER TABLE source_health ADD COLUMN next_due_at TIMESTAMPTZ;
    DROP VIEW source_status;
    """
    + source_status_sql(("next_due_at",)),
    # 9: gaps (fetchers/backfill.py): runs in which a source's feed had rolled past what
    # was stored and backfill could not recover the rest, the last one, and how the
    # source's feed pages back (learned once: WordPress's ?paged= is tried, not assumed).
    # A later migration recreating source_status lists GAP_COLUMNS too.
    """
    ALTER TABLE source_health ADD COLUMN gaps INTEGER DEFAULT 0;
    ALTER TABLE source_health ADD COLUMN last_gap_at TIMESTAMPTZ;
    ALTER TABLE source_health ADD COLUMN paging VARCHAR;
    DROP VIEW source_status;
    """
    + source_status_sql(("next_due_at", *GAP_COLUMNS)),
    # 10: the offset the publisher stated beside the instant (a TIMESTAMPTZ keeps only the
    # instant), and daily_counts counting by the publisher's local day with it.
    add_columns("articles", ARTICLE_COLUMNS, migration=10) + DAILY_COUNTS_BY_LOCAL_DAY,
    # 11: `extraction_alert`: a source whose extraction looks broken since its last run
    # (storage/extraction_alerts.py), computed from fetches and article_versions.
    "DROP VIEW source_status;" + source_status_sql(("next_due_at", *GAP_COLUMNS), alerts=True),
    # 12: what each watch (a saved search of sources.toml) matched, night by night
    # (storage/watches.py); kept when the watch leaves the file.
    """
    CREATE TABLE watch_matches (
        watch VARCHAR NOT NULL,              -- the watch's name
        url VARCHAR NOT NULL,                -- an article matches a watch once ever
        run_id VARCHAR NOT NULL,             -- the night that brought it
        matched_at TIMESTAMPTZ NOT NULL,
        score DOUBLE NOT NULL,               -- BM25 in its index segment (rank, not a measure)
        query VARCHAR NOT NULL,              -- the watch's query then
        PRIMARY KEY (watch, url)
    );
    CREATE VIEW watch_digest AS
    SELECT watch, CAST(timezone('UTC', matched_at) AS DATE) AS day, count(*) AS matches
    FROM watch_matches GROUP BY ALL ORDER BY day DESC, watch;
    """,
]

# Tables whose key the file does not declare (no index): their writes never rely on it.
UNINDEXED = frozenset({"minhash_bands"})


# The key of every table: what makes a row the same row. The file declares it as PRIMARY
# KEY; on a lake the writes' MERGE keeps it.
KEYS: dict[str, tuple[str, ...]] = {
    "schema_version": ("version",),
    "runs": ("run_id",),
    "fetches": ("fetch_id",),
    "articles": ("url",),
    "article_versions": ("url", "version"),
    "raw_pages": ("url", "content_hash"),
    "feeds": ("feed_url",),
    "source_health": ("source",),
    "http_cache": ("url",),
    "tags": ("url", "kind", "value", "tagger"),
    "minhash_bands": ("band", "bucket", "url"),
    "article_taggers": ("url", "tagger"),
    "furniture_pages": ("source", "url"),
    "furniture_lines": ("source", "kind", "key"),
    "watch_matches": ("watch", "url"),
}

VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
)

_COLUMN_KEY = re.compile(r"\s+PRIMARY KEY\b(?!\s*\()", re.IGNORECASE)
# The comma before a table's key, a comment after it kept: `x BLOB, -- why\n PRIMARY KEY (…)`
_TABLE_KEY = re.compile(r",([ \t]*--[^\n]*)?\s*PRIMARY KEY\s*\([^)]*\)", re.IGNORECASE)


def for_lake(ddl: str) -> str:
    """Returns the migration `ddl` without the key constraints a DuckLake cannot hold; key
    columns stay NOT NULL."""
    # A key column is NOT NULL on the file by being the key; on a lake it says so.
    return _COLUMN_KEY.sub(" NOT NULL", _TABLE_KEY.sub(lambda m: m.group(1) or "", ddl))


def is_lake_connection(con: duckdb.DuckDBPyConnection) -> bool:
    """Returns whether the connection's default catalog is a DuckLake."""
    [(kind,)] = con.execute(
        "SELECT type FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return kind == "ducklake"


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Returns the schema version after applying every migration not yet applied.

    Safe when several processes open a new lake at once: a migration another process
    committed first makes this one's commit conflict, and the retry finds it applied.
    """
    lake = is_lake_connection(con)
    if _current_version(con) == len(MIGRATIONS):
        return len(MIGRATIONS)
    in_transaction(con, lambda: con.execute(for_lake(VERSION_TABLE) if lake else VERSION_TABLE),
                   "create schema_version")  # fmt: skip
    for version, ddl in enumerate(MIGRATIONS, start=1):
        in_transaction(con, lambda v=version, d=ddl: _apply(con, v, for_lake(d) if lake else d),
                       f"migration {version}")  # fmt: skip
    return len(MIGRATIONS)


def _current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
        " AND schema_name = current_schema() AND table_name = 'schema_version'"
    ).fetchall()
    if exists != [(1,)]:
        return 0
    # fetchall, not fetchone: DuckDB 2.0 keeps a half-read result open and refuses other work.
    [(current,)] = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()
    return current


def _apply(con: duckdb.DuckDBPyConnection, version: int, ddl: str) -> None:
    if _current_version(con) >= version:
        return  # applied meanwhile by another process
    con.execute(ddl)
    con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
