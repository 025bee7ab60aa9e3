"""The CLI's temporary Prefect server: started before the command's imports, used by the
flow run, stopped with the command; a configured server is used instead."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import pytest

from newsflow.cli.temporary_server import TemporaryServer
from tests.support import REPO

SCRIPT = """
import json
from prefect import flow
from prefect.client.orchestration import get_client
from newsflow.cli.temporary_server import TemporaryServer

@flow
def hello():
    return 42

server = TemporaryServer()
server.launch()
try:
    with server.api():
        state = hello(return_state=True)
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(state.state_details.flow_run_id)
            api = str(client.api_url)
finally:
    server.stop()
print(json.dumps({"url": server.url, "api": api, "state": run.state.type.value,
                  "result": state.result(), "exit": server.process.returncode}))
"""


def test_a_flow_runs_against_the_temporary_server_which_then_stops(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, cwd=REPO, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["api"].rstrip("/") == seen["url"]  # the run was recorded on our server
    assert seen["state"] == "COMPLETED" and seen["result"] == 42
    assert seen["exit"] is not None  # stopped with the command
    with pytest.raises(OSError):
        urllib.request.urlopen(seen["url"] + "/health", timeout=2)


def test_a_configured_server_is_used_and_none_started(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    server = TemporaryServer()
    server.launch()
    assert server.process is None and server.url is None
    with server.api():
        pass  # nothing to wait for, nothing to stop
