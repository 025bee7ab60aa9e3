"""Near-duplicate clusters: which stored story a new article repeats, kept in `minhash_bands`.

An article joins the cluster of a stored article when their MinHash signatures share at
least MIN_SHARED_BANDS of the 32 LSH bands. Only bands are stored, not signatures, so
the band count is the verification: k shared bands of 32 estimate Jaccard J = (k/32)**(1/4),
and k = 2 is J ~ 0.5 (see newsflow.minhash). Within one batch the full
signatures are at hand, so pairs sharing a band are verified by estimated J >= 0.5.
A cluster's id is the URL of its first member; an existing cluster never changes its id,
and two existing clusters are never merged (a bridging article joins the closer one).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict

import duckdb
import pyarrow as pa

from newsflow.minhash import bands, similarity
from storage.transaction import in_transaction

log = logging.getLogger(__name__)

MIN_SHARED_BANDS = 2
MIN_SIMILARITY = 0.5

_BAND_SCHEMA = pa.schema([("band", pa.int16()), ("bucket", pa.uint64()), ("url", pa.string())])


def assign_clusters(
    con: duckdb.DuckDBPyConnection, items: list[tuple[str, bytes]]
) -> dict[str, str]:
    """Returns {url: cluster_id} for `items` and stores their bands; idempotent.

    Runs in its own transaction (redone when a DuckLake commit conflicts): call it
    outside any open one. An item with an empty
    signature (no words) is a cluster of its own and stores no bands.
    """
    signatures = dict(items)  # a URL given twice: its last signature wins
    if not signatures:
        return {}
    banded = {url: bands(sig) for url, sig in signatures.items()}
    con.register("batch_urls", pa.table({"url": pa.array(list(banded), pa.string())}))
    con.register("new_bands", _band_table(banded, {}))
    try:
        clusters = in_transaction(con, lambda: _cluster(con, signatures, banded), "clusters")
    finally:
        con.unregister("new_bands")
        con.unregister("batch_urls")
    log.info("clustered %d articles into %d clusters", len(clusters), len(set(clusters.values())))
    return clusters


def _cluster(con: duckdb.DuckDBPyConnection, signatures: dict, banded: dict) -> dict[str, str]:
    outside = _stored_matches(con)
    previous = dict(
        con.execute(
            "SELECT url, min(cluster_id) FROM minhash_bands"
            " WHERE url IN (SELECT url FROM batch_urls) GROUP BY url"
        ).fetchall()
    )
    clusters = {}
    for group in _batch_groups(signatures, banded):
        cluster_id = _choose(group, outside, previous)
        clusters.update(dict.fromkeys(group, cluster_id))
    _write(con, banded, clusters)
    return clusters


def _stored_matches(con: duckdb.DuckDBPyConnection) -> dict[str, Counter[str]]:
    """Returns {new url: Counter(stored cluster_id -> shared bands)} over verified pairs."""
    rows = con.execute(
        """
        SELECT n.url, m.cluster_id, count(*) AS shared
        FROM new_bands n JOIN minhash_bands m ON m.band = n.band AND m.bucket = n.bucket
        WHERE m.url NOT IN (SELECT url FROM batch_urls)  -- the batch is compared in memory
        GROUP BY n.url, m.url, m.cluster_id
        HAVING count(*) >= ?
        """,
        [MIN_SHARED_BANDS],
    ).fetchall()
    matches: dict[str, Counter[str]] = defaultdict(Counter)
    for url, cluster_id, shared in rows:
        matches[url][cluster_id] += shared
    return matches


def _batch_groups(signatures: dict[str, bytes], banded: dict) -> list[list[str]]:
    """Returns the batch's URLs grouped by verified similarity, each group in input order."""
    parent = {url: url for url in signatures}

    def root(url: str) -> str:
        while parent[url] != url:
            parent[url] = url = parent[parent[url]]
        return url

    buckets: dict[tuple[int, int], list[str]] = defaultdict(list)
    for url, url_bands in banded.items():
        for key in url_bands:
            for other in buckets[key]:
                if root(other) != root(url) and (
                    similarity(signatures[url], signatures[other]) >= MIN_SIMILARITY
                ):
                    parent[root(url)] = root(other)
            buckets[key].append(url)
    groups: dict[str, list[str]] = defaultdict(list)
    for url in signatures:
        groups[root(url)].append(url)
    return list(groups.values())


def _choose(group: list[str], outside: dict, previous: dict[str, str]) -> str:
    """Returns the group's cluster: the stored cluster it shares most bands with, else the
    id one of its own members gave it before (a re-run in another order), else its first URL."""
    votes: Counter[str] = Counter()
    for url in group:
        votes.update(outside.get(url, {}))
    if not votes:
        votes.update(previous[u] for u in group if previous.get(u) in group)
    if not votes:
        return group[0]
    best = max(votes.values())
    return min(cluster for cluster, n in votes.items() if n == best)


def _write(con: duckdb.DuckDBPyConnection, banded: dict, clusters: dict[str, str]) -> None:
    con.execute("DELETE FROM minhash_bands WHERE url IN (SELECT url FROM batch_urls)")
    con.register("new_rows", _band_table(banded, clusters))
    con.register(
        "new_clusters",
        pa.table({"url": list(clusters), "cluster_id": list(clusters.values())}),
    )
    try:
        con.execute("INSERT INTO minhash_bands SELECT band, bucket, url, cluster_id FROM new_rows")
        con.execute(
            "UPDATE articles SET cluster_id = c.cluster_id FROM new_clusters c"
            " WHERE articles.url = c.url"
        )
    finally:
        con.unregister("new_rows")
        con.unregister("new_clusters")


def _band_table(banded: dict[str, list[tuple[int, int]]], clusters: dict[str, str]) -> pa.Table:
    """Returns one row per (url, band), with a cluster_id column once clusters are known."""
    rows = [(band, bucket, url) for url, pairs in banded.items() for band, bucket in pairs]
    table = pa.table(
        {
            "band": pa.array([r[0] for r in rows], pa.int16()),
            "bucket": pa.array([r[1] for r in rows], pa.uint64()),
            "url": pa.array([r[2] for r in rows], pa.string()),
        },
        schema=_BAND_SCHEMA,
    )
    if clusters:
        table = table.append_column("cluster_id", pa.array([clusters[r[2]] for r in rows]))
    return table
