"""parse_sitemap on small handwritten sitemaps, indexes, gzip, text, bombs; robots.txt lines."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fetchers.sitemaps import (
    MAX_SITEMAP_BYTES,
    ParsedSitemap,
    gunzip_bounded,
    parse_sitemap,
    parse_w3c_datetime,
    sitemaps_from_robots,
)
from newsflow.errors import SitemapError

SITEMAP_URL = "https://news.example.org/sitemap.xml"

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <!-- an image sitemap extension: its image:loc is not a page -->
  <url>
    <loc>https://news.example.org/2024/05/01/first-story/</loc>
    <lastmod>2024-05-01</lastmod>
    <image:image><image:loc>https://news.example.org/img/1.jpg</image:loc></image:image>
  </url>
  <url>
    <loc>
      https://news.example.org/2024/05/02/second-story/
    </loc>
    <lastmod>2024-05-02T10:30:00+02:00</lastmod>
    <news:news>
      <news:publication><news:name>Example News</news:name>
        <news:language>en</news:language></news:publication>
      <news:publication_date>2024-05-02T07:00:00Z</news:publication_date>
      <news:title>Markets &amp; &#8220;mood&#8221;</news:title>
    </news:news>
  </url>
  <url><loc>ftp://news.example.org/not-http</loc></url>
  <url><lastmod>2024-05-03</lastmod></url>
  <url><loc>https://news.example.org/2024/05/01/first-story/</loc></url>
</urlset>"""


def test_urlset_with_lastmod_and_google_news() -> None:
    result = parse_sitemap(URLSET, SITEMAP_URL)
    assert (result.sitemaps, result.error) == ((), None)
    first, second = result.urls
    assert first.url == "https://news.example.org/2024/05/01/first-story/"
    assert first.feed_url == SITEMAP_URL
    assert first.updated == datetime(2024, 5, 1, tzinfo=UTC)
    assert (first.title, first.published) == (None, None)
    assert second.url == "https://news.example.org/2024/05/02/second-story/"
    assert second.updated == datetime(2024, 5, 2, 8, 30, tzinfo=UTC)
    assert second.published == datetime(2024, 5, 2, 7, 0, tzinfo=UTC)
    assert second.title == "Markets & \u201cmood\u201d"


def test_sitemap_index_lists_children() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
    <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://news.example.org/sitemap-2024-04.xml.gz</loc>
        <lastmod>2024-04-30</lastmod></sitemap>
      <sitemap><loc>/sitemap-2024-05.xml</loc></sitemap>
      <sitemap><loc>https://news.example.org/sitemap-2024-04.xml.gz</loc></sitemap>
      <sitemap><loc>javascript:void(0)</loc></sitemap>
    </sitemapindex>"""
    result = parse_sitemap(body, SITEMAP_URL)
    assert result.urls == ()
    assert result.sitemaps == (
        "https://news.example.org/sitemap-2024-04.xml.gz",
        "https://news.example.org/sitemap-2024-05.xml",
    )
    assert result.error is None


def test_gzipped_sitemap_reads_like_the_plain_one() -> None:
    assert parse_sitemap(gzip.compress(URLSET), SITEMAP_URL) == parse_sitemap(URLSET, SITEMAP_URL)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (gzip.compress(URLSET)[:-20], "truncated gzip"),
        (b"\x1f\x8b\x08\x00garbage-not-deflate", "corrupt gzip"),
    ],
)
def test_broken_gzip_is_an_error(body: bytes, error: str) -> None:
    result = parse_sitemap(body, SITEMAP_URL)
    assert (result.urls, result.sitemaps) == ((), ())
    assert result.error is not None and result.error.startswith(error)


def test_gzip_bomb_stops_at_the_bound() -> None:
    # ~50 KB of gzip that would inflate to 60 MB of spaces inside a urlset.
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [deflate.compress(b"<urlset>")]
    parts += [deflate.compress(b" " * 1_000_000) for _ in range(60)]
    bomb = b"".join(parts) + deflate.compress(b"</urlset>") + deflate.flush()
    assert len(bomb) < 100_000
    result = parse_sitemap(bomb, SITEMAP_URL)
    assert result == ParsedSitemap(
        urls=(), sitemaps=(), error=f"gzip inflates beyond {MAX_SITEMAP_BYTES} bytes"
    )


def test_gunzip_bounded_limit() -> None:
    packed = gzip.compress(b"x" * 2_000)
    assert gunzip_bounded(packed, limit=2_000) == b"x" * 2_000
    with pytest.raises(SitemapError, match="beyond 1999 bytes"):
        gunzip_bounded(packed, limit=1_999)


@pytest.mark.parametrize("encoding", ["Shift_JIS", "EUC-JP", "Big5", "GB2312", "windows-1251"])
def test_sitemap_in_an_encoding_expat_lacks(encoding: str) -> None:
    title = {"Big5": "年終", "GB2312": "专业工作", "windows-1251": "Новый год"}.get(
        encoding, "正月"
    )
    body = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>https://jp.example/a</loc><news:news><news:title>{title}</news:title>"
        "</news:news></url></urlset>"
    ).encode(encoding)
    (entry,) = parse_sitemap(body, SITEMAP_URL).urls
    assert (entry.url, entry.title) == ("https://jp.example/a", title)


def test_unknown_declared_encoding_is_read_as_utf8() -> None:
    body = (
        b'<?xml version="1.0" encoding="no-such-charset"?>'
        b"<urlset><url><loc>https://e.org/\xc3\xa9</loc></url></urlset>"
    )
    result = parse_sitemap(body, SITEMAP_URL)
    assert [entry.url for entry in result.urls] == ["https://e.org/\u00e9"]


def test_text_sitemap() -> None:
    body = (
        b"\xef\xbb\xbfhttps://news.example.org/a\n\n  https://news.example.org/b  \r\n"
        b"not a url\n/relative/path\nhttps://news.example.org/a\n"
    )
    result = parse_sitemap(body, "https://news.example.org/sitemap.txt")
    assert [entry.url for entry in result.urls] == [
        "https://news.example.org/a",
        "https://news.example.org/b",
    ]
    assert result.error is None


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset><url><loc>https://news.example.org/&lol9;</loc></url></urlset>"""


def test_entity_bomb_is_refused() -> None:
    result = parse_sitemap(BILLION_LAUGHS, SITEMAP_URL)
    assert (result.urls, result.sitemaps) == ((), ())
    assert result.error is not None and "EntitiesForbidden" in result.error


def test_gzipped_entity_bomb_is_refused() -> None:
    result = parse_sitemap(gzip.compress(BILLION_LAUGHS), SITEMAP_URL)
    assert result.error is not None and "EntitiesForbidden" in result.error


@pytest.mark.parametrize(
    "dtd",
    [
        b'<!ENTITY xxe SYSTEM "file://{path}">',
        b'<!ENTITY % ext SYSTEM "file://{path}"> %ext;',
    ],
)
def test_external_entities_are_refused(tmp_path: Path, dtd: bytes) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("https://news.example.org/CANARY-5d1e")
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE urlset [\n'
        + dtd.replace(b"{path}", str(secret).encode())
        + b"\n]>\n<urlset><url><loc>&xxe;</loc></url></urlset>"
    )
    result = parse_sitemap(body, SITEMAP_URL)
    assert "CANARY" not in repr(result)
    assert result.urls == () and result.error is not None


def test_ill_formed_entity_document_is_refused_not_salvaged() -> None:
    # expat fails after <x/> before it reaches (and would refuse) the entity declaration.
    body = b'<x/><!DOCTYPE u [<!ENTITY a "x">]><urlset><url><loc>https://e.org/&a;</loc></url>'
    result = parse_sitemap(body + b"</urlset>", SITEMAP_URL)
    assert result.urls == ()
    assert result.error is not None
    assert result.error.startswith("ill-formed XML with entity declarations")


def test_raw_ampersands_are_salvaged_intact() -> None:
    body = b"""<urlset><url><loc>https://e.org/list?page=2&sort=new</loc></url>
      <url><loc>https://e.org/b?x=1&amp;y=2</loc></url></urlset>"""
    result = parse_sitemap(body, SITEMAP_URL)
    assert [entry.url for entry in result.urls] == [
        "https://e.org/list?page=2&sort=new",
        "https://e.org/b?x=1&y=2",
    ]
    assert result.error is not None and result.error.startswith("ill-formed XML salvaged")


def test_truncated_sitemap_keeps_what_it_has() -> None:
    body = b"<urlset><url><loc>https://e.org/a</loc></url><url><loc>https://e.org/b</loc></ur"
    result = parse_sitemap(body, SITEMAP_URL)
    assert [entry.url for entry in result.urls] == ["https://e.org/a", "https://e.org/b"]
    assert result.error is not None


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "empty document"),
        (b"<html><body><p>Not found</p></body></html>", "<html> is not a urlset or sitemapindex"),
        (b'<rss version="2.0"><channel/></rss>', "<rss> is not a urlset or sitemapindex"),
        (b"just some words\nand more", "neither XML nor a list of URLs"),
        (b"<", "ill-formed XML unreadable"),
    ],
)
def test_non_sitemaps_say_why(body: bytes, error: str) -> None:
    result = parse_sitemap(body, SITEMAP_URL)
    assert (result.urls, result.sitemaps) == ((), ())
    assert result.error is not None and result.error.startswith(error)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024", datetime(2024, 1, 1, tzinfo=UTC)),
        ("2024-05", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-02", datetime(2024, 5, 2, tzinfo=UTC)),
        ("2024-05-02T10:30+02:00", datetime(2024, 5, 2, 8, 30, tzinfo=UTC)),
        ("2024-05-02T10:30:15.250Z", datetime(2024, 5, 2, 10, 30, 15, 250000, tzinfo=UTC)),
        ("Thu, 02 May 2024 10:30:00 +0200", datetime(2024, 5, 2, 8, 30, tzinfo=UTC)),
        ("2024-13", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_w3c_datetimes(value: str | None, expected: datetime | None) -> None:
    assert parse_w3c_datetime(value) == expected


def test_sitemaps_from_robots() -> None:
    robots = (
        "\ufeffUser-agent: *\nDisallow: /private\n"
        "Sitemap: https://news.example.org/sitemap.xml # the main one\n"
        "  sitemap:https://news.example.org/news-sitemap.xml\n"
        "SITEMAP: /relative-is-not-allowed.xml\n"
        "# Sitemap: https://news.example.org/commented-out.xml\n"
        "Sitemap: https://news.example.org/sitemap.xml\n"
    )
    assert sitemaps_from_robots(robots) == [
        "https://news.example.org/sitemap.xml",
        "https://news.example.org/news-sitemap.xml",
    ]
    assert sitemaps_from_robots("User-agent: *\nDisallow:\n") == []
