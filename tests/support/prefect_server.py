"""A real `prefect server start` on 127.0.0.1 and process workers, for end-to-end tests.

Each server gets its own PREFECT_HOME and SQLite database in a temporary folder. Workers
start as `uv run prefect worker start` would, in the checkout, with nothing set but the
API URL; each is its own process group, and `kill_tree` kills a worker together with
the flow-run processes it started (Prefect starts those in new sessions), as a machine
that dies would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support import REPO

PREFECT = [sys.executable, "-m", "prefect"]  # `uv run prefect`, in the interpreter under test
FINAL_STATES = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


def api_request(api_url: str, method: str, path: str, body: dict | None = None) -> httpx.Response:
    """A Prefect API's answer; a 503 is tried again, as Prefect's own client does.

    The server answers 503 for errors a client can retry (its SQLite database busy while
    a worker writes, say): a retry, not a failure of the code under test.
    """
    for wait in (1, 2, 4, 8, None):
        response = httpx.request(method, f"{api_url}{path}", json=body, timeout=30)
        if response.status_code != 503 or wait is None:
            return response
        time.sleep(wait)


@dataclass
class PrefectServer:
    url: str
    env: dict[str, str]  # what a shell pointed at this server has: the API URL, no NEWSFLOW_HOME
    home: Path

    def api(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        return api_request(f"{self.url}/api", method, path, body)

    def prefect(self, *args: str, env: dict | None = None, cwd=REPO, timeout=180) -> str:
        """Returns the output of `prefect ARGS`, which must succeed."""
        done = subprocess.run([*PREFECT, *args], env=env or self.env, cwd=cwd, text=True,
                              capture_output=True, timeout=timeout)  # fmt: skip
        assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def flow_run(self, flow_run_id: str) -> dict:
        return self.api("GET", f"/flow_runs/{flow_run_id}").json()

    def wait_final(self, flow_run_id: str, seconds: float) -> dict:
        """Returns the flow run once it is in a final state; fails after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            run = self.flow_run(flow_run_id)
            if run["state"]["type"] in FINAL_STATES:
                return run
            assert time.monotonic() < deadline, f"run {flow_run_id} still {run['state']['type']}"
            time.sleep(1)

    def deployment_run(self, name: str, **params) -> str:
        """Returns the id of a new run of the deployment `name` (`prefect deployment run`)."""
        args = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
        out = self.prefect("deployment", "run", name, *args)
        (line,) = [line for line in out.splitlines() if "UUID:" in line]
        return line.split("UUID:")[1].strip()

    def artifacts(self, flow_run_id: str) -> dict[str, dict]:
        found = self.api(
            "POST", "/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}}
        ).json()
        return {a["key"] or a["type"]: a for a in found}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def prefect_server(home: Path) -> Iterator[PrefectServer]:
    """Runs `prefect server start` on a free port with its own home, until the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.pop("NEWSFLOW_HOME", None)  # deploying with it set would bake its value in
    env |= {
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": f"{url}/api",
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home}/prefect.db",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
    }
    with (home / "server.log").open("w") as log:
        process = subprocess.Popen(
            [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            _wait_healthy(url, process, home / "server.log")
            yield PrefectServer(url, env, home)
        finally:
            stop_group(process)


def _wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prefect server exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"prefect server not healthy after 120 s:\n{log.read_text()}")


def start_worker(server: PrefectServer, pool: str, name: str, *args: str,
                 env: dict | None = None) -> subprocess.Popen:  # fmt: skip
    """Starts `prefect worker start --pool POOL --name NAME ARGS` in the checkout."""
    log = (server.home / f"worker-{name}.log").open("w")
    return subprocess.Popen(
        [*PREFECT, "worker", "start", "--pool", pool, "--name", name, *args],
        env=env or server.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def stop_group(process: subprocess.Popen) -> None:
    """Stops a process started in its own session, and what it started there."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def descendants(pid: int) -> list[int]:
    """Returns the pids of every process below `pid`, whatever its session (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(process: subprocess.Popen) -> list[int]:
    """kill -9 of a process and everything it started, as when its machine dies; returns
    the pids killed. The tree is frozen first (SIGSTOP), so nothing forks meanwhile."""
    frozen: list[int] = []
    todo = [process.pid]
    while todo:
        for pid in todo:
            _signal(pid, signal.SIGSTOP)
        frozen += todo
        todo = [pid for pid in descendants(process.pid) if pid not in frozen]
    for pid in frozen:
        _signal(pid, signal.SIGKILL)
    process.wait()
    return frozen


def _signal(pid: int, signum: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signum)
