"""A real HTTP server on 127.0.0.1 with one endpoint per way a site can misbehave.

    with FaultServer() as server:
        server.url("/slow")          # http://127.0.0.1:<port>/slow
        server.hits_of("/slow")      # [Hit(path, host, started, ended, headers), ...]

It also answers absolute-form requests (`GET http://public.example/x`), so a test can
route a made-up host name to it with `httpx.AsyncHTTPTransport(proxy=server.base)`.
Endpoints (see `_ROUTES`): /ok, /conditional, /status/<code>, /flaky-503, /throttle,
/redirect/chain/<n>, /redirect/loop-a, /redirect/to?url=, /slow, /hang, /sleep?s=,
/reset, /close, /truncated, /huge, /huge-declared, /gzip-bomb, /gzip-ok, /deflate-raw,
/bad-gzip, /pdf, /pdf-as-html, /png, /binary, /html-binary, /empty, /no-type-html,
/legacy/cp1251, /legacy/sjis, /feed.xml, /feed-octet, /headers, /robots.txt, /private/*,
/corpus/<file> (a page of shared/corpus when `corpus` is given).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

HTML = b"<!DOCTYPE html><html><head><title>ok</title></head><body><p>Hello.</p></body></html>"
ETAG, LAST_MODIFIED = '"v1"', "Wed, 01 Jan 2025 00:00:00 GMT"
BOMB_BYTES = 120 * 1024 * 1024  # what the gzip bomb inflates to
HUGE_BYTES = 200 * 1024 * 1024
CP1251 = (
    '<html><head><meta charset="windows-1251"><title>Новости</title></head>'
    "<body><p>Привет, мир</p></body></html>"
).encode("cp1251")
SJIS = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
    "<title>ニュース</title></head><body><p>こんにちは世界</p></body></html>"
).encode("shift_jis")
BAD_GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 100  # invalid block type
FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    b"<item><link>http://example.org/a</link></item></channel></rss>"
)


@dataclass
class Hit:
    """One request the server received."""

    path: str
    host: str
    started: float  # time.monotonic() when the request line was read
    headers: dict[str, str]
    ended: float | None = None
    target: str = ""  # the host of an absolute-form request line (we were used as a proxy)


@dataclass
class FaultServer:
    """Serves the fault endpoints on 127.0.0.1 (a free port) from a thread."""

    robots: tuple[int, bytes] = (200, b"User-agent: *\nDisallow: /private/\n")
    corpus: Path | None = None  # served under /corpus/<file>, as text/html without charset
    hits: list[Hit] = field(default_factory=list)

    def __enter__(self) -> FaultServer:
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"fault": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._httpd.handle_error = lambda request, address: None  # resets are on purpose
        self.port = self._httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        serve = lambda: self._httpd.serve_forever(poll_interval=0.02)  # noqa: E731 - quick shutdown
        threading.Thread(target=serve, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()  # releases /hang and the slow streams
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str, host: str | None = None) -> str:
        """Returns the URL of path on this server (under another host name if given)."""
        return f"http://{host or '127.0.0.1'}:{self.port}{path}"

    def hits_of(self, path: str) -> list[Hit]:
        """Returns the requests received for path (query string included if given)."""
        with self._lock:
            return [h for h in self.hits if h.path == path or h.path.split("?")[0] == path]

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fault: FaultServer

    def log_message(self, format, *args):  # noqa: A002 - quiet test output
        pass

    def do_GET(self) -> None:
        target = urlsplit(self.path)  # absolute-form when we are used as a proxy
        path = target.path + (f"?{target.query}" if target.query else "")
        hit = Hit(path, self.headers.get("Host", ""), time.monotonic(), dict(self.headers),
                  target=target.hostname or "")  # fmt: skip
        self.fault.record(hit)
        self.query = parse_qs(target.query)
        route = _route(target.path)
        try:
            route(self)
        except OSError:  # the client gave up (too large, timeout): nothing more to send
            self.close_connection = True
        finally:
            hit.ended = time.monotonic()

    def send(self, status: int, body: bytes, ctype: str | None = "text/html", **headers) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), str(value))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def start_chunked(self, status: int = 200, ctype: str = "text/html", **headers) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), str(value))
        self.end_headers()

    def chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def hang_up(self, reset: bool) -> None:
        if reset:  # SO_LINGER 0: close() sends RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            self.connection.shutdown(socket.SHUT_RDWR)  # FIN: whatever was sent is all there is
        self.connection.close()
        self.close_connection = True


def _ok(h: _Handler) -> None:
    h.send(200, HTML, "text/html; charset=utf-8", ETag=ETAG, Last_Modified=LAST_MODIFIED)


def _conditional(h: _Handler) -> None:
    fresh = h.headers.get("If-None-Match") == ETAG or h.headers.get("If-Modified-Since") == (
        LAST_MODIFIED
    )
    if fresh:
        h.send(304, b"", None, ETag=ETAG)
    else:
        _ok(h)


def _status(h: _Handler) -> None:
    code = int(urlsplit(h.path).path.rsplit("/", 1)[1])
    h.send(code, b"<html><body>error</body></html>")


def _flaky_503(h: _Handler) -> None:
    if len(h.fault.hits_of(urlsplit(h.path).path)) == 1:
        h.send(503, b"busy", "text/plain", Retry_After=1)
    else:
        _ok(h)


def _throttle(h: _Handler) -> None:
    after = h.query.get("after", ["1"])[0]
    h.send(429, b"slow down", "text/plain", Retry_After=after)


def _chain(h: _Handler) -> None:
    n = int(urlsplit(h.path).path.rsplit("/", 1)[1])
    target = f"/redirect/chain/{n - 1}" if n > 1 else "/ok"
    h.send(302, b"", None, Location=target)


def _redirect_to(h: _Handler) -> None:
    h.send(302, b"", None, Location=h.query["url"][0])


def _slow(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "100")
    h.end_headers()
    every = float(h.query.get("every", ["2"])[0])
    for _ in range(100):  # one byte every 2 s (or ?every=): each read is quick, the whole is not
        h.wfile.write(b"<")
        h.wfile.flush()
        if h.fault.stopping.wait(every):
            return


def _hang(h: _Handler) -> None:
    h.fault.stopping.wait(60)


def _sleep(h: _Handler) -> None:
    time.sleep(float(h.query.get("s", ["0.2"])[0]))
    _ok(h)


def _truncated(h: _Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "10000")
    h.end_headers()
    h.wfile.write(HTML)
    h.wfile.flush()
    h.hang_up(reset=False)


def _stream(h: _Handler, total: int, declared: bool) -> None:
    block = b"<p>" + b"x" * 65530 + b"</p>"
    if declared:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(total))
        h.end_headers()
        write = h.wfile.write
    else:
        h.start_chunked()
        write = h.chunk
    for _ in range(total // len(block)):  # generated lazily: never 200 MB in memory
        write(block)


@cache
def gzip_bomb() -> bytes:
    """Returns a small gzip stream (about 550 KB) that inflates to BOMB_BYTES of HTML-ish text."""
    packer = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS | 16)  # fast to build, ratio ~200:1
    zeros = b" " * (1024 * 1024)
    parts = [packer.compress(b"<html><body>")]
    parts += [packer.compress(zeros) for _ in range(BOMB_BYTES // len(zeros))]
    return b"".join(parts) + packer.flush()


def _gzip(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def _legacy(h: _Handler) -> None:
    body = CP1251 if h.path.endswith("cp1251") else SJIS
    h.send(200, body, "text/html")  # no charset in the header: only the meta says it


def _corpus(h: _Handler) -> None:
    name = urlsplit(h.path).path.rsplit("/", 1)[1]
    page = h.fault.corpus / "pages" / name if h.fault.corpus else None
    if page is None or not page.is_file():
        h.send(404, b"<html><body>not in the corpus</body></html>")
    else:
        h.send(200, page.read_bytes(), "text/html")


def _robots(h: _Handler) -> None:
    status, body = h.fault.robots
    h.send(status, body, "text/plain")


_ROUTES = {
    "/ok": _ok,
    "/conditional": _conditional,
    "/status/": _status,
    "/flaky-503": _flaky_503,
    "/throttle": _throttle,
    "/redirect/chain/": _chain,
    "/redirect/loop-a": lambda h: h.send(302, b"", None, Location="/redirect/loop-b"),
    "/redirect/loop-b": lambda h: h.send(301, b"", None, Location="/redirect/loop-a"),
    "/redirect/to": _redirect_to,
    "/slow": _slow,
    "/hang": _hang,
    "/sleep": _sleep,
    "/reset": lambda h: h.hang_up(reset=True),
    "/close": lambda h: h.hang_up(reset=False),
    "/truncated": _truncated,
    "/huge-declared": lambda h: _stream(h, HUGE_BYTES, declared=True),
    "/huge": lambda h: _stream(h, HUGE_BYTES, declared=False),
    "/gzip-bomb": lambda h: h.send(200, gzip_bomb(), "text/html", Content_Encoding="gzip"),
    "/gzip-ok": lambda h: h.send(200, _gzip(HTML, 31), "text/html", Content_Encoding="gzip"),
    "/deflate-raw": lambda h: h.send(
        200, _gzip(HTML, -15), "text/html", Content_Encoding="deflate"
    ),
    "/bad-gzip": lambda h: h.send(200, BAD_GZIP, "text/html", Content_Encoding="gzip"),
    "/pdf-as-html": lambda h: h.send(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "text/html"),
    "/pdf": lambda h: h.send(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
    "/png": lambda h: h.send(200, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    "/binary": lambda h: h.send(200, bytes(range(256)) * 8, "application/octet-stream"),
    "/html-binary": lambda h: h.send(200, b"\x00\x01\x02\xff" * 64, "text/html"),
    "/empty": lambda h: h.send(200, b"", "text/html"),
    "/no-type-html": lambda h: h.send(200, HTML, None),
    "/legacy/": _legacy,
    "/feed.xml": lambda h: h.send(200, FEED, "application/rss+xml"),
    "/feed-octet": lambda h: h.send(200, FEED, "application/octet-stream"),
    "/headers": lambda h: h.send(200, json.dumps(dict(h.headers)).encode(), "application/json"),
    "/robots.txt": _robots,
    "/corpus/": _corpus,
    "/private/": _ok,
}


def _route(path: str):
    if path in _ROUTES:
        return _ROUTES[path]
    for prefix, route in _ROUTES.items():
        if prefix.endswith("/") and path.startswith(prefix):
            return route
    return lambda h: h.send(404, b"<html><body>not found</body></html>")
