"""The categories tagger: one tag per label the feed or the page declares."""

from __future__ import annotations

from datetime import UTC, datetime

from extractors.taggers import categories
from newsflow.models import Article


def test_category_tagger_makes_one_tag_per_label_whatever_its_case():
    article = Article(url="u", source="s", text="t", content_hash="h", fetched_at=datetime.now(UTC),
                      categories=("NATO", "Eropa"), tags=("nato", "Brussel  Summit"))  # fmt: skip
    tags = categories.tag(article, None)
    assert [(t.kind, t.value, t.code) for t in tags] == [
        ("category", "NATO", "nato"), ("category", "Eropa", "eropa"),
        ("category", "Brussel Summit", "brussel summit"),
    ]  # fmt: skip
