"""Near-duplicate clusters on every backend: copies cluster, unrelated stories don't."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import duckdb
import pytest

from extractors.taggers.near_duplicates import signature
from storage.clusters import assign_clusters
from tests.support.posts import NATO_TEXT

NOW = datetime(2026, 11, 27, tzinfo=UTC)
UNRELATED = (
    "The lemon cake needs two hundred grams of butter, three eggs and the zest of two "
    "lemons. Bake it for forty minutes at one hundred and eighty degrees, then let it cool "
    "before the glaze of icing sugar and lemon juice goes on top of it."
)


def edited(text: str, seed: int, edits: int = 8) -> str:
    """Returns `text` as another source republishes it: a byline, a few words changed."""
    rng = random.Random(seed)
    words = text.split()
    for _ in range(edits):
        words[rng.randrange(len(words))] = rng.choice(["kemarin", "juga", "resmi", "lalu"])
    return f"Oleh redaksi sumber {seed}. " + " ".join(words) + " Baca juga berita lainnya."


@pytest.fixture
def con(backend) -> duckdb.DuckDBPyConnection:
    with backend.connect() as con:
        yield con


def stored(con) -> dict[str, set[str]]:
    rows = con.execute("SELECT DISTINCT url, cluster_id FROM minhash_bands").fetchall()
    out: dict[str, set[str]] = {}
    for url, cluster in rows:
        out.setdefault(url, set()).add(cluster)
    return out


def test_three_sources_of_one_story_are_one_cluster(con):
    items = [
        (f"https://source{i}.example/story", signature(edited(NATO_TEXT, i))) for i in (1, 2, 3)
    ]
    items.append(("https://bakery.example/cake", signature(UNRELATED)))
    clusters = assign_clusters(con, items)
    first = "https://source1.example/story"
    assert clusters == {
        first: first,
        "https://source2.example/story": first,
        "https://source3.example/story": first,
        "https://bakery.example/cake": "https://bakery.example/cake",
    }
    assert con.execute("SELECT count(*) FROM minhash_bands").fetchone()[0] == 4 * 32


def test_a_later_copy_joins_the_stored_cluster(con):
    assign_clusters(con, [("https://a.example/1", signature(edited(NATO_TEXT, 1)))])
    assign_clusters(con, [("https://b.example/2", signature(UNRELATED))])
    later = assign_clusters(con, [("https://c.example/3", signature(edited(NATO_TEXT, 3)))])
    assert later == {"https://c.example/3": "https://a.example/1"}


def test_idempotent_in_any_order(con):
    items = [(f"https://s{i}.example/x", signature(edited(NATO_TEXT, i))) for i in (1, 2, 3)]
    first = assign_clusters(con, items)
    before = con.execute("SELECT * FROM minhash_bands ORDER BY ALL").fetchall()
    again = assign_clusters(con, list(reversed(items)))
    assert again == first
    assert con.execute("SELECT * FROM minhash_bands ORDER BY ALL").fetchall() == before


def test_articles_cluster_id_is_updated(con):
    for url in ("https://a.example/1", "https://b.example/2"):
        con.execute(
            "INSERT INTO articles (url, source, text, content_hash, first_seen_at, last_seen_at)"
            " VALUES (?, 's', 't', 'h', ?, ?)",
            [url, NOW, NOW],
        )
    assign_clusters(
        con,
        [
            ("https://a.example/1", signature(edited(NATO_TEXT, 1))),
            ("https://b.example/2", signature(edited(NATO_TEXT, 2))),
            ("https://not-stored.example/3", signature(UNRELATED)),
        ],
    )
    rows = con.execute("SELECT url, cluster_id FROM articles ORDER BY url").fetchall()
    assert rows == [
        ("https://a.example/1", "https://a.example/1"),
        ("https://b.example/2", "https://a.example/1"),
    ]


def test_changed_text_leaves_its_old_cluster(con):
    assign_clusters(
        con,
        [
            ("https://a.example/1", signature(NATO_TEXT)),
            ("https://b.example/2", signature(edited(NATO_TEXT, 2))),
        ],
    )
    moved = assign_clusters(con, [("https://b.example/2", signature(UNRELATED))])
    assert moved == {"https://b.example/2": "https://b.example/2"}
    assert stored(con)["https://b.example/2"] == {"https://b.example/2"}


def test_empty_signature_is_its_own_cluster_without_bands(con):
    assert assign_clusters(con, [("https://e.example/", b""), ("https://f.example/", b"")]) == {
        "https://e.example/": "https://e.example/",
        "https://f.example/": "https://f.example/",
    }
    assert con.execute("SELECT count(*) FROM minhash_bands").fetchone()[0] == 0


def test_nothing_to_do(con):
    assert assign_clusters(con, []) == {}


def test_a_sharded_night_clusters_what_it_stored_and_what_was_left_unclustered(con):
    from storage.clusters import article_texts, night_article_urls
    from storage.writes import write_batch
    from tests.support.batches import NOW, batch_rows, stored_article

    earlier = [stored_article("https://a.example/old", NATO_TEXT)]
    write_batch(con, "night-1", *batch_rows("night-1", earlier))
    assign_clusters(con, [("https://a.example/old", signature(NATO_TEXT))])
    left = [stored_article("https://b.example/left", UNRELATED)]  # a night that died first
    write_batch(con, "night-2", *batch_rows("night-2", left))
    tonight = [
        stored_article("https://c.example/2", edited(NATO_TEXT, 2), NOW.replace(hour=5)),
        stored_article("https://c.example/1", edited(NATO_TEXT, 1), NOW.replace(hour=4)),
    ]
    write_batch(con, "night-3", *batch_rows("night-3", tonight))

    urls = night_article_urls(con, "night-3")

    # first seen first: the unclustered one from before, then tonight's in their order
    assert urls == ["https://b.example/left", "https://c.example/1", "https://c.example/2"]
    texts = article_texts(con, urls)
    assert [u for u, _ in texts] == urls and texts[0][1] == UNRELATED
