"""Decodes fetched HTML bytes: the BOM, UTF-8 (a few bad bytes replaced), the HTTP charset,
the meta tag, the page's language, then detection (rules in newsflow.charset)."""

from __future__ import annotations

import re

from newsflow.charset import decode_text

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_HTML_LANG = re.compile(rb"""<html\b[^>]*?\slang\s*=\s*["']?\s*([A-Za-z]{2,3})\b""", re.I)
_META_LANG = re.compile(
    rb"""<meta[^>]+http-equiv\s*=\s*["']?content-language["']?[^>]+content\s*=\s*["']?"""
    rb"""\s*([A-Za-z]{2,3})\b""",
    re.I,
)


def decode_html(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Returns the page as text and how it was decoded, e.g. "windows-1252 (guessed)"."""
    declared = [_from_header(content_type), _from_meta(body)]
    decoded = decode_text(body, declared, page_language(body))
    # A stray NUL is no character of the page: lxml would make it U+FFFD in the text.
    return decoded.text.replace("\x00", ""), decoded.label


def page_language(body: bytes) -> str | None:
    """Returns the language code the page declares (`<html lang>`, Content-Language meta)."""
    head = body[:8192]
    match = _HTML_LANG.search(head) or _META_LANG.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def _from_header(content_type: str) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _from_meta(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None
