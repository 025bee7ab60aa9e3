"""Normalises URLs so one article has one key: tracking parameters and fragments dropped."""

from __future__ import annotations

import contextlib
import re
from urllib.parse import SplitResult, quote, unquote_plus, urljoin, urlsplit, urlunsplit

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref_src|spm"
    r"|wt\.mc_id|oly_enc_id|oly_anon_id|__s|vero_id|mkt_tok)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters left as they are: RFC 3986 reserved ones keep their meaning, % keeps escapes.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


def normalize_url(url: str, base: str | None = None) -> str:
    """Returns the URL resolved against `base`, with scheme and host lowercased, and user
    information, default port, fragment and tracking parameters (utm_*, fbclid, Blogger's
    m=1, ...) removed."""
    url = url.strip()
    parts = urlsplit(urljoin(base, url) if base else url)
    scheme = parts.scheme.lower()
    if not parts.netloc:
        return urlunsplit((scheme, "", parts.path, parts.query, ""))
    path = _tidy_escapes(quote(parts.path, safe=_PATH_SAFE)) or "/"
    return urlunsplit((scheme, _netloc(parts, scheme), path, _query(parts.query), ""))


def host_of(url: str) -> str:
    """Returns the lowercased host, with its port unless default: the unit of politeness."""
    parts = urlsplit(url)
    return _host_port(parts, parts.scheme.lower())


def _netloc(parts: SplitResult, scheme: str) -> str:
    # No user:password@: a URL is a key that is stored and shown (newsflow.credentials).
    return _host_port(parts, scheme)


def _host_port(parts: SplitResult, scheme: str) -> str:
    host = (parts.hostname or "").rstrip(".")
    with contextlib.suppress(UnicodeError):  # one key for "bücher.de" and its punycode
        host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    try:
        port = parts.port
    except ValueError:  # a malformed port: keep the text so the URL still says what it was
        return parts.netloc.rpartition("@")[2].lower()
    return f"{host}:{port}" if port and port != _DEFAULT_PORTS.get(scheme) else host


def _query(query: str) -> str:
    # Pairs are kept as written (no re-encoding of "+" or "%20"), only the tracking ones go.
    kept = []
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        name = unquote_plus(key)
        if not pair or _TRACKING.match(name) or (name == "m" and value == "1"):
            continue
        kept.append(_tidy_escapes(quote(pair, safe=_QUERY_SAFE)))
    return "&".join(kept)


def _tidy_escapes(text: str) -> str:
    # "%7e" and "~" are the same URL: decode unreserved characters, uppercase the other escapes.
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group()[1:], 16))
        return char if char in _UNRESERVED else match.group().upper()

    return _ESCAPE.sub(fix, text)
