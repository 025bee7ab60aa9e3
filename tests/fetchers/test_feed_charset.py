"""Feeds in legacy encodings, undeclared or declared UTF-8: titles are what was written."""

from __future__ import annotations

import pytest

from fetchers.feeds import parse_feed

TITLES = [
    ("fr", "cp1252", "L’été à São Paulo, après le déjà-vu : un cœur naïf"),
    ("pt", "cp1252", "Déjà vu na ação, a informação e a opinião do coração"),
    ("de", "cp1252", "Schöne Grüße aus München, wo die Straßen mäßig befahren sind"),
    ("pl", "cp1250", "Zażółć gęślą jaźń. Źródło wiadomości: rząd ogłosił"),
    ("ru", "koi8-r", "Правительство объявило, что цены на электроэнергию снизятся"),
    ("ru", "cp1251", "Правительство объявило, что цены на электроэнергию снизятся"),
    ("ja", "shift_jis", "政府は来月、電気料金が下がると発表しました"),
]


def _rss(title: str, language: str, declaration: str) -> str:
    return (
        f'<?xml version="1.0"{declaration}?><rss version="2.0"><channel><title>t</title>'
        f"<language>{language}</language><item><title>{title}</title>"
        "<link>http://example.org/a</link></item></channel></rss>"
    )


@pytest.mark.parametrize("declaration", ["", ' encoding="utf-8"'], ids=["undeclared", "utf-8"])
@pytest.mark.parametrize(
    ("language", "encoding", "title"), TITLES, ids=[f"{t[0]}-{t[1]}" for t in TITLES]
)
def test_feed_title_in_a_legacy_encoding_is_what_was_written(
    language, encoding, title, declaration
):
    body = _rss(title, language, declaration).encode(encoding)
    result = parse_feed(body, "http://example.org/feed", "application/rss+xml")
    assert result.entries[0].title == title
    if encoding != "cp1252":  # feedparser's own fallback is windows-1252: no re-read then
        assert result.bozo.startswith("charset read as ")


def test_utf8_feed_with_a_stray_byte_keeps_every_other_letter():
    title = "Café crème brûlée à Zürich, naïve façade, São Paulo"
    body = _rss(title, "fr", ' encoding="utf-8"').encode().replace(b"<link>", b"\xff<link>")
    result = parse_feed(body, "http://example.org/feed", "application/rss+xml")
    assert result.entries[0].title == title
    assert result.bozo == "charset read as utf-8 (declared, 1 bad byte replaced)"
