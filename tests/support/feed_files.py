"""Feeds served from a dict on 127.0.0.1, some paths answering late: the large-feed cases
(tests/fetchers/test_parse_off_loop.py, bench/fault_cases.py) share it."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def rss(items: int, base: str, prefix: str) -> bytes:
    """An RSS document of `items` items linking to BASE/PREFIX/N, newest (0) first."""
    body = "".join(
        f"<item><title>Item {n} of the archive</title><link>{base}/{prefix}/{n}</link>"
        f"<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate><description>Text of item "
        f"{n}, a few words long.</description></item>"
        for n in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{prefix}'
        f"</title>{body}</channel></rss>"
    ).encode()


class FeedFilesServer:
    """Serves `files` (path → body; 404 for others); paths in `late` answer after that
    many seconds. `hits` counts the requests per path."""

    def __init__(self, files: dict[str, bytes], late: dict[str, float] | None = None):
        self.files, self.late = files, late or {}
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                server.hits[self.path] += 1
                time.sleep(server.late.get(self.path, 0))
                body = server.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
