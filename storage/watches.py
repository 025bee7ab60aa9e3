"""Watches in the database and the search index: which articles a night brought, which of
them each watch matches (BM25 over the index), and `watch_matches`.

Watches look only at the night's articles (new or changed: a version written under the
night's run id), and only in the index segments holding them: new and changed articles
go to the open segment, so a night scores one or two segments whatever the archive's
size. Every watch is scored in the same pass over those segments' postings, each by its
own terms and filters. An article matches a watch once ever: `watch_matches` is keyed
by (watch, url).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from storage.schema import KEYS
from storage.search_index import segment_table


@dataclass(frozen=True, slots=True)
class WatchFilters:
    """What narrows a watch besides its words: all must hold."""

    language: str | None = None
    source: str | None = None
    since: datetime | None = None
    tags: tuple[tuple[str, str], ...] = ()  # (kind, value), value or code, case folded


@dataclass(frozen=True, slots=True)
class WatchMatch:
    """An article a watch matched, with what an announcement shows of it."""

    watch: str
    url: str
    score: float
    title: str | None
    source: str
    published_at: datetime | None


def night_articles(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[pa.Table, pa.Table]:
    """Returns the URLs of the articles run `run_id` added or changed, and their tags
    (url, kind, value, code)."""
    urls = con.execute(
        "SELECT DISTINCT url FROM article_versions WHERE run_id = ?", [run_id]
    ).to_arrow_table()
    tags = con.execute(
        "SELECT url, kind, value, code FROM article_tags"
        " WHERE url IN (SELECT url FROM article_versions WHERE run_id = ?)",
        [run_id],
    ).to_arrow_table()
    return urls, tags


@dataclass(frozen=True, slots=True)
class WatchQuery:
    """A watch as the index is asked: its name, its query's terms (as indexed), its filters."""

    watch: str
    terms: tuple[str, ...]
    filters: WatchFilters = WatchFilters()


# BM25 exactly as fts's match_bm25 scores (k = 1.2, b = 0.75, its own log), for every watch
# at once: each watch's terms are looked up in the segment's dictionary, and only the
# postings of the night's documents are read. One fts macro call a watch cost ~55 ms
# whatever the night (the macro is planned anew each time): 1,000 watches took a minute.
_SEGMENT_SCORES = """
SELECT q.watch, n.doc_id,
       sum(log(((st.num_docs - q.df) + 0.5) / (q.df + 0.5) + 1)
           * ((tf.tf * (1.2 + 1)) / (tf.tf + 1.2 * ((1 - 0.75) + 0.75 * (n.len / st.avgdl)))))
           AS score
FROM (SELECT DISTINCT w.watch, d.termid, d.df FROM watch_terms w
      JOIN {fts}.dict d ON d.term = w.term) q
JOIN (SELECT t.docid, t.termid, count(*) AS tf FROM {fts}.terms t
      WHERE t.docid IN (SELECT docid FROM night_{segment})
        AND t.termid IN (SELECT termid FROM {fts}.dict WHERE term IN (SELECT term FROM watch_terms))
      GROUP BY t.docid, t.termid) tf USING (termid)
JOIN night_{segment} n USING (docid)
CROSS JOIN {fts}.stats st
GROUP BY q.watch, n.doc_id
"""

_MATCHES = """
SELECT s.watch, d.url, s.score, d.title, d.source, d.published_at
FROM ({scores}) s JOIN documents d USING (doc_id) JOIN watch_filters f USING (watch)
WHERE (f.language IS NULL OR d.language = f.language)
  AND (f.source IS NULL OR d.source = f.source)
  AND (f.since IS NULL OR coalesce(d.published_at, d.first_seen_at) >= f.since)
  AND NOT EXISTS (
      SELECT 1 FROM watch_tags w WHERE w.watch = s.watch AND NOT EXISTS (
          SELECT 1 FROM night_tags t WHERE t.url = d.url AND t.kind = w.kind
             AND (lower(t.value) = lower(w.value) OR lower(t.code) = lower(w.value))))
ORDER BY s.watch, s.score DESC, d.url
"""


class NightIndex:
    """The night's articles in the search index (a connection to it): where watches look.

    Registers the night's URLs and tags on the connection until `close`."""

    def __init__(self, idx: duckdb.DuckDBPyConnection, urls: pa.Table, tags: pa.Table):
        self.idx = idx
        idx.register("night_urls", urls)
        idx.register("night_tags", tags)
        idx.execute(
            "CREATE OR REPLACE TEMP TABLE night_docs AS SELECT d.doc_id, d.segment"
            " FROM documents d JOIN night_urls USING (url)"
        )
        built = idx.execute(
            "SELECT DISTINCT n.segment FROM night_docs n JOIN segments s USING (segment)"
            " WHERE s.built_at IS NOT NULL ORDER BY 1"
        ).fetchall()
        self.segments = [r[0] for r in built]
        for segment in self.segments:
            fts = f"fts_main_{segment_table(segment)}"
            idx.execute(
                f"CREATE OR REPLACE TEMP TABLE night_{segment} AS SELECT f.docid, f.name AS"
                f" doc_id, f.len FROM {fts}.docs f WHERE f.name IN"
                f" (SELECT doc_id FROM night_docs WHERE segment = {int(segment)})"
            )
        [(self.documents,)] = idx.execute("SELECT count(*) FROM night_docs").fetchall()

    def close(self) -> None:
        for segment in self.segments:
            self.idx.execute(f"DROP TABLE IF EXISTS night_{int(segment)}")
        self.idx.execute("DROP TABLE IF EXISTS night_docs")
        self.idx.unregister("night_urls")
        self.idx.unregister("night_tags")

    def matches(self, queries: list[WatchQuery]) -> list[WatchMatch]:
        """Returns the night's articles each watch matches (any of its terms, every filter
        holding), by watch, best first; scores are those `newsflow search` gives."""
        queries = [q for q in queries if q.terms]
        if not queries or not self.segments:
            return []
        scores = " UNION ALL ".join(
            _SEGMENT_SCORES.format(fts=f"fts_main_{segment_table(s)}", segment=int(s))
            for s in self.segments
        )
        tables = _watch_tables(queries)
        for name, table in tables.items():
            self.idx.register(name, table)
        try:
            rows = self.idx.execute(_MATCHES.format(scores=scores)).fetchall()
        finally:
            for name in tables:
                self.idx.unregister(name)
        return [WatchMatch(*row) for row in rows]


def _watch_tables(queries: list[WatchQuery]) -> dict[str, pa.Table]:
    terms = [(q.watch, t) for q in queries for t in dict.fromkeys(q.terms)]
    tags = [(q.watch, kind, value) for q in queries for kind, value in q.filters.tags]
    return {
        "watch_terms": pa.table({"watch": [w for w, _ in terms], "term": [t for _, t in terms]}),
        "watch_filters": pa.table(
            {
                "watch": [q.watch for q in queries],
                "language": pa.array([q.filters.language for q in queries], pa.string()),
                "source": pa.array([q.filters.source for q in queries], pa.string()),
                "since": pa.array([q.filters.since for q in queries], pa.timestamp("us", "UTC")),
            }
        ),
        "watch_tags": pa.table(
            {
                "watch": pa.array([w for w, _, _ in tags], pa.string()),
                "kind": pa.array([k for _, k, _ in tags], pa.string()),
                "value": pa.array([v for _, _, v in tags], pa.string()),
            }
        ),
    }


def record_matches(
    con: duckdb.DuckDBPyConnection, run_id: str, queries: dict[str, str],
    found: list[WatchMatch], now: datetime,
) -> list[WatchMatch]:  # fmt: skip
    """Returns the matches in `found` not recorded before, after adding them to
    `watch_matches` (an article matches a watch once ever). Call in a transaction."""
    if not found:
        return []
    rows = pa.table(
        {
            "watch": [m.watch for m in found],
            "url": [m.url for m in found],
            "score": pa.array([m.score for m in found], pa.float64()),
        }
    )
    con.register("found_matches", rows)
    try:
        new = con.execute(
            "SELECT f.watch, f.url FROM found_matches f"
            " ANTI JOIN watch_matches w USING (watch, url)"
        ).fetchall()
        con.execute(
            f"INSERT INTO watch_matches BY NAME SELECT f.watch, f.url, ?::VARCHAR AS run_id,"
            f" ?::TIMESTAMPTZ AS matched_at, f.score, q.query FROM found_matches f"
            f" JOIN (SELECT unnest(?::VARCHAR[]) AS watch, unnest(?::VARCHAR[]) AS query) q"
            f" USING (watch) ANTI JOIN watch_matches w USING ({', '.join(KEYS['watch_matches'])})",
            [run_id, now, list(queries), list(queries.values())],
        )
    finally:
        con.unregister("found_matches")
    fresh = set(new)
    return [m for m in found if (m.watch, m.url) in fresh]


def watch_totals(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, datetime, str | None]]:
    """Returns each watch's matches in all, when it last matched, and that article's title
    (watches no longer in the file included: their matches stay); none before migration 8."""
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name ="
                         " current_database()").fetchall()  # fmt: skip
    if ("watch_matches",) not in tables:
        return {}
    rows = con.execute(
        "SELECT w.watch, count(*), max(w.matched_at), arg_max(coalesce(a.title, w.url),"
        " (w.matched_at, w.score)) FROM watch_matches w LEFT JOIN articles a USING (url)"
        " GROUP BY w.watch"
    ).fetchall()
    return {watch: (total, last, title) for watch, total, last, title in rows}
