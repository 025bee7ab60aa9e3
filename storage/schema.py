"""The DuckDB schema, as numbered migrations applied in order and recorded in `schema_version`.

Add a migration by appending to MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

import duckdb

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
    CREATE TABLE articles (
        url VARCHAR PRIMARY KEY,
        canonical_url VARCHAR,
        source VARCHAR NOT NULL,
        title VARCHAR, author VARCHAR,
        published_at TIMESTAMPTZ,
        language VARCHAR,
        site_name VARCHAR, description VARCHAR,
        categories VARCHAR[], tags VARCHAR[],
        image VARCHAR,
        text VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL,
        first_seen_at TIMESTAMPTZ NOT NULL,
        last_seen_at TIMESTAMPTZ NOT NULL,
        feed_url VARCHAR,
        entry_updated TIMESTAMPTZ,
        versions INTEGER NOT NULL DEFAULT 1,
        cluster_id VARCHAR
    );
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
    # 5: minhash_bands without its key. Its index (32 entries an article) was loaded and
    # rewritten whole at every batch's checkpoint: on 100,000 articles ~1.8 CPU-s and
    # ~230 MB a batch (docs/benchmarks.md). Nothing looks rows up by that key; an
    # article's bands are replaced whole (storage/clusters.py deletes, then inserts).
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
]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Returns the schema version after applying every migration not yet applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    # fetchall, not fetchone: DuckDB 2.0 keeps a half-read result open and refuses other work.
    [(current,)] = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()
    for version, ddl in enumerate(MIGRATIONS, start=1):
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(ddl)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)
