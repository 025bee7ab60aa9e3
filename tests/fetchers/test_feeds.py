"""parse_feed on feedparser's own test corpus, JSON Feed, and hostile XML."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fetchers.feeds import ParsedFeed, neutralise_doctype, parse_feed
from tests.support.corpus import corpus_files

SERVED_AT = "http://127.0.0.1:8097/"  # where feedparser's own test server puts these files

# The corpus documents whose entries carry an http(s) URL; most of feedparser's cases are
# one-element items with no link at all, which parse_feed rightly drops.
FILES_WITH_ENTRIES = {
    "illformed/rdf_channel_empty_textinput.xml",
    "illformed/rss_item_link_corrupted_ampersands.xml",
    "json/example.json",
    "wellformed/atom/entry_link_multiple.xml",
    "wellformed/atom10/entry_id.xml",
    "wellformed/atom10/entry_link_multiple.xml",
    "wellformed/atom10/entry_link_no_rel.xml",
    "wellformed/base/http_item_link_base_content_location.xml",
    "wellformed/namespace/rss1.0withModules.xml",
    "wellformed/namespace/rss2.0withAtomNS.xml",
    "wellformed/rdf/rdf_item_description.xml",
    "wellformed/rdf/rdf_item_link.xml",
    "wellformed/rdf/rdf_item_rdf_about.xml",
    "wellformed/rdf/rdf_item_title.xml",
    "wellformed/rss/item_enclosure_multiple.xml",
    "wellformed/rss/item_guid.xml",
    "wellformed/rss/item_link.xml",
}


def _headers(item: dict) -> dict[str, str]:
    """Return the simulated HTTP headers of an index item as a dict."""
    pairs = (line.split(":", 1) for line in item["http_headers"])
    return {name.strip(): value.strip() for name, value in pairs}


@pytest.fixture(scope="module")
def feeds(corpus_dir) -> Path:
    return corpus_dir / "feeds"


@pytest.fixture(scope="module")
def parse_corpus(feeds, feeds_index):
    """Returns a function giving parse_feed's result for a corpus file (or other bytes
    under its name), served as feedparser's tests serve it."""
    items = {item["file"]: item for item in feeds_index}

    def parse(name: str, body: bytes | None = None) -> ParsedFeed:
        body = (feeds / name).read_bytes() if body is None else body
        return parse_feed(body, SERVED_AT + name, headers=_headers(items[name]))

    return parse


def _urls(result: ParsedFeed) -> list[str]:
    return [entry.url for entry in result.entries]


@pytest.mark.parametrize("name", corpus_files("feeds"))
def test_every_corpus_document_parses_without_raising(name: str, parse_corpus) -> None:
    result = parse_corpus(name)
    assert result.url == SERVED_AT + name
    assert bool(result.entries) == (name in FILES_WITH_ENTRIES)
    for entry in result.entries:
        assert entry.url.startswith(("http://", "https://"))
        assert entry.feed_url == SERVED_AT + name
        for moment in (entry.published, entry.updated):
            assert moment is None or moment.utcoffset() == UTC.utcoffset(None)
    assert result.is_feed or result.bozo


def test_share_of_corpus_with_entries(parse_corpus, feeds_index) -> None:
    with_entries = {item["file"] for item in feeds_index if parse_corpus(item["file"]).entries}
    assert len(feeds_index) == 150
    assert with_entries == FILES_WITH_ENTRIES


@pytest.mark.parametrize(
    ("name", "urls"),
    [
        ("wellformed/rss/item_link.xml", ["http://example.com/"]),
        ("wellformed/rss/item_guid.xml", ["http://guid.example.com/"]),  # guid as permalink
        ("wellformed/rss/item_guid_not_permalink.xml", []),  # isPermaLink="false"
        ("wellformed/atom10/entry_link_multiple.xml", ["http://www.example.com/"]),
        ("wellformed/atom10/entry_link_no_rel.xml", ["http://www.example.com/"]),
        ("wellformed/atom10/entry_link_rel_enclosure.xml", []),  # a video is not an article
        ("wellformed/rss/item_enclosure_multiple.xml", ["http://example.com/"]),
        ("wellformed/rdf/rdf_item_rdf_about.xml", ["http://example.org/1"]),
        ("wellformed/base/http_item_link_base_content_location.xml",
         ["http://example.com/relative/uri"]),
        ("illformed/rss_item_link_corrupted_ampersands.xml", ["http://link/get?a=1&b=2"]),
    ],
)  # fmt: skip
def test_entry_urls_follow_the_corpus_expectations(
    name: str, urls: list[str], parse_corpus
) -> None:
    result = parse_corpus(name)
    assert _urls(result) == urls
    assert result.dropped == (0 if urls else 1)


def test_guid_that_is_not_a_permalink_is_kept_as_guid(parse_corpus) -> None:
    (entry,) = parse_corpus("wellformed/namespace/rss2.0withAtomNS.xml").entries
    assert entry.url == "http://www.kylev.com/2005/03/29/rsync-and-vfat/"
    assert entry.guid == "http://delicious.com/url/174603f9d836a1aafac49e28ace1c19e#wearehugh"
    assert entry.title == "rsync and vfat | Geek at Play"
    assert entry.published == datetime(2009, 12, 25, 3, 30, 22, tzinfo=UTC)
    assert entry.updated is None  # feedparser's .get would have copied `published`


def test_ill_formed_feed_is_salvaged_with_its_reason(parse_corpus) -> None:
    result = parse_corpus("illformed/rdf_channel_empty_textinput.xml")
    assert result.is_feed
    assert _urls(result) == ["http://example.com/1"]
    assert result.bozo is not None and "SAXParseException" in result.bozo


def test_relative_entry_link_resolves_against_inherited_xml_base(parse_corpus, feeds) -> None:
    name = "wellformed/base/relative_xml_base.xml"
    body = (feeds / name).read_bytes().replace(b"<title ", b'<link href="x.html"/><title ')
    assert _urls(parse_corpus(name, body)) == ["http://example.com/x.html"]


def test_relative_entry_link_resolves_against_feed_url() -> None:
    body = b"""<rss version="2.0"><channel><title>t</title>
        <item><link>/2024/05/a.html</link></item>
        <item><guid>post-123</guid></item>
        <item><guid>https://blog.example.org/p/9</guid></item>
        <item><link>b.html</link></item>
        <item><link>javascript:alert(1)</link></item>
        <item><link>/2024/05/a.html</link></item>
    </channel></rss>"""
    result = parse_feed(body, "https://blog.example.org/feeds/rss.xml")
    assert _urls(result) == [
        "https://blog.example.org/2024/05/a.html",
        "https://blog.example.org/p/9",  # a permalink guid
        "https://blog.example.org/feeds/b.html",
    ]
    assert result.dropped == 2  # javascript: and a guid that is only an identifier


def test_dates_are_utc_aware() -> None:
    body = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>a</title>
      <entry><title>One</title><link href="http://example.com/1"/>
        <published>2024-05-01T10:00:00+02:00</published>
        <updated>2024-05-02T00:30:00-01:00</updated><id>tag:example.com,2024:1</id></entry>
    </feed>"""
    (entry,) = parse_feed(body, "http://example.com/atom.xml").entries
    assert entry.published == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert entry.updated == datetime(2024, 5, 2, 1, 30, tzinfo=UTC)
    assert entry.guid == "tag:example.com,2024:1"
    assert entry.title == "One"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("encoding/euc-kr.xml", "\ub144"),
        ("encoding/http_i18n.xml", "Iñtërnâtiônàlizætiøn"),
        ("encoding/bozo_http_i18n.xml", "Iñtërnâtiônàlizætiøn"),
        ("entities/eacute.xml", "testing \xe9 entity"),
        ("entities/hellip.xml", "testing \u2026 entity"),
        ("wellformed/xml/empty_xmlns_uri.xml", "empty"),
    ],
)
def test_feed_titles_are_decoded(name: str, title: str, parse_corpus) -> None:
    assert parse_corpus(name).title == title


def test_undeclared_big5_title_is_detected(parse_corpus) -> None:
    result = parse_corpus("illformed/chardet/big5.xml")
    assert result.title is not None and result.title.startswith("我希望")
    assert result.bozo == "charset read as big5 (detected)"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("encoding/euc-kr-item.xml", "\ub144"),  # declared in the XML declaration
        ("illformed/chardet/koi8r.xml", "Как пережить новогоднюю ночь"),  # undeclared
        ("illformed/chardet/gb2312.xml", "不归移民漫画系列：专业工作"),
        ("illformed/chardet/eucjp.xml", "ゲーム三昧な正月"),
    ],
)
def test_entry_titles_in_legacy_encodings(name: str, title: str, parse_corpus, feeds) -> None:
    # These items have no link; give them one so they survive as entries.
    raw = (feeds / name).read_bytes().replace(b"<item>", b"<item><link>http://example.com/n</link>")
    if b"<title>" not in raw.split(b"<item>", 1)[1]:
        raw = raw.replace(b"<description>", b"<title>").replace(b"</description>", b"</title>")
    (entry,) = parse_corpus(name, raw).entries
    assert entry.title == title


def test_feed_served_as_text_html_without_charset_is_read_as_utf8() -> None:
    body = "<rss><channel><title>Zürich – Ölpreis</title></channel></rss>".encode()
    result = parse_feed(body, "http://example.com/feed", content_type="text/html")
    assert result.title == "Zürich – Ölpreis"


def test_http_charset_overrides_declaration() -> None:
    body = '<?xml version="1.0" encoding="utf-8"?><rss><channel><title>Łódź</title>'.encode(
        "iso-8859-2"
    )
    result = parse_feed(body + b"</channel></rss>", "http://x.pl/", "text/xml; charset=iso-8859-2")
    assert result.title == "Łódź"


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("wellformed/lang/channel_language.xml", "en-us"),
        ("wellformed/lang/http_content_language.xml", "en"),
        ("wellformed/lang/feed_xml_lang_underscore.xml", "en-US"),
    ],
)
def test_language(name: str, language: str, parse_corpus) -> None:
    assert parse_corpus(name).language == language


def test_json_feed_example_yields_its_entries(parse_corpus) -> None:
    result = parse_corpus("json/example.json")
    assert result.is_feed and result.bozo is None
    assert result.title == "My Example Feed"
    assert _urls(result) == ["https://example.org/second-item", "https://example.org/initial-post"]
    assert [(e.guid, e.title) for e in result.entries] == [("2", "post 2"), ("1", None)]


def test_json_feed_1_1_dates_relative_urls_and_drops() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "language": "id",
        "items": [
            {"id": "a", "url": "/posts/a", "date_published": "2024-03-01T12:00:00+07:00"},
            {"id": "https://example.org/b", "date_modified": "2024-03-02T00:00:00Z"},
            {"id": "c", "content_text": "no url at all"},
            "not an object",
        ],
    }
    result = parse_feed(json.dumps(doc).encode(), "https://example.org/feed.json")
    assert _urls(result) == ["https://example.org/posts/a", "https://example.org/b"]
    assert result.entries[0].published == datetime(2024, 3, 1, 5, 0, tzinfo=UTC)
    assert result.entries[1].updated == datetime(2024, 3, 2, tzinfo=UTC)
    assert (result.language, result.dropped) == ("id", 2)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty document"),
        (b"  \n", "empty document"),
        (b'{"version": "1", "items": []}', "not a JSON Feed"),
        (b"{not json", "invalid JSON"),
        (b'{"a":' * 100_000, "invalid JSON"),
        (b"\x00\x01\x02 junk that is not markup", "no RSS, Atom, RDF or CDF"),
        (b"/etc/passwd", "not well-formed"),  # feedparser would open a path given as bytes
    ],
)
def test_non_feeds_say_why(body: bytes, reason: str) -> None:
    result = parse_feed(body, "http://example.com/x")
    assert (result.is_feed, result.entries) == (False, ())
    assert result.bozo is not None and reason in result.bozo
    assert "root:" not in repr(result)


def test_html_page_is_not_a_feed(corpus_dir) -> None:
    html = (corpus_dir / "pages" / "blog.python.org.html").read_bytes()
    result = parse_feed(html, "http://blog.python.org/", "text/html; charset=utf-8")
    assert (result.is_feed, result.entries) == (False, ())
    assert result.bozo


def test_empty_corpus_document_is_not_a_feed(parse_corpus) -> None:
    result = parse_corpus("illformed/rss_empty_document.xml")
    assert not result.is_feed and result.bozo


def test_cdf_channel_is_a_feed(parse_corpus) -> None:
    result = parse_corpus("wellformed/cdf/channel_title.xml")
    assert (result.is_feed, result.title) == (True, "Example feed")


# --- hostile XML ---------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
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
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>http://example.com/bomb</link></item></channel></rss>"""


def _assert_defused(result: ParsedFeed) -> None:
    assert len(repr(result)) < 2_000, "entities were expanded"
    assert result.is_feed
    assert _urls(result) == ["http://example.com/bomb"]
    assert result.bozo is not None and "unsafe DTD" in result.bozo


def test_billion_laughs_is_not_expanded() -> None:
    _assert_defused(parse_feed(BILLION_LAUGHS, "http://example.com/feed"))


def test_neutralise_keeps_only_the_literal_entity_of_a_bomb() -> None:
    safe, note = neutralise_doctype(BILLION_LAUGHS)
    assert note == "removed 9 unsafe DTD declarations"
    assert b'<!ENTITY lol "lol">' in safe
    assert b"<!ENTITY lol1" not in safe and b"&lol1;" not in safe
    assert safe.endswith(BILLION_LAUGHS[BILLION_LAUGHS.index(b"<rss") :])


def test_billion_laughs_on_one_line_and_in_utf16_is_not_expanded() -> None:
    one_line = BILLION_LAUGHS.replace(b">\n <!ENTITY", b"><!ENTITY")
    _assert_defused(parse_feed(one_line, "http://example.com/feed"))
    utf16 = BILLION_LAUGHS.decode().replace('version="1.0"', 'version="1.0" encoding="utf-16"')
    _assert_defused(parse_feed(utf16.encode("utf-16"), "http://example.com/feed", "text/xml"))


def test_many_references_to_a_literal_entity_are_not_expanded() -> None:
    # Each reference is short and the value is literal, but 100 000 of them would add 5 MB.
    body = (
        b'<!DOCTYPE rss [\n<!ENTITY a "' + b"x" * 50 + b'">\n]>'
        b"<rss><channel><title>" + b"&a;" * 100_000 + b"</title>"
        b"<item><link>http://example.com/bomb</link></item></channel></rss>"
    )
    safe, note = neutralise_doctype(body)
    assert note == "removed 1 unsafe DTD declarations"
    assert b"<!ENTITY" not in safe
    result = parse_feed(body, "http://example.com/feed")
    assert _urls(result) == ["http://example.com/bomb"]
    assert "x" * 50 not in (result.title or "")


@pytest.mark.parametrize(
    "declaration",
    [
        b'<!ENTITY xxe SYSTEM "file://{path}">',
        b'<!ENTITY xxe PUBLIC "-//x//EN" "file://{path}">',
        b'<!ENTITY % ext SYSTEM "file://{path}"> %ext;',
        b'<!ENTITY % ext SYSTEM "file://{path}"> <!ENTITY xxe "&#x25;ext;">',
    ],
)
def test_external_entities_never_read_local_files(tmp_path: Path, declaration: bytes) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-8c1f2e")
    dtd = declaration.replace(b"{path}", str(secret).encode())
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + dtd + b"\n]>\n"
        b"<rss version='2.0'><channel><title>&xxe;</title><item><title>&xxe;</title>"
        b"<link>http://example.com/bomb</link><guid isPermaLink='false'>&xxe;</guid>"
        b"</item></channel></rss>"
    )
    result = parse_feed(body, "http://example.com/feed")
    assert "CANARY" not in repr(result)
    _assert_defused(result)


def test_doctype_without_subset_is_left_for_feedparser(feeds) -> None:
    body = (feeds / "wellformed/rss/rss_version_091_netscape.xml").read_bytes()
    body = body.replace(b"<rss", b'<!-- <!ENTITY x "y"> --><rss', 1)
    safe, note = neutralise_doctype(body)
    assert (safe, note) == (body, None)


def test_unparseable_doctype_is_refused() -> None:
    body = b'<!DOCTYPE rss [ <!ENTITY a "x"> <!BROKEN <rss><channel></channel></rss>'
    result = parse_feed(body, "http://example.com/feed")
    assert (result.is_feed, result.bozo) == (False, "unparseable DOCTYPE internal subset")


def test_literal_entities_survive_neutralising(feeds) -> None:
    body = (feeds / "wellformed/rss/entity_in_doctype.xml").read_bytes()
    safe, note = neutralise_doctype(body)
    assert note is None
    assert b'<!ENTITY id "tag:example.com,">' in safe
    feed = (
        b'<!DOCTYPE rss [\n<!ENTITY site "http://example.com">\n]>'
        b"<rss><channel><item><link>&site;/a</link></item></channel></rss>"
    )
    assert _urls(parse_feed(feed, "http://other.org/f")) == ["http://example.com/a"]


def test_neutralise_leaves_documents_without_entities_alone(feeds) -> None:
    body = (feeds / "wellformed/rss/rss_version_091_netscape.xml").read_bytes()
    assert neutralise_doctype(body) == (body, None)
