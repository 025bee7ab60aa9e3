"""Decodes fetched HTML bytes by the HTTP charset, the BOM, the meta tag, then detection."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_html(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Returns the page as text and the name of the encoding used."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    for declared in (_from_header(content_type), _from_meta(body)):
        if declared:
            try:
                return body.decode(declared), declared
            except (LookupError, UnicodeDecodeError):
                continue  # a wrong declaration is common: fall through to the next clue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:200_000]).best()
    name = best.encoding if best else "cp1252"
    return body.decode(name, errors="replace"), name


def _from_header(content_type: str) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return _normalise(match.group(1)) if match else None


def _from_meta(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return _normalise(match.group(1).decode("ascii", "ignore")) if match else None


def _normalise(name: str) -> str | None:
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    # Browsers read these labels as their supersets (WHATWG encoding standard).
    return {"iso8859-1": "cp1252", "ascii": "cp1252", "gb2312": "gb18030", "gbk": "gb18030"}.get(
        name, name
    )
