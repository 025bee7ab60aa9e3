"""Passwords in source URLs (or in the environment) are used for the requests and written
nowhere: a real ingest against blogs on 127.0.0.1 that require HTTP Basic auth, then every
table, every file beside the database, the captured log and what Prefect stored (logs,
artifacts, flow and task runs) are searched for the passwords."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest

from newsflow.demo.run import POSTS
from newsflow.demo.site import blogger_site
from tests.support.flows import LOCAL_SETTINGS, run_flow

pytestmark = pytest.mark.usefixtures("prefect_server")

USER = "reader"
IN_URL = "pw-inline-7f3c91e0"  # written in the source's URL
IN_ENV = "pw-env-55ab02d4"  # held in the environment, named by password_env
WRONG = "pw-wrong-0c9d13aa"  # a wrong one: the server refuses it, and it is kept nowhere
SECRETS = (IN_URL, IN_ENV, WRONG)


class AuthBlog:
    """A Blogger-style blog on 127.0.0.1 that answers 401 without USER and `password`."""

    def __init__(self, password: str):
        self.expected = "Basic " + base64.b64encode(f"{USER}:{password}".encode()).decode()
        self.requests: list[tuple[str, bool]] = []  # (path, authorised)
        blog = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                authorised = self.headers.get("Authorization") == blog.expected
                blog.requests.append((self.path, authorised))
                found = blog.site.files.get(self.path.split("?")[0])
                status = 401 if not authorised else 200 if found else 404
                body = found[1] if status == 200 else b"no"
                self.send_response(status)
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="members"')
                self.send_header("Content-Type", found[0] if status == 200 else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.hostport = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.site = blogger_site("Members only", list(POSTS), f"http://{self.hostport}")

    def __enter__(self) -> AuthBlog:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _sources_toml(inline: AuthBlog, from_env: AuthBlog, refused: AuthBlog) -> str:
    return f"""{LOCAL_SETTINGS}
[[sources]]
name = "inline"
url = "http://{USER}:{IN_URL}@{inline.hostport}/"
kind = "auto"

[[sources]]
name = "from-env"
url = "http://{USER}@{from_env.hostport}/feeds/posts/default"
kind = "feed"
password_env = "NEWSFLOW_TEST_FEED_PASSWORD"

[[sources]]
name = "refused"
url = "http://{USER}:{WRONG}@{refused.hostport}/feeds/posts/default"
kind = "feed"
"""


def _every_row(db) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        tables = [t for (t,) in tables]
        return "\n".join(f"{t}: {con.execute(f'SELECT * FROM {t}').fetchall()}" for t in tables)


async def _prefect_records(flow_run_id) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.logging.handlers import APILogHandler

    # The run's logs go to the API in batches from a background worker: send what is
    # still queued, or the read below can come back before they arrive.
    await APILogHandler.aflush()
    async with get_client() as client:
        flow_run = await client.read_flow_run(flow_run_id)
        logs = await client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
        task_runs = await client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    records = [flow_run, *logs, *artifacts, *task_runs]
    assert logs and artifacts and task_runs  # the search below looks at something
    return "\n".join(json.dumps(r.model_dump(mode="json")) for r in records)


def test_passwords_are_used_for_requests_and_written_nowhere(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NEWSFLOW_TEST_FEED_PASSWORD", IN_ENV)
    caplog.set_level(logging.DEBUG)
    with AuthBlog(IN_URL) as inline, AuthBlog(IN_ENV) as from_env, AuthBlog(IN_URL) as refused:
        sources = tmp_path / "sources.toml"
        sources.write_text(_sources_toml(inline, from_env, refused))
        db = tmp_path / "data" / "news.duckdb"
        state = run_flow(sources, db)

    assert state.is_completed(), state.message
    # The passwords were sent: every request to the two good blogs was authorised, and
    # each stored all its posts (auto: home page, discovered feed, pages, robots.txt).
    for blog in (inline, from_env):
        assert blog.requests and all(ok for _, ok in blog.requests), blog.requests
    with duckdb.connect(str(db), read_only=True) as con:
        stored = dict(con.execute("SELECT source, count(*) FROM articles GROUP BY ALL").fetchall())
        refusal = con.execute(
            "SELECT url, outcome, status FROM fetches WHERE source = 'refused' AND kind = 'feed'"
        ).fetchall()
        feed_urls = [u for (u,) in con.execute("SELECT feed_url FROM feeds").fetchall()]
    assert stored == {"inline": len(POSTS), "from-env": len(POSTS)}
    assert refusal == [(f"http://{refused.hostport}/feeds/posts/default", "http_error", 401)]
    assert f"http://{from_env.hostport}/feeds/posts/default" in feed_urls

    # ... and kept nowhere.
    written = {
        "tables": _every_row(db),
        "files beside the database": "".join(
            p.read_bytes().decode("latin-1") for p in db.parent.rglob("*") if p.is_file()
        ),
        # Every record of newsflow's, httpx's and Prefect's loggers (the run logger's lines
        # are also in Prefect's own log store, read below). Not capfd: Prefect's console
        # handler would keep the captured stream after the test closes it.
        "captured log": caplog.text,
        "Prefect": asyncio.run(_prefect_records(state.state_details.flow_run_id)),
    }
    assert "inline" in written["tables"] and "refused" in written["Prefect"]  # not empty
    for where, text in written.items():
        leaked = [secret for secret in SECRETS if secret in text]
        assert not leaked, f"{leaked} found in {where}"
