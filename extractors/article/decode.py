"""Decodes fetched HTML bytes: the BOM, UTF-8 (a few bad bytes replaced), the HTTP charset,
the meta tag, the page's language, then detection (rules in newsflow.charset)."""

from __future__ import annotations

import re

from extractors.article.page_meta import sniffed_language
from newsflow.charset import decode_text

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


def decode_html(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Returns the page as text and how it was decoded, e.g. "windows-1252 (guessed)"."""
    declared = [_from_header(content_type), _from_meta(body)]
    decoded = decode_text(body, declared, sniffed_language(body))
    # A stray NUL is no character of the page: lxml would make it U+FFFD in the text.
    return decoded.text.replace("\x00", ""), decoded.label


def _from_header(content_type: str) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _from_meta(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None
