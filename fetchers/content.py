"""Decides whether a response body is the kind of document asked for, and reads Retry-After."""

from __future__ import annotations

import codecs
import email.utils
import re
from datetime import UTC, datetime

_HTML = ("text/html", "application/xhtml+xml")
_FEED = ("xml", "rss", "atom", "rdf", "json", "text/")
_SITEMAP = (*_FEED, "gzip")
# The WHATWG MIME-sniffing HTML patterns: a page may open with a comment or a <script>.
_HTML_START = re.compile(
    rb"<(!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p)[\s>]"
    rb"|<!--"
)
_NEVER = ("application/pdf", "image/", "audio/", "video/", "font/", "application/zip")


def acceptable(kind: str, content_type: str, body: bytes, url: str = "") -> bool:
    """Returns whether body, served as content_type, can be the `kind` of document asked."""
    ctype = content_type.split(";")[0].strip().lower()
    if kind == "robots":
        return True
    if ctype.startswith(_NEVER) or body.startswith(b"%PDF-"):
        return False
    head = body[:1024].removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if kind in ("page", "home"):
        return ctype in _HTML or (
            ctype in ("", "text/plain", "application/octet-stream")
            and _HTML_START.match(head) is not None
        )
    wanted = _SITEMAP if kind == "sitemap" else _FEED
    if any(w in ctype for w in wanted):
        return True
    return head.startswith((b"<", b"{", b"\x1f\x8b")) or (kind == "sitemap" and b"http" in head)


def retry_after_seconds(value: str | None) -> float | None:
    """Returns the wait a Retry-After header asks for (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
