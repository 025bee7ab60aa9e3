"""A database that stored articles before it had a memory of recurring lines gets one
from those articles on the next night, once."""

from __future__ import annotations

import pytest

from extractors.furniture import line_key
from flows.source_memory import read_furniture
from storage.lake import forget_engines
from storage.writes import write_batch
from tests.support.backends import make_backend
from tests.support.batches import batch_rows, stored_article

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
