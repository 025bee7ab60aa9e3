"""Refuses requests to loopback, private, link-local and other non-public addresses (SSRF).

Checked after DNS resolution and again on every redirect, so a public-looking name
that resolves to 127.0.0.1 or 169.254.169.254 (cloud metadata) is refused too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from newsflow.errors import TerminalFetchError

Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    """Returns the addresses the system resolver gives for host."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def is_public(address: str) -> bool:
    """Returns True for a globally routable unicast address."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback
                                 or ip.is_link_local or ip.is_private)


async def check_public(url: str, resolver: Resolver, allow_private: bool) -> None:
    """Raises TerminalFetchError (outcome `blocked_private`) unless url may be requested."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TerminalFetchError(url, f"not an http(s) URL: {url!r}", outcome="blocked_scheme")
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = await resolver(parts.hostname, port)
    except OSError as exc:
        raise TerminalFetchError(url, f"DNS lookup failed: {exc}", outcome="dns_error") from None
    blocked = [a for a in addresses if not is_public(a)]
    if blocked or not addresses:
        raise TerminalFetchError(
            url, f"{parts.hostname} resolves to non-public address {', '.join(blocked) or 'none'}"
            " (allow_private_networks is false)", outcome="blocked_private")
