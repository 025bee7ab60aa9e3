"""What a source showed before, as the gap check asks it, on each backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from newsflow.models import FetchResult
from storage.coverage import newest_stored, seen_urls, stored_urls
from storage.writes import fetch_rows, write_batch
from tests.support.batches import NOW, batch_rows, stored_article


def test_newest_stored_seen_and_stored_urls(backend):
    dated = [replace(stored_article(f"https://b.example/{n}", f"text {n}"),
                     published_at=NOW - timedelta(days=n)) for n in range(1, 4)]  # fmt: skip
    future = replace(stored_article("https://b.example/f", "a typo"), published_at=NOW.replace(
        year=2999))  # fmt: skip
    failed = FetchResult("https://b.example/broken", "blog", "page", "extract_error", NOW)
    with backend.connect() as con:
        fetches, articles, tags = batch_rows("run-1", [*dated, future])
        write_batch(con, "run-1", fetches, articles, tags)
        write_batch(con, "run-2", fetch_rows("run-2", [failed]), articles.slice(0, 0),
                    tags.slice(0, 0))  # fmt: skip
        assert newest_stored(con, ["blog", "other"]) == {"blog": NOW - timedelta(days=1)}
        wanted = ["https://b.example/1", "https://b.example/broken", "https://b.example/new"]
        assert seen_urls(con, wanted) == {"https://b.example/1", "https://b.example/broken"}
        assert len(stored_urls(con, "blog")) == 5 and stored_urls(con, "other") == set()
