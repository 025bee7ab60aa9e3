"""The SSRF guard, bounded decoding and content checks; SSRF through a real Fetcher.

The fault server doubles as an HTTP proxy, so made-up public names ("public.example")
reach it: if the guard failed, the refused request would show up in its hits.
"""

from __future__ import annotations

import asyncio
import zlib

import httpx
import pytest

from fetchers.guard import BoundedDecoder, check_public, content_problem, is_public
from fetchers.pinning import HostSeparatedTransport, pin_to_address
from newsflow.errors import FetchError
from tests.support.faultserver import HTML, gzip_bomb
from tests.support.fetching import fetch, settings

NAMES = {
    "public.example": ["93.184.216.34"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": ["93.184.216.34", "10.0.0.5"],
    "v6.example": ["2606:2800:220:1:248:1893:25c8:1946"],
    "ula.example": ["fd00::1"],
}
GUARDED = settings(allow_private_networks=False)


class FakeResolver:
    """Answers from NAMES and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in NAMES:
            raise OSError(f"no such host {host}")
        return NAMES[host]


def check(url: str, allow_private: bool = False, resolver: FakeResolver | None = None) -> None:
    asyncio.run(check_public(url, resolver or FakeResolver(), allow_private))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.2.1", "::1", "::",
        "fd00::1", "fe80::1%eth0", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
        "2002:7f00:1::", "64:ff9b::a9fe:a9fe", "2001:db8::1", "not an address",
    ],
)  # fmt: skip
def test_non_public_addresses(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses(address: str) -> None:
    assert is_public(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://metadata.example/latest/meta-data/",
        "http://mixed.example/",  # one private address among public ones is enough
        "https://ula.example/",
        "http://127.0.0.1:8080/",
        "http://[::1]/",
        "http://[::ffff:7f00:1]/",
    ],
)
def test_check_public_refuses(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        check(url)
    assert caught.value.outcome == "blocked_private" and not caught.value.transient
    assert caught.value.url == url


@pytest.mark.parametrize("url", ["ftp://public.example/x", "file:///etc/passwd", "gopher://x/"])
def test_check_public_refuses_other_schemes_even_when_private_is_allowed(url: str) -> None:
    with pytest.raises(FetchError, match="not an http"):
        check(url, allow_private=True)


def test_check_public_passes_public_names_and_skips_literals_lookup() -> None:
    resolver = FakeResolver()
    check("http://public.example/a", resolver=resolver)
    check("https://v6.example/a", resolver=resolver)
    check("http://93.184.216.34/", resolver=resolver)
    assert resolver.asked == ["public.example", "v6.example"]


def test_check_public_allow_private_resolves_nothing() -> None:
    resolver = FakeResolver()
    check("http://127.0.0.1/", allow_private=True, resolver=resolver)
    assert resolver.asked == []


def test_failed_lookup_is_a_connect_error() -> None:
    with pytest.raises(FetchError) as caught:
        check("http://nowhere.example/")
    assert caught.value.outcome == "connect_error" and caught.value.transient


def proxied(server) -> dict:
    """Returns Fetcher options sending every request through the fault server."""
    return {
        "resolver": FakeResolver(),
        "transport": httpx.AsyncHTTPTransport(proxy=server.base),
    }


def test_proxy_seam_reaches_the_server(server) -> None:
    # Without this, the tests below could pass with a broken proxy instead of a working guard.
    result = fetch("http://public.example/ok", config=GUARDED, **proxied(server))
    assert result.outcome == "ok" and result.body == HTML
    assert [h.host for h in server.hits_of("/ok")] == ["public.example"]


def test_metadata_address_is_refused_before_any_request(server) -> None:
    result = fetch("http://metadata.example/latest/meta-data/", config=GUARDED, **proxied(server))
    assert result.outcome == "blocked_private"
    assert "169.254.169.254" in result.error
    assert server.hits == []


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/ok", "http://metadata.example/ok"])
def test_redirect_to_private_is_refused_on_that_hop(server, target: str) -> None:
    target = target.format(port=server.port)
    url = f"http://public.example/redirect/to?url={target}"
    result = fetch(url, config=GUARDED, **proxied(server))
    assert result.outcome == "blocked_private"
    assert result.status == 302 and result.final_url == target and result.body == b""
    assert [h.path for h in server.hits] == [f"/redirect/to?url={target}"]


def test_robots_txt_is_not_fetched_from_a_refused_host(server) -> None:
    config = settings(allow_private_networks=False, respect_robots_txt=True)
    result = fetch("http://metadata.example/ok", config=config, **proxied(server))
    assert result.outcome == "blocked_private"
    assert server.hits == []


class RebindingResolver:
    """Answers "public" to the first lookup of a name and "loopback" to every later one."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return ["93.184.216.34"] if len(self.asked) == 1 else ["127.0.0.1"]


def test_dns_rebinding_reaches_nothing_the_guard_did_not_check(server) -> None:
    # The proxy stands in for the network: each request line shows where the request was
    # sent. Addressed by name, whatever DNS answered next would decide; here it is the IP
    # the guard checked, named in the Host header.
    resolver = RebindingResolver()
    transport = httpx.AsyncHTTPTransport(proxy=server.base)
    result = fetch("http://rebind.example/ok", config=GUARDED, resolver=resolver,
                   transport=transport)  # fmt: skip
    assert result.outcome == "ok"
    assert resolver.asked == ["rebind.example"]  # resolved once, never again for the connect
    (hit,) = server.hits_of("/ok")
    assert hit.target == "93.184.216.34" and hit.host == "rebind.example"


def test_a_redirect_to_the_same_name_is_checked_again_and_refused(server) -> None:
    # Hop 1 resolves "public" and is sent there; hop 2's lookup says loopback: refused.
    resolver = RebindingResolver()
    transport = httpx.AsyncHTTPTransport(proxy=server.base)
    url = "http://rebind.example/redirect/to?url=http://rebind.example/ok"
    result = fetch(url, config=GUARDED, resolver=resolver, transport=transport)
    assert result.outcome == "blocked_private" and "127.0.0.1" in result.error
    assert [(h.target, h.path) for h in server.hits] == [
        ("93.184.216.34", "/redirect/to?url=http://rebind.example/ok")
    ]


@pytest.mark.parametrize(
    ("url", "address", "expected_url", "host", "sni"),
    [
        ("https://Example.COM/a?b=1", "93.184.216.34", "https://93.184.216.34/a?b=1",
         "example.com", "example.com"),
        ("http://example.com:8080/x", "2606:2800::1", "http://[2606:2800::1]:8080/x",
         "example.com:8080", None),
        ("https://bücher.example/", "1.2.3.4", "https://1.2.3.4/", "xn--bcher-kva.example",
         "xn--bcher-kva.example"),
    ],
)  # fmt: skip
def test_pinned_request_names_its_host(url, address, expected_url, host, sni) -> None:
    pinned = pin_to_address(url, address)
    assert str(pinned.url) == expected_url
    assert pinned.headers == {"Host": host}
    assert pinned.extensions.get("sni_hostname") == sni


def test_bounded_decoder_stops_a_gzip_bomb_at_the_limit() -> None:
    bomb = gzip_bomb()
    decoder = BoundedDecoder("gzip", "http://x/")
    out = decoder.decode(bomb[:65536], 1000)
    assert len(out) == 1001  # one byte over the room: the caller knows it is too large


def test_bounded_decoder_decodes_within_the_limit() -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw_deflate = packer.compress(HTML) + packer.flush()
    assert BoundedDecoder("deflate", "u").decode(raw_deflate, 10_000) == HTML
    assert BoundedDecoder("identity", "u").decode(HTML, 10_000) == HTML
    assert BoundedDecoder("", "u").decode(HTML, 10) == HTML[:11]


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, gzip", "compress"])
def test_bounded_decoder_refuses_encodings_it_cannot_bound(encoding: str) -> None:
    with pytest.raises(FetchError) as caught:
        BoundedDecoder(encoding, "http://x/")
    assert caught.value.outcome == "decode_error"


@pytest.mark.parametrize(
    ("kind", "ctype", "body", "expected"),
    [
        ("page", "text/html; charset=utf-8", HTML, None),
        ("page", "", HTML, None),
        ("page", "text/html", b"%PDF-1.5 ...", "PDF"),
        ("page", "application/pdf", b"%PDF-1.5", "PDF"),
        ("page", "image/png", b"\x89PNG\r\n", "image/png"),
        ("page", "text/html", b"\x00\x01\x02", "binary"),
        ("page", "text/html; charset=utf-16", "<html>é</html>".encode("utf-16"), None),
        ("page", "application/rss+xml", b"<rss></rss>", "application/rss+xml"),
        ("feed", "application/octet-stream", b"<?xml version='1.0'?><rss/>", None),
        ("feed", "application/octet-stream", bytes(range(256)), "binary"),
        ("sitemap", "application/xml", b"<urlset/>", None),
        ("robots", "text/plain", b"User-agent: *", None),
    ],
)
def test_content_problem(kind: str, ctype: str, body: bytes, expected: str | None) -> None:
    problem = content_problem(kind, ctype, body)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


def test_https_names_sharing_an_ip_never_share_a_connection_pool() -> None:
    # A pool per server name: b.example's request never rides a TLS connection whose
    # certificate was checked for a.example only.
    pools: list[list[str]] = []

    def make_pool() -> httpx.MockTransport:
        seen: list[str] = []
        pools.append(seen)
        return httpx.MockTransport(lambda r: seen.append(r.headers["host"]) or httpx.Response(200))

    async def send_all() -> None:
        transport = HostSeparatedTransport(make_pool)
        async with httpx.AsyncClient(transport=transport) as client:
            for url in ("https://a.example/1", "https://b.example/1", "https://a.example/2",
                        "http://c.example/1"):  # fmt: skip
                pinned = pin_to_address(url, "93.184.216.34")
                await client.get(pinned.url, headers=pinned.headers, extensions=pinned.extensions)

    asyncio.run(send_all())
    assert pools == [["c.example"], ["a.example", "a.example"], ["b.example"]]
