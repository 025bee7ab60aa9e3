"""Sitemaps (XML `<urlset>` / `<sitemapindex>`, gzipped or not, and plain text) read into entries.

Pure functions on bytes. XML goes through defusedxml, which refuses entity declarations
and external references outright, so a bomb or an XXE probe becomes `error`, never an
expansion. Gzip is inflated with a hard bound (the protocol's 50 MB) so a zip bomb stops
there. `sitemaps_from_robots` reads the `Sitemap:` lines of a robots.txt.
"""

from __future__ import annotations

import email.utils
import logging
import re
import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
from lxml import etree

from fetchers.discovery import absolute_http_url
from newsflow.errors import SitemapError
from newsflow.models import FeedEntry

log = logging.getLogger(__name__)

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # sitemaps.org: at most 50 MB uncompressed
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
XML_DECL_ENCODING = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])([^\"']*)\2")
_BARE_AMPERSAND = re.compile(rb"&(?!#\d+;|#x[0-9a-fA-F]+;|\w+;)")
_ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)


@dataclass(frozen=True, slots=True)
class ParsedSitemap:
    """The page URLs and child sitemaps a sitemap lists; `error` says what went wrong.

    A salvaged ill-formed sitemap has both URLs and an error; a refused one only the error.
    """

    urls: tuple[FeedEntry, ...]
    sitemaps: tuple[str, ...]
    error: str | None
    # An index's own `<lastmod>` of each child, by child URL (children without one absent):
    # a walk back in time reads the newest children only (fetchers.backfill).
    sitemap_lastmod: dict[str, datetime] = field(default_factory=dict)


def parse_sitemap(body: bytes, url: str) -> ParsedSitemap:
    """Return the URLs (with lastmod and Google News data) and child sitemaps of a sitemap."""
    try:
        body = gunzip_bounded(body) if body[:2] == b"\x1f\x8b" else body
        if len(body) > MAX_SITEMAP_BYTES:
            raise SitemapError(f"larger than {MAX_SITEMAP_BYTES} bytes")
        if not body.strip():
            raise SitemapError("empty document")
        if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return _text_sitemap(body, url)
        root, error = _parse_xml(body, url)
    except SitemapError as exc:
        log.warning("sitemap %s refused: %s", url, exc)
        return ParsedSitemap(urls=(), sitemaps=(), error=str(exc))
    kind = _local(root.tag)
    if kind == "urlset":
        entries = [_url_entry(child, url) for child in root if _local(child.tag) == "url"]
        return ParsedSitemap(urls=unique_entries(entries, url), sitemaps=(), error=error)
    if kind == "sitemapindex":
        listed = [child for child in root if _local(child.tag) == "sitemap"]
        children = [absolute_http_url(_child_text(child, "loc"), url) for child in listed]
        dates = {
            loc: lastmod
            for loc, child in zip(children, listed, strict=True)
            if loc and (lastmod := parse_w3c_datetime(_child_text(child, "lastmod")))
        }
        return ParsedSitemap(
            urls=(),
            sitemaps=tuple(dict.fromkeys(filter(None, children))),
            error=error,
            sitemap_lastmod=dates,
        )
    return ParsedSitemap(urls=(), sitemaps=(), error=f"<{kind}> is not a urlset or sitemapindex")


def gunzip_bounded(body: bytes, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """Return the inflated gzip body; SitemapError if corrupt, truncated or over `limit`."""
    inflater = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer expected
    try:
        data = inflater.decompress(body, limit + 1)  # max_length: never more than limit+1
    except zlib.error as exc:
        raise SitemapError(f"corrupt gzip: {exc}") from exc
    if len(data) > limit:
        raise SitemapError(f"gzip inflates beyond {limit} bytes")
    if not inflater.eof:
        raise SitemapError("truncated gzip")
    return data


def _parse_xml(body: bytes, url: str) -> tuple[Any, str | None]:
    """Return the root element and a note when ill-formed XML had to be salvaged."""
    try:
        return _defused_root(body), None
    except ParseError as exc:
        # expat stops at the first error, possibly before an entity declaration it would
        # have refused: only documents without any are salvaged.
        if b"<!entity" in body.lower():
            raise SitemapError(f"ill-formed XML with entity declarations: {exc}") from exc
        note = f"ill-formed XML salvaged: {exc}"
    # The usual fault: a raw "&" in a query string. Escaped, the URL survives intact.
    escaped = _BARE_AMPERSAND.sub(b"&amp;", body)
    try:
        root = _defused_root(escaped)
    except ParseError:
        parser = etree.XMLParser(
            recover=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        try:
            root = etree.fromstring(escaped, parser=parser)
        except (etree.XMLSyntaxError, LookupError, ValueError):
            root = None
    if root is None:
        raise SitemapError(note.replace("salvaged", "unreadable"))
    log.info("sitemap %s: %s", url, note)
    return root, note


def _defused_root(body: bytes, reencoded: bool = False) -> Any:
    """Return the root element, refusing DTD entities and external references."""
    try:
        return defusedxml.ElementTree.fromstring(body, forbid_dtd=False)
    except defusedxml.DefusedXmlException as exc:
        raise SitemapError(f"refused XML: {exc!r}") from exc
    except (LookupError, ValueError) as exc:  # an encoding expat lacks: Shift_JIS, Big5, ...
        if reencoded:
            raise ParseError(str(exc)) from exc
        return _defused_root(_as_utf8(body), reencoded=True)


def _as_utf8(body: bytes) -> bytes:
    """Return the document decoded from its declared encoding, as UTF-8 declared so."""
    declared = XML_DECL_ENCODING.match(body)
    try:
        text = body.decode(declared.group(3).decode("ascii") if declared else "utf-8", "replace")
    except (LookupError, UnicodeDecodeError):
        text = body.decode("utf-8", "replace")
    return XML_DECL_ENCODING.sub(rb"\1\2utf-8\2", text.encode("utf-8"), count=1)


def _text_sitemap(body: bytes, url: str) -> ParsedSitemap:
    """Return the entries of a plain-text sitemap: one absolute URL a line."""
    lines = body.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    entries = [FeedEntry(url=u, feed_url=url) for u in map(_absolute_line, lines) if u]
    if not entries:
        return ParsedSitemap(urls=(), sitemaps=(), error="neither XML nor a list of URLs")
    return ParsedSitemap(urls=unique_entries(entries, url), sitemaps=(), error=None)


def _absolute_line(line: str) -> str | None:
    """Return the line if it is an absolute http(s) URL (text sitemaps allow nothing else)."""
    return absolute_http_url(line.strip(), "") if line.strip() else None


def _url_entry(element: Any, sitemap_url: str) -> FeedEntry | None:
    """Return the FeedEntry for one `<url>`: loc, lastmod, and Google News date and title."""
    loc = absolute_http_url(_child_text(element, "loc"), sitemap_url)
    if loc is None:
        return None
    news = next((c for c in element if _local(c.tag) == "news"), None)
    entry = FeedEntry(
        url=loc,
        feed_url=sitemap_url,
        updated=parse_w3c_datetime(_child_text(element, "lastmod")),
    )
    return _with_news(entry, news) if news is not None else entry


def _with_news(entry: FeedEntry, news: Any) -> FeedEntry:
    """Return the entry with what `<news:news>` says: title, date, keywords, publication."""
    publication = next((c for c in news if _local(c.tag) == "publication"), None)
    keywords = _child_text(news, "keywords") or ""
    language = _child_text(publication, "language") if publication is not None else None
    return replace(
        entry,
        title=_child_text(news, "title"),
        published=parse_w3c_datetime(_child_text(news, "publication_date")),
        keywords=tuple(dict.fromkeys(k.strip() for k in keywords.split(",") if k.strip())),
        language=language.lower().split("-")[0] if language else None,
        publication=_child_text(publication, "name") if publication is not None else None,
    )


def unique_entries(entries: list[FeedEntry | None], source_url: str) -> tuple[FeedEntry, ...]:
    """Return the entries that have a URL (None marks one without), the first of each URL."""
    seen: dict[str, FeedEntry] = {}
    for entry in entries:
        if entry is not None:
            seen.setdefault(entry.url, entry)
    if skipped := entries.count(None):
        log.info("%s: skipped %d entries without an http(s) URL", source_url, skipped)
    return tuple(seen.values())


def _child_text(element: Any, name: str) -> str | None:
    """Return the stripped text of the first direct child with that local name."""
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _local(tag: object) -> str:
    """Return an element's local name ("" for comments and processing instructions)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_w3c_datetime(value: str | None) -> datetime | None:
    """Return a W3C/RFC 3339 (or RFC 822) timestamp as aware UTC; naive ones are taken as UTC."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if match := _YEAR_MONTH.match(value):  # "2024" and "2024-05" are valid W3C datetimes
        year, month = int(match.group(1)), int(match.group(2) or 1)
        return datetime(year, month, 1, tzinfo=UTC) if 1 <= month <= 12 else None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    try:
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed out of range by its offset
        return None


def sitemaps_from_robots(robots_txt: str) -> list[str]:
    """Return the absolute sitemap URLs a robots.txt lists, de-duplicated, in order."""
    found = (absolute_http_url(m, "") for m in _ROBOTS_SITEMAP.findall(robots_txt.lstrip("\ufeff")))
    return list(dict.fromkeys(url for url in found if url))
