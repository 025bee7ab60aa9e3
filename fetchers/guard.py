"""The defences of a fetch: what it refuses to ask for and what it refuses to keep.

`check_public` refuses requests to loopback, private, link-local and other non-public
addresses (SSRF). It runs after DNS resolution and again on every redirect, so a
public-looking name that resolves to 127.0.0.1 or 169.254.169.254 (cloud metadata) is
refused too; IPv6 forms carrying an IPv4 address (mapped, 6to4, NAT64) are judged by it.
It returns the address it checked, and the request goes there (fetchers.pinning): a name
that answers "public" to the check and "loopback" to the connection (DNS rebinding)
reaches nothing.

`BoundedDecoder` inflates gzip/deflate bodies no further than the bytes still allowed
(a gzip bomb stops at the limit, not after 100 MB); `content_problem` says why a body
cannot be the kind of document asked for (a PDF, an image, binary junk).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import zlib
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fetchers.content import acceptable
from newsflow.charset import looks_binary
from newsflow.errors import FetchError
from newsflow.outcomes import Outcome

Resolver = Callable[[str, int], Awaitable[list[str]]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SCHEMES = ("http", "https")


async def system_resolver(host: str, port: int) -> list[str]:
    """Returns the addresses the system resolver gives for host."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def is_public(address: str) -> bool:
    """Returns True for a globally routable unicast address (False for anything unparsable)."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        return is_public(str(embedded))
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local or ip.is_private
    )


def _embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address):
    # These IPv6 addresses reach an IPv4 host; 127.0.0.1 hidden in them is still 127.0.0.1.
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


async def check_public(url: str, resolver: Resolver, allow_private: bool) -> str | None:
    """Returns the checked address url must be requested from (None when private networks
    are allowed: then nothing is checked); raises FetchError (outcome `blocked_private`)
    for a non-http(s) URL or a host with any non-public address."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:  # "http://[::1/", "http://host:99999/"
        raise FetchError(url, f"invalid URL: {exc}", outcome=Outcome.BAD_URL) from None
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        raise FetchError(url, "not an http(s) URL", outcome=Outcome.BLOCKED_PRIVATE)
    if allow_private:
        return None
    addresses = await _addresses(url, parts.hostname, port, resolver)
    blocked = [a for a in addresses if not is_public(a)]
    if blocked or not addresses:
        raise FetchError(
            url,
            f"{parts.hostname} resolves to non-public address {', '.join(blocked) or '(none)'}"
            " (allow_private_networks is false)",
            outcome=Outcome.BLOCKED_PRIVATE,
        )
    # IPv4 first: many hosts that publish AAAA records cannot be reached over IPv6 from here.
    return sorted(addresses, key=lambda a: ":" in a)[0]


async def _addresses(url: str, host: str, port: int, resolver: Resolver) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]  # a literal address needs no lookup
    except ValueError:
        pass
    try:
        return list(await resolver(host, port))
    except (OSError, UnicodeError) as exc:
        # The request could not connect either: the same outcome as a refused connection.
        raise FetchError(url, f"DNS lookup failed: {exc}", outcome=Outcome.CONNECT_ERROR) from None


class BoundedDecoder:
    """Inflates one response body (Content-Encoding gzip, deflate or none) in bounded steps."""

    def __init__(self, content_encoding: str, url: str):
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FetchError(url, f"unsupported Content-Encoding {content_encoding!r}",
                             outcome=Outcome.DECODE_ERROR)  # fmt: skip
        self.url, self.coding = url, (codings[0] if codings else "identity")
        self._started = False
        wbits = zlib.MAX_WBITS | 16 if self.coding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._inflate = zlib.decompressobj(wbits)

    def decode(self, data: bytes, room: int) -> bytes:
        """Returns at most room + 1 decoded bytes of data: more than room means over the limit
        (the rest is never inflated)."""
        if self.coding == "identity":
            return data[: room + 1]
        try:
            out = self._inflate.decompress(data, room + 1)
        except zlib.error as exc:
            if self.coding != "deflate" or self._started:
                raise FetchError(self.url, f"bad {self.coding} data: {exc}",
                                 outcome=Outcome.DECODE_ERROR) from None  # fmt: skip
            # Some servers send "deflate" as a raw stream, without the zlib header.
            self.coding, self._inflate = "raw deflate", zlib.decompressobj(-zlib.MAX_WBITS)
            return self.decode(data, room)
        self._started = True
        return out


def content_problem(kind: str, content_type: str, body: bytes) -> str | None:
    """Returns why body, served as content_type, cannot be the `kind` asked for (None: it can)."""
    ctype = content_type.split(";")[0].strip().lower()
    shown = ctype or "no content type"
    # Judged by the share of control bytes: real pages carry a stray NUL now and then.
    binary = looks_binary(body, content_type)
    if kind in ("page", "home") and binary:
        return f"binary data served as {shown}, not a {kind}"
    if acceptable(kind, content_type, body):
        return None
    if body.startswith(b"%PDF-") or ctype == "application/pdf":
        return f"a PDF document ({shown}), not a {kind}"
    return f"{shown}{' (binary data)' if binary else ''} is not a {kind}"
