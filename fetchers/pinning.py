"""Sends each request to the address the SSRF guard checked, never to a second DNS answer.

Resolving a name twice, once to check it and once to connect, lets a name answer
"public" to the check and "loopback" or "metadata" to the connection (DNS rebinding):
the request would reach a host nobody checked. So the request is addressed to the
checked IP and still names its host: the Host header, and for HTTPS the TLS server name
(SNI) the certificate is verified against.

Connections to one IP are pooled by URL origin, which is now the IP: two HTTPS names on
one IP would share a TLS connection verified for the first name only.
`HostSeparatedTransport` keeps one pool per server name, so each name's certificate is
checked on its own connections.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx


@dataclass(frozen=True, slots=True)
class PinnedRequest:
    """A request addressed to the checked IP, still naming its host."""

    url: httpx.URL
    headers: dict[str, str]
    extensions: dict[str, str]


def pin_to_address(url: str, address: str) -> PinnedRequest:
    """Returns the request for url sent to `address` instead of its host's next DNS answer."""
    named = httpx.URL(url)
    host = named.netloc.decode("ascii").rsplit("@", 1)[-1]  # host[:port], as the URL has it
    pinned = named.copy_with(host=address)
    sni = {"sni_hostname": named.raw_host.decode("ascii")} if named.scheme == "https" else {}
    return PinnedRequest(url=pinned, headers={"Host": host}, extensions=sni)


class HostSeparatedTransport(httpx.AsyncBaseTransport):
    """Routes each HTTPS request addressed by IP to a connection pool of its server name."""

    def __init__(self, make_pool: Callable[[], httpx.AsyncBaseTransport]):
        self._make_pool = make_pool
        self._pools: dict[str, httpx.AsyncBaseTransport] = {"": make_pool()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        name = request.extensions.get("sni_hostname", "")  # "": plain HTTP, or by name
        if name not in self._pools:
            self._pools[name] = self._make_pool()
        return await self._pools[name].handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self._pools.values():
            await pool.aclose()
        self._pools.clear()
