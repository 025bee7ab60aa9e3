"""Feed documents (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, RDF, CDF, JSON Feed) read into entries.

`parse_feed` never raises for bad input: a non-feed comes back with `is_feed=False` and why.
XML reaches feedparser (6.0: no JSON Feed, hence a reader here) only after
`neutralise_doctype` has cut DTDs down to a few literal entities: no bombs, no files.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from fetchers.discovery import absolute_http_url
from fetchers.feed_items import first_items, full_text
from fetchers.sitemaps import XML_DECL_ENCODING, parse_w3c_datetime, unique_entries
from newsflow.charset import decode_text
from newsflow.errors import HostileDocument
from newsflow.models import FeedEntry

log = logging.getLogger(__name__)

_Q = rb"(?:\"[^\"]*\"|'[^']*')"  # a quoted literal, which may contain ">" and "]"
_PROLOG_TOKEN = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.S)
_DOCTYPE_HEAD = re.compile(
    rb"<!DOCTYPE\s+[^\s\[>]+(?:\s+(?:SYSTEM|PUBLIC\s*%s)\s*%s)?\s*" % (_Q, _Q), re.I
)
_SUBSET_TOKEN = re.compile(rb"\s+|<!--.*?-->|<\?.*?\?>|%%[\w.:-]+;|<!(?:[^\"'>]|%s)*>" % _Q, re.S)
# A literal value without references or markup expands to itself only: no bomb, no file.
_SAFE_ENTITY = re.compile(rb"<!ENTITY\s+([\w.:-]+)\s+(?:\"([^\"&%<]*)\"|'([^'&%<]*)')\s*>")
_SUBSET_END = re.compile(rb"\]\s*>")
_COMMENT_OR_PI = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.S)
_MAX_SAFE_ENTITIES = 64
_MAX_EXPANSION = 1_000_000  # bytes literal entities may add: many references to one are a bomb too
_FEED_LANGUAGE = re.compile(
    rb"<(?:\w+:)?language>\s*([A-Za-z]{2,3})\b|\sxml:lang\s*=\s*[\"']([A-Za-z]{2,3})\b"
)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed's entries that have an http(s) URL, and how sound the document was: `bozo` says
    why it was not clean (salvaged XML, unsafe DTD removed, guessed charset, not a feed), None
    when it was; `dropped` counts entries without a usable URL."""

    url: str
    title: str | None
    entries: tuple[FeedEntry, ...]
    language: str | None
    is_feed: bool
    bozo: str | None
    dropped: int = 0
    cut: int = 0  # items past `max_items`, not read
    # The document's own links (rel, href): RFC 5005 `next` / `prev-archive` lead to older
    # entries (fetchers.backfill walks them); and the software that wrote it.
    links: tuple[tuple[str, str], ...] = ()
    generator: str | None = None


def parse_feed(
    body: bytes,
    url: str,
    content_type: str = "",
    headers: dict | None = None,
    max_items: int | None = None,
) -> ParsedFeed:
    """Return the feed's entries and metadata; `is_feed=False` with a reason for non-feeds.
    With `max_items`, only the document's first items are read (`cut` says how many not)."""
    if not body.strip():
        return _not_a_feed(url, "empty document")
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return parse_json_feed(body, url, max_items)
    try:
        safe_body, note = neutralise_doctype(body)
    except HostileDocument as exc:
        return _not_a_feed(url, str(exc), logging.WARNING)
    cut = 0
    if max_items is not None:
        safe_body, cut = first_items(safe_body, max_items)
    http = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    # A UTF-16/32 body with a DTD comes back as UTF-8, so its HTTP charset no longer applies.
    transcoded = b"\x00" in body[:4] and b"\x00" not in safe_body[:4]
    try:
        response_headers = _response_headers(content_type, http, transcoded)
        parsed, charset_note = _read_xml(safe_body, url, response_headers)
    except Exception as exc:  # feedparser's loose parser is not exception-safe on junk
        return _not_a_feed(url, f"parser crashed: {exc!r}", logging.WARNING)
    # Relative links are resolved here, not by feedparser: given a base it also "resolves" a
    # permalink guid such as "post-123" into a URL of the feed's directory.
    base = urljoin(url, http.get("content-location", ""))
    notes = "; ".join(filter(None, (note, charset_note)))
    parsed_feed = _from_feedparser(parsed, url, base, _root_is_cdf(safe_body), notes)
    return dataclasses.replace(parsed_feed, cut=cut) if parsed_feed.is_feed else parsed_feed


def _read_xml(body: bytes, url: str, response_headers: dict) -> tuple[Any, str | None]:
    """Return feedparser's result (re-read from our own decoding if it guessed) and a note."""
    # A file object, never bytes: feedparser treats bytes that look like a path as a file name.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers)
    guessed = (feedparser.CharacterEncodingOverride, feedparser.CharacterEncodingUnknown)
    if not isinstance(parsed.get("bozo_exception"), guessed):
        return parsed, None
    # feedparser falls back to windows-1252 for everything; charset_normalizer alone picks
    # look-alike code pages (French read as windows-1250). newsflow.charset weighs both.
    declared = [_charset_of(response_headers["content-type"]), _declared_encoding(body)]
    decoded = decode_text(body, declared, _feed_language(body))
    used = codecs.lookup(parsed.get("encoding") or "ascii").name
    if decoded.codec == used and "replaced" not in decoded.how:
        return parsed, None
    log.info("feed %s: re-reading as %s instead of %s", url, decoded.label, used)
    utf8 = XML_DECL_ENCODING.sub(rb"\1\2utf-8\2", decoded.text.encode("utf-8"), count=1)
    mime = response_headers["content-type"].split(";")[0]
    headers = {**response_headers, "content-type": f"{mime}; charset=utf-8"}
    reread = feedparser.parse(io.BytesIO(utf8), response_headers=headers)
    return reread, f"charset read as {decoded.label}"


def _charset_of(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*['\"]?([\w.:-]+)", content_type, re.I)
    return match.group(1) if match else None


def _declared_encoding(body: bytes) -> str | None:
    match = XML_DECL_ENCODING.match(body)
    return match.group(3).decode("ascii", "replace") if match else None


def _feed_language(body: bytes) -> str | None:
    """Return the language code the feed states (RSS <language>, dc:language, xml:lang)."""
    match = _FEED_LANGUAGE.search(body[:16384])
    return match.group(1).decode("ascii").lower() if match else None


def neutralise_doctype(body: bytes) -> tuple[bytes, str | None]:
    """Return the body with each DOCTYPE subset cut to literal entities, and a note (or None).

    Raises HostileDocument when a subset cannot be parsed: where it ends is then unknown."""
    wide = _transcode_wide(body)
    if b"<!entity" not in wide.lower():
        return body, None
    body = wide
    pos, removed, out = (3 if body.startswith(b"\xef\xbb\xbf") else 0), 0, []
    while True:
        if token := _PROLOG_TOKEN.match(body, pos):
            out.append(token.group())
            pos = token.end()
        elif head := _DOCTYPE_HEAD.match(body, pos):
            kept, dropped, pos = _read_internal_subset(body, head.end())
            if _expansion(body, kept) > _MAX_EXPANSION:
                kept, dropped = [], dropped + len(kept)
            removed += dropped
            # One declaration a line: feedparser's own DOCTYPE filter matches them that way.
            subset = b" [\n" + b"\n".join(kept) + b"\n]" if kept else b""
            out.append(head.group().rstrip() + subset + b">")
        else:
            break
    if body[pos : pos + 9].upper() == b"<!DOCTYPE":
        raise HostileDocument("unparseable DOCTYPE")
    safe = body[:3] * body.startswith(b"\xef\xbb\xbf") + b"".join(out) + body[pos:]
    return safe, (f"removed {removed} unsafe DTD declarations" if removed else None)


def _read_internal_subset(body: bytes, pos: int) -> tuple[list[bytes], int, int]:
    """Return (safe entity declarations, count of removed declarations, end of the DOCTYPE)."""
    if body[pos : pos + 1] != b"[":  # no internal subset: nothing to remove
        if body[pos : pos + 1] != b">":
            raise HostileDocument("unterminated DOCTYPE")
        return [], 0, pos + 1
    kept, removed, pos = [], 0, pos + 1
    while token := _SUBSET_TOKEN.match(body, pos):
        pos, text = token.end(), token.group()
        if text.startswith(b"%") or text[:8].upper() == b"<!ENTITY":
            if _SAFE_ENTITY.fullmatch(text) and len(kept) < _MAX_SAFE_ENTITIES:
                kept.append(text)
            else:
                removed += 1
    close = _SUBSET_END.match(body, pos)
    if close is None:
        raise HostileDocument("unparseable DOCTYPE internal subset")
    return kept, removed, close.end()


def _expansion(body: bytes, kept: list[bytes]) -> int:
    """Return how many bytes expanding the kept entity declarations would add."""
    entities = [_SAFE_ENTITY.fullmatch(declaration) for declaration in kept]
    return sum(body.count(b"&%s;" % m[1]) * len(m[2] or m[3] or b"") for m in entities if m)


def _transcode_wide(body: bytes) -> bytes:
    """Return a UTF-16/32 body as UTF-8 (declaration updated) so its DTD can be inspected."""
    # JSON's sniffer reads BOMs and NUL patterns, and "<" sits where JSON's first byte does.
    codec = json.detect_encoding(body[:4])
    if codec.startswith("utf-8"):
        return body
    text = body.decode(codec, errors="replace").lstrip("\ufeff").encode("utf-8")
    return XML_DECL_ENCODING.sub(rb"\1\2utf-8\2", text, count=1)


def _response_headers(content_type: str, http: dict, transcoded: bool) -> dict:
    """Return the headers feedparser needs for its charset and language rules."""
    mime, _, params = (content_type or http.get("content-type", "")).partition(";")
    charset = re.search(r"charset\s*=\s*['\"]?([\w.:-]+)", params, re.I)
    # RFC 7303: without a charset the XML declaration decides, whatever the media type says;
    # servers label feeds text/html or text/plain too often for RFC 3023's us-ascii default.
    mime = mime.strip().lower()
    response = {"content-type": mime if mime.endswith("+xml") else "application/xml"}
    if charset and not transcoded:
        response["content-type"] += f"; charset={charset.group(1)}"
    if http.get("content-language"):
        response["content-language"] = http["content-language"]
    return response


def _root_is_cdf(body: bytes) -> bool:
    """Return whether the document element is a CDF <CHANNEL> (feedparser reports no version)."""
    root = re.search(rb"<([A-Za-z][\w:.-]*)", _COMMENT_OR_PI.sub(b"", body[:65536]))
    return root is not None and root.group(1).lower() == b"channel"


def _from_feedparser(parsed: Any, url: str, base: str, is_cdf: bool, note: str) -> ParsedFeed:
    """Return the ParsedFeed for a feedparser result."""
    exc = parsed.get("bozo_exception") if parsed.get("bozo") else None
    bozo = "; ".join(filter(None, (note, exc and f"{type(exc).__name__}: {exc}")))
    if not (parsed.get("version") or parsed.entries or is_cdf):
        return _not_a_feed(url, f"no RSS, Atom, RDF or CDF document element ({bozo or 'empty'})")
    candidates = [_feedparser_entry(e, url, base) for e in parsed.entries]
    entries = unique_entries(candidates, url)
    return ParsedFeed(
        url=url,
        title=_text(parsed.feed.get("title")),
        entries=entries,
        language=_text(parsed.feed.get("language") or parsed.headers.get("content-language")),
        is_feed=True,
        bozo=bozo or None,
        dropped=candidates.count(None),
        links=_feed_links(parsed.feed.get("links") or (), base),
        generator=_generator(parsed.feed),
    )


def _feed_links(links, base: str) -> tuple[tuple[str, str], ...]:
    """Returns the feed-level links as (rel, absolute http(s) URL), in document order."""
    found = ((str(link.get("rel") or "alternate"), absolute_http_url(link.get("href"), base))
             for link in links if isinstance(link, dict))  # fmt: skip
    return tuple((rel, href) for rel, href in found if href)


def _generator(feed: Any) -> str | None:
    """Returns what the feed says wrote it: name and URI ("Blogger http://www.blogger.com")."""
    detail = feed.get("generator_detail") or {}
    parts = (_text(feed.get("generator")), _text(detail.get("href")))
    return " ".join(dict.fromkeys(filter(None, parts))) or None


def _feedparser_entry(entry: Any, feed_url: str, base: str) -> FeedEntry | None:
    """Return the FeedEntry for one feedparser entry, or None when it has no http(s) URL."""
    guid = _text(entry.get("id"))
    # guidislink True: feedparser copied a permalink guid into `link`; False: the feed said
    # isPermaLink="false". A guid is an identifier first: only an absolute URL is a permalink.
    guid_is_link = entry.get("guidislink")
    link = None if guid_is_link else absolute_http_url(entry.get("link"), base)
    permalink = None if guid_is_link is False else absolute_http_url(guid, "")
    alternates = (
        absolute_http_url(alternate.get("href"), base)
        for alternate in entry.get("links", ())
        if alternate.get("rel", "alternate") == "alternate"
    )
    entry_url = link or permalink or next(filter(None, alternates), None)
    if entry_url is None:
        return None
    return FeedEntry(
        url=entry_url,
        feed_url=feed_url,
        title=_text(entry.get("title")),
        published=_struct_time_utc(entry.get("published_parsed")),
        # dict.get: feedparser's own .get falls back to the published date.
        updated=_struct_time_utc(dict.get(entry, "updated_parsed")),
        guid=guid,
        categories=_labels(t.get("label") or t.get("term") for t in entry.get("tags") or ()),
        content=_content(entry.get("content")),
    )


def parse_json_feed(body: bytes, url: str, max_items: int | None = None) -> ParsedFeed:
    """Return the entries of a JSON Feed (version 1 or 1.1); `is_feed=False` for other JSON."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly nested arrays
        return _not_a_feed(url, f"invalid JSON: {exc}")
    version = str(doc.get("version", "")) if isinstance(doc, dict) else ""
    if not version.startswith("https://jsonfeed.org/version/"):
        return _not_a_feed(url, "JSON document is not a JSON Feed")
    items = doc.get("items") if isinstance(doc.get("items"), list) else []
    cut = max(0, len(items) - max_items) if max_items is not None else 0
    candidates = [_json_entry(item, url) for item in items[: len(items) - cut]]
    return ParsedFeed(
        url=url,
        title=_text(doc.get("title")),
        entries=unique_entries(candidates, url),
        language=_text(doc.get("language")),
        is_feed=True,
        bozo=None if isinstance(doc.get("items"), list) else "JSON Feed without an items array",
        dropped=candidates.count(None),
        cut=cut,
        # JSON Feed's pagination: `next_url` leads to the older items.
        links=(("next", nxt),) if (nxt := absolute_http_url(doc.get("next_url"), url)) else (),
    )


def _json_entry(item: Any, feed_url: str) -> FeedEntry | None:
    """Return the FeedEntry for one JSON Feed item, or None when it has no http(s) URL."""
    if not isinstance(item, dict):
        return None
    guid = _text(item.get("id"))
    # `url` is the item's permalink; an id that is a URL is the spec's suggested fallback.
    entry_url = absolute_http_url(item.get("url"), feed_url) or absolute_http_url(guid, "")
    if entry_url is None:
        return None
    return FeedEntry(
        url=entry_url,
        feed_url=feed_url,
        title=_text(item.get("title")),
        published=parse_w3c_datetime(_text(item.get("date_published"))),
        updated=parse_w3c_datetime(_text(item.get("date_modified"))),
        guid=guid,
        categories=_labels(item.get("tags") if isinstance(item.get("tags"), list) else ()),
        content=full_text(_text(item.get("content_html")))
        or full_text(_text(item.get("content_text")), is_html=False),
    )


def _content(contents) -> str | None:
    """Returns the text of the longest full content feedparser found (content:encoded,
    Atom content); never the summary, which is what a teaser feed carries."""
    values = [c for c in contents or () if isinstance(c, dict) and c.get("value")]
    if not values:
        return None
    longest = max(values, key=lambda c: len(c["value"]))
    return full_text(longest["value"], is_html="html" in (longest.get("type") or "html"))


def _labels(values) -> tuple[str, ...]:
    """Return the distinct non-blank category labels, in order (RSS/Atom/JSON Feed tags)."""
    return tuple(dict.fromkeys(t for t in map(_text, values) if t and len(t) <= 100))


def _struct_time_utc(value: Any) -> datetime | None:
    """Return feedparser's UTC struct_time as an aware datetime, None if absent or impossible."""
    try:
        return datetime(*value[:6], tzinfo=UTC) if value else None
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    """Return a stripped string, None for missing or blank values."""
    return value.strip() or None if isinstance(value, str) else None


def _not_a_feed(url: str, reason: str, level: int = logging.INFO) -> ParsedFeed:
    """Return the ParsedFeed for a document that is not a feed (or was refused)."""
    log.log(level, "%s is not a feed: %s", url, reason)
    return ParsedFeed(url=url, title=None, entries=(), language=None, is_feed=False, bozo=reason)
