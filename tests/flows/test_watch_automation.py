"""The README's watch automation, for real: a `prefect server start`, the automation created
by the README's own Python, a night run by `newsflow ingest` against that server, and a
webhook receiver on 127.0.0.1 that must get the watch's matches."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support import REPO
from tests.support.flows import write_sources
from tests.support.prefect_server import prefect_server

pytestmark = pytest.mark.e2e


class Receiver(ThreadingHTTPServer):
    """A webhook endpoint on 127.0.0.1 that records every POST body."""

    def __init__(self):
        self.posts: list[bytes] = []
        self.arrived = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.posts.append(body)
        self.server.arrived.set()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


def documented_automation() -> str:
    """Returns the Python block of the docs that creates the watch automation."""
    texts = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    blocks = [b for path in texts for b in re.findall(r"```python\n(.*?)```",
              path.read_text(encoding="utf-8"), re.S) if "newsflow.watch.matched" in b]  # fmt: skip
    assert len(blocks) == 1, "one documented watch automation"
    return blocks[0]


def test_the_documented_automation_posts_a_nights_matches_to_a_webhook(tmp_path, blog):
    home = tmp_path / "prefect"
    home.mkdir()
    sources = write_sources(tmp_path / "sources.toml", [("kabar-dunia", blog.base_url + "/",
                                                          "auto")])  # fmt: skip
    sources.write_text(sources.read_text() + '\n[[watches]]\nname = "nato-talks"\n'
                       'query = "Stoltenberg Brussel"\n')  # fmt: skip
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        with prefect_server(home) as server:
            env = {**server.env, "WEBHOOK_URL": receiver.url}
            create = [sys.executable, "-c", documented_automation()]
            created = subprocess.run(create, env=env, cwd=tmp_path, capture_output=True,
                                     text=True, timeout=120)  # fmt: skip
            assert created.returncode == 0, created.stderr
            night = subprocess.run(
                [sys.executable, "-m", "newsflow.cli", "ingest", "--sources", str(sources),
                 "--db", str(tmp_path / "news.duckdb")],
                env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            assert night.returncode == 0, night.stdout + night.stderr
            assert receiver.arrived.wait(120), "no webhook call within 120 s"
            time.sleep(2)  # a second call, if one were wrongly made, would come now
    finally:
        receiver.shutdown()
        receiver.server_close()
    [body] = receiver.posts
    posted = json.loads(body)
    assert posted["watch"] == "nato-talks" and posted["count"] == 1
    assert [a["title"] for a in posted["articles"]] == ["Rusia dan NATO Bertemu di Brussel"]
    assert posted["articles"][0]["url"].startswith(blog.base_url)
