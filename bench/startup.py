"""Start-up costs on their own: Prefect's temporary server alone, and the nightly
deployment's empty run on a long-running Prefect server and process worker.

    server_start(bench)          # the server `newsflow ingest` starts, launch to healthy
    with Deployment(bench) as d: # `prefect server start`, work pool, deploy --all, worker
        d.empty_run(sources, db) # one flow run of ingest/nightly, its worker time
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime

import httpx

from bench.measure import measure
from bench.site import REPO

POOL = "newsflow-pool"  # prefect.yaml's work pool
_SERVER_ALONE = (
    "from newsflow.cli.temporary_server import TemporaryServer\n"
    "server = TemporaryServer()\n"
    "server.launch()\n"
    "server._wait_healthy()\n"
    "server.stop()\n"
)


def server_start(bench) -> dict:
    """Returns the cost of Prefect's temporary server (as the CLI launches it) from launch
    until its API answers: wall seconds and the server process's CPU seconds."""
    run = measure([sys.executable, "-c", _SERVER_ALONE], bench.env, REPO)
    if run.returncode != 0:
        raise RuntimeError(f"temporary server did not start:\n{run.output[-2000:]}")
    return run.as_dict()


class Deployment:
    """A Prefect server, the process work pool, `prefect deploy --all` and one worker,
    started as docs/operations.md's "Run it nightly" says; stopped on exit."""

    def __init__(self, bench):
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        home = bench.workdir / "deployment-home"
        home.mkdir(exist_ok=True)
        self.env = {k: v for k, v in bench.env.items() if not k.startswith("PREFECT_API")}
        self.env.pop("NEWSFLOW_HOME", None)  # deploying with it set would bake its value in
        self.env.update(
            PREFECT_HOME=str(home),
            PREFECT_API_URL=f"{self.url}/api",
            PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{home}/prefect.db",
        )
        self.home = home
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> Deployment:
        self._start(["server", "start", "--host", "127.0.0.1", "--port", self.url.rsplit(":")[-1]])
        self._wait_healthy()
        self._prefect("work-pool", "create", POOL, "--type", "process", "--overwrite")
        self._prefect("deploy", "--all")
        self._start(["worker", "start", "--pool", POOL], NEWSFLOW_HOME=str(REPO))
        return self

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def empty_run(self, sources, db, timeout: float = 300) -> dict:
        """Returns the seconds of one ingest/nightly run: `worker` from the worker taking
        it (PENDING) to its end, `running` from RUNNING to the end, `queued` before."""
        deployment = self._api("POST", "/deployments/filter",
                               {"deployments": {"name": {"any_": ["nightly"]}}})[0]  # fmt: skip
        run = self._api(
            "POST",
            f"/deployments/{deployment['id']}/create_flow_run",
            {"parameters": {"sources": str(sources), "db": str(db)}},
        )
        created, deadline = time.monotonic(), time.monotonic() + timeout
        while (state := self._state(run["id"]))["type"] not in _FINAL:
            if time.monotonic() > deadline:
                raise RuntimeError(f"deployment run still {state['type']} after {timeout} s")
            time.sleep(0.25)
        found = {s["type"]: _when(s["timestamp"]) for s in self._history(run["id"])}
        end = _when(state["timestamp"])
        return {
            "state": state["type"],
            "worker": (end - found["PENDING"]).total_seconds(),
            "running": (end - found["RUNNING"]).total_seconds(),
            "queued": (found["PENDING"] - _when(run["created"])).total_seconds(),
            "observed": time.monotonic() - created,
        }

    def _state(self, run_id: str) -> dict:
        return self._api("GET", f"/flow_runs/{run_id}")["state"]

    def _history(self, run_id: str) -> list[dict]:
        return self._api("GET", f"/flow_run_states/?flow_run_id={run_id}")

    def _api(self, method: str, path: str, body: dict | None = None):
        response = httpx.request(method, f"{self.url}/api{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def _start(self, args: list[str], **env) -> None:
        log = (self.home / f"{args[0]}.log").open("w")
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "prefect", *args],
                env={**self.env, **env},
                cwd=self.home,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # the server and worker with their children
            )
        )

    def _prefect(self, *args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "prefect", *args], env=self.env, cwd=REPO,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}")

    def _wait_healthy(self, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.5)
        raise RuntimeError(f"Prefect server at {self.url} did not start in {seconds:.0f} s")


_FINAL = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


def _when(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
