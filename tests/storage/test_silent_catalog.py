"""A PostgreSQL catalog host that accepts connections and never answers (issue 24, item 3):
every command gives up after libpq's connect_timeout with one line, and SIGTERM or
Ctrl-C end it sooner."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from newsflow.errors import StorageError
from storage.db import connect


@pytest.fixture
def silent_host() -> Iterator[int]:
    """Yields the port of a listener on 127.0.0.1 that accepts and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()
    for connection in held:
        connection.close()


def _lake(port: int, extra: str = "") -> str:
    return f"ducklake:postgres:dbname=news host=127.0.0.1 port={port} user=newsflow{extra}"


def _newsflow(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "newsflow.cli", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_opening_a_silent_catalog_gives_up_with_one_line(silent_host):
    with (
        pytest.raises(StorageError) as caught,
        connect(_lake(silent_host, " connect_timeout=1"), read_only=True),
    ):
        pass
    message = str(caught.value)
    assert "cannot reach the PostgreSQL catalog" in message and "timeout expired" in message
    assert "\n" not in message


def test_query_on_a_silent_catalog_ends_with_one_line(silent_host):
    proc = _newsflow("query", "SELECT 1", "--db", _lake(silent_host))
    out, err = proc.communicate(timeout=90)  # connect_timeout is 10 s: no hang
    assert proc.returncode == 2, err
    assert err.count("\n") == 1 and "timeout expired" in err, err


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_a_command_waiting_for_a_silent_catalog(silent_host, sent):
    proc = _newsflow("query", "SELECT 1", "--db", _lake(silent_host, " connect_timeout=600"))
    try:
        _wait_for_connection(silent_host, proc)
        proc.send_signal(sent)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0


def _wait_for_connection(port: int, proc: subprocess.Popen) -> None:
    """Returns once the command has connected to the silent host (it then waits there)."""
    for _ in range(600):
        established = subprocess.run(
            ["ss", "-tnH", "state", "established", f"( dport = :{port} )"],
            capture_output=True, text=True,
        ).stdout  # fmt: skip
        if established.strip() or proc.poll() is not None:
            return
        threading.Event().wait(0.2)
    raise AssertionError(f"newsflow never connected to port {port} (pid {os.getpid()})")
