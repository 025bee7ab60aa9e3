"""Prefect's ephemeral mode, started sooner: a temporary local API server for one command.

With no API URL configured, Prefect starts a temporary server the first time a flow
talks to it: the command first imports Prefect's server package (~4 s here) only to
launch it, then waits while the server process imports it again (~7 s). The CLI
launches the same server, the same way Prefect does (uvicorn on 127.0.0.1, the
`create_app` factory, ephemeral flags), as its first step, so the server starts while
the command imports its own modules. A configured API URL (environment, profile or
prefect.toml) is used as it is, and no server is started.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

STARTUP_SECONDS = 120.0  # a busy 2-core machine can take a minute
PR_SET_PDEATHSIG = 1


class TemporaryServer:
    """A Prefect API server that lives as long as this object's command."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.url: str | None = None

    def launch(self) -> None:
        """Starts the server process, without waiting for it; nothing when a URL is set."""
        if os.environ.get("PREFECT_API_URL"):
            return
        port = _free_port()
        prefect_dir = Path(importlib.util.find_spec("prefect").origin).parent
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
        command = [
            sys.executable, "-m", "uvicorn", "--app-dir", str(prefect_dir.parent),
            "--factory", "prefect.server.api.server:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "error",
            "--lifespan", "on",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env=env, preexec_fn=_die_with_parent)
        self.url = f"http://127.0.0.1:{port}/api"

    @contextlib.contextmanager
    def api(self):
        """Within: Prefect talks to this server (once it answers), unless one is configured."""
        if self.process is None:
            yield
            return
        from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

        if get_current_settings().api.url:  # a profile or prefect.toml names a server
            self.stop()
            yield
            return
        self._wait_healthy()
        with temporary_settings(updates={PREFECT_API_URL: self.url}):
            try:
                yield
            finally:
                _drain_to_server()

    def stop(self) -> None:
        """Stops the server process, if this object started one."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _wait_healthy(self) -> None:
        # Imported here, not before the launch: urllib.request brings http.client and the
        # email package, a third of what the command imported before it could launch.
        import urllib.request

        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
        limit = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 0))
        deadline = time.monotonic() + (limit or STARTUP_SECONDS)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Prefect's temporary server exited with code {self.process.returncode}"
                )
            with contextlib.suppress(OSError), direct.open(f"{self.url}/health", timeout=2) as r:
                if r.status == 200:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Prefect's temporary server at {self.url} did not answer in time")


def _die_with_parent() -> None:
    # Linux: the server gets SIGTERM when the command dies, even by kill -9.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _drain_to_server() -> None:
    """Sends the run's last logs and events before the server stops (Prefect would do it
    at exit, when the server is gone, and retry for a minute)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=10)
        except Exception as exc:  # shutting down: say so, but finish the command
            print(f"newsflow: could not send the last {worker.__name__} items: {exc}")
