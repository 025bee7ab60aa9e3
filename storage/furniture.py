"""Each source's memory of recurring lines: on how many of its distinct pages each line,
title opening and title ending was seen (as hashes, never as text), updated as each
batch is stored, and read by the next night before extraction.

A page counts once: not again when its URL is fetched again (an updated story would
otherwise count its own sentences once per version), nor when its lines are a copy of a
page already counted (the same post under two URLs), nor when most of its text is in
lines known already (a near-copy: the print version, a story reposted with a line
added). The memory stays bounded: a line not seen on the source's last PAGE_WINDOW pages
is forgotten, and so is a counted page that far back.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from newsflow.models import PageLines, SourceFurniture
from storage.transaction import in_transaction
from storage.upsert import upsert

# Furniture is on most of a source's pages: a line none of its last 200 pages shows is
# not (or no longer) furniture, and a line seen once can wait that long for a second.
PAGE_WINDOW = 200
# A page most of whose text (by characters: a story's lines are its long ones) is in
# lines the source's memory holds already is a near-copy of pages counted: three
# near-copies of one story would otherwise make its sentences look like a template's.
COPY_SHARE = 0.8
# ...and at least a story's worth of it: a short post whose text is mostly its blog's
# footer is not a copy, and it is how the memory learns that footer.
COPY_CHARS = 300


def remember_lines(
    con: duckdb.DuckDBPyConnection, pages: list[tuple[str, str, PageLines]], at: datetime
) -> int:
    """Counts the lines of the (source, url, lines) pages not counted before; returns how
    many pages were counted. Runs in its own transaction (retried on a lake conflict)."""
    if not pages:
        return 0
    return in_transaction(con, lambda: _remember(con, pages, at), "remember lines")


def load_furniture(
    con: duckdb.DuckDBPyConnection, min_pages: int, min_share: float
) -> dict[str, SourceFurniture]:
    """Returns, by source, the keys seen on at least `min_pages` of its distinct pages and
    on at least `min_share` of those counted since the key first appeared."""
    rows = con.execute(
        """
        WITH totals AS (SELECT source, max(page_no) AS total FROM furniture_pages GROUP BY source)
        SELECT l.source, l.kind, list(l.key ORDER BY l.key)
        FROM furniture_lines l JOIN totals t USING (source)
        WHERE l.pages >= $min_pages AND l.pages >= $min_share * (t.total - l.first_page + 1)
        GROUP BY l.source, l.kind
        """,
        {"min_pages": min_pages, "min_share": min_share},
    ).fetchall()
    found: dict[str, dict[str, frozenset[str]]] = {}
    for source, kind, keys in rows:
        found.setdefault(source, {})[kind] = frozenset(keys)
    return {
        source: SourceFurniture(
            lines=kinds.get("line", frozenset()),
            title_starts=kinds.get("title_start", frozenset()),
            title_ends=kinds.get("title_end", frozenset()),
        )
        for source, kinds in found.items()
    }


def _remember(con: duckdb.DuckDBPyConnection, pages, at: datetime) -> int:
    new = _uncounted(con, pages)
    if not new:
        return 0
    totals = dict(con.execute(
        "SELECT source, max(page_no) FROM furniture_pages WHERE source IN"
        " (SELECT unnest($sources)) GROUP BY source",
        {"sources": sorted({source for source, _, _ in new})},
    ).fetchall())  # fmt: skip
    page_rows, line_rows = [], []
    for source, url, lines in new:
        totals[source] = page_no = (totals.get(source) or 0) + 1
        page_rows.append((source, url, lines.page_hash, page_no, at))
        line_rows += [(source, kind, key, page_no) for kind, key in _keys(lines)]
    _write(con, page_rows, line_rows)
    _forget_old(con, totals)
    return len(page_rows)


def _uncounted(con: duckdb.DuckDBPyConnection, pages) -> list[tuple[str, str, PageLines]]:
    """Returns the pages whose URL and lines the source has not counted yet, each once."""
    counted = set(
        con.execute(
            "SELECT source, url, page_hash FROM furniture_pages WHERE source IN"
            " (SELECT unnest($sources))",
            {"sources": sorted({source for source, _, _ in pages})},
        ).fetchall()
    )
    seen = {(s, u) for s, u, _ in counted} | {(s, h) for s, _, h in counted}
    known = _known_lines(con, pages)
    new = []
    for source, url, lines in pages:
        if (source, url) in seen or (source, lines.page_hash) in seen:
            continue
        keys = [(source, key) for key in lines.lines]
        sizes = lines.sizes or (1,) * len(keys)
        held = sum(size for k, size in zip(keys, sizes, strict=True) if k in known)
        if keys and held >= max(COPY_CHARS, COPY_SHARE * sum(sizes)):
            continue
        seen |= {(source, url), (source, lines.page_hash)}
        known.update(keys)
        new.append((source, url, lines))
    return new


def _known_lines(con: duckdb.DuckDBPyConnection, pages) -> set[tuple[str, str]]:
    """Returns the (source, key) of the pages' lines that their source's memory holds."""
    wanted = {(source, key) for source, _, lines in pages for key in lines.lines}
    if not wanted:
        return set()
    sources, keys = zip(*wanted, strict=True)
    con.register("wanted_lines", pa.table({"source": sources, "key": keys}))
    try:
        return set(
            con.execute(
                "SELECT source, key FROM furniture_lines JOIN wanted_lines USING (source, key)"
                " WHERE kind = 'line'"
            ).fetchall()
        )
    finally:
        con.unregister("wanted_lines")


def _keys(lines: PageLines):
    yield from (("line", key) for key in lines.lines)
    if lines.title_start:
        yield "title_start", lines.title_start
    if lines.title_end:
        yield "title_end", lines.title_end


def _write(con: duckdb.DuckDBPyConnection, page_rows: list, line_rows: list) -> None:
    pages = pa.table(
        list(zip(*page_rows, strict=True)),
        names=["source", "url", "page_hash", "page_no", "counted_at"],
    )
    lines = pa.table(
        list(zip(*line_rows, strict=True)) if line_rows else [[], [], [], []],
        schema=pa.schema([("source", pa.string()), ("kind", pa.string()), ("key", pa.string()),
                          ("page_no", pa.int32())]),
    )  # fmt: skip
    con.register("counted_pages", pages)
    con.register("counted_lines", lines)
    try:
        upsert(con, "furniture_pages", "SELECT * FROM counted_pages")
        upsert(
            con,
            "furniture_lines",
            """
            SELECT n.source, n.kind, n.key, coalesce(l.pages, 0) + n.pages AS pages,
                   coalesce(l.first_page, n.first_page) AS first_page, n.last_page
            FROM (SELECT source, kind, key, count(*)::INTEGER AS pages,
                         min(page_no) AS first_page, max(page_no) AS last_page
                  FROM counted_lines GROUP BY ALL) n
            LEFT JOIN furniture_lines l USING (source, kind, key)
            """,
            ["pages", "last_page"],
        )
    finally:
        con.unregister("counted_pages")
        con.unregister("counted_lines")


def _forget_old(con: duckdb.DuckDBPyConnection, totals: dict[str, int]) -> None:
    """Forgets what lies over PAGE_WINDOW pages back in each source's memory."""
    for source, total in totals.items():
        if total <= PAGE_WINDOW:
            continue  # nothing that far back yet (and a lake commits no empty delete)
        since = {"source": source, "since": total - PAGE_WINDOW}
        con.execute(
            "DELETE FROM furniture_lines WHERE source = $source AND last_page <= $since", since
        )
        con.execute(
            "DELETE FROM furniture_pages WHERE source = $source AND page_no <= $since", since
        )


def unremembered_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Returns the sources with stored articles whose memory has counted no page yet (a
    database from before the memory)."""
    rows = con.execute(
        """
        SELECT DISTINCT source FROM articles
        WHERE source NOT IN (SELECT DISTINCT source FROM furniture_pages) ORDER BY source
        """
    ).fetchall()
    return [source for (source,) in rows]


def latest_articles(
    con: duckdb.DuckDBPyConnection, sources: list[str], per_source: int
) -> list[tuple]:
    """Returns (source, url, text, title) of the latest `per_source` stored articles of each
    of `sources`, oldest first."""
    return con.execute(
        """
        WITH latest AS (  -- ranked without their text: only the chosen rows' is read
            SELECT source, url, first_seen_at FROM articles
            WHERE list_contains($sources, source)
            QUALIFY row_number() OVER (PARTITION BY source ORDER BY first_seen_at DESC, url)
                <= $per_source)
        SELECT source, url, a.text, a.title FROM latest JOIN articles a USING (source, url)
        ORDER BY source, latest.first_seen_at, url
        """,
        {"sources": sources, "per_source": per_source},
    ).fetchall()
