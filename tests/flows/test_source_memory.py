"""A database that stored articles before it had a memory of recurring lines gets one
from those articles on the next night, once; a memory that cannot be read or written
leaves the night extracting without it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from extractors.article.furniture import line_key, page_lines
from flows.source_memory import SEED_SOURCES, count_lines, read_furniture
from storage.lake import forget_engines
from storage.writes import write_batch
from tests.support.backends import make_backend
from tests.support.batches import batch_rows, page_results, stored_article

FOOTER = "Donate to keep this blog free of ads"


@pytest.mark.parametrize("kind", ["file", "ducklake-sqlite"])
def test_stored_articles_seed_the_memory_of_a_source_that_has_none(tmp_path, request, kind):
    backend = make_backend(kind, tmp_path, request)
    articles = [stored_article(f"https://b.example/{n}", f"Story {n}.\n{FOOTER}") for n in range(4)]
    try:
        with backend.connect() as con:
            write_batch(con, "run-1", *batch_rows("run-1", articles))
            assert con.execute("SELECT count(*) FROM furniture_pages").fetchall() == [(0,)]
            found = read_furniture(con)
            again = read_furniture(con)
            [(pages,)] = con.execute("SELECT count(*) FROM furniture_pages").fetchall()
    finally:
        forget_engines()
    assert found == again
    assert found["blog"].lines == {line_key(FOOTER)}
    assert pages == 4  # each stored page counted once, however often the memory is read


def test_seeding_many_sources_in_groups_reaches_every_source(tmp_path, request):
    backend = make_backend("file", tmp_path, request)
    sources = [f"blog-{n:02}" for n in range(SEED_SOURCES * 2 + 3)]  # three groups
    articles = [
        replace(stored_article(f"https://{s}.example/{n}", f"{s} story {n}.\n{FOOTER}"), source=s)
        for s in sources
        for n in range(3)
    ]
    with backend.connect() as con:
        write_batch(con, "run-1", *batch_rows("run-1", articles))
        found = read_furniture(con)
        counted = con.execute("SELECT source, count(*) FROM furniture_pages GROUP BY ALL")
        per_source = dict(counted.fetchall())
    assert per_source == {s: 3 for s in sources}
    assert {s for s, f in found.items() if line_key(FOOTER) in f.lines} == set(sources)


def test_a_broken_memory_leaves_the_night_extracting_without_it(tmp_path, request, caplog):
    backend = make_backend("file", tmp_path, request)
    articles = [stored_article(f"https://b.example/{n}", f"Story {n}.\n{FOOTER}") for n in range(4)]
    with backend.connect() as con:
        write_batch(con, "run-1", *batch_rows("run-1", articles))
        con.execute("DROP TABLE furniture_lines")  # what a hand-edited database may hold
        assert read_furniture(con) == {}
        _, results = page_results([replace(articles[0], lines=page_lines("x", None))])
        assert count_lines(con, results) == 0
        [(stored,)] = con.execute("SELECT count(*) FROM articles").fetchall()
    assert stored == 4
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("could not be read" in w and "furniture_lines" in w for w in warnings)
    assert any("did not count 1 pages" in w for w in warnings)
