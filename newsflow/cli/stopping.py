"""Ends a command on SIGTERM or Ctrl-C, even while its main thread waits inside C code.

Python runs a signal's handler only when the main thread gets back to Python code; a
DuckDB query, or libpq waiting for a catalog host that never answers, can keep it away
for good. So the signal also wakes a watcher thread (`signal.set_wakeup_fd`): it asks
what is running to stop (a DuckDB connection's `interrupt()`), and when the command has
not ended `GRACE_SECONDS` later, ends the process with the signal's exit status. A
second signal ends it at once. Child processes (Prefect's server, extraction workers)
die with this one (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable

GRACE_SECONDS = 5.0
STOPPING = (signal.SIGINT, signal.SIGTERM)

_interrupters: list[Callable[[], None]] = []


def end_on_signals() -> None:
    """Makes SIGTERM and SIGINT end this command (call once, from the main thread)."""
    read, write = os.pipe()
    os.set_blocking(write, False)
    signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    signal.signal(signal.SIGTERM, _interrupt_main)
    threading.Thread(target=_watch, args=(read,), name="signal watcher", daemon=True).start()


def on_interrupt(interrupt: Callable[[], None]) -> Callable[[], None]:
    """Registers `interrupt` (e.g. a DuckDB connection's) to be called on a signal; returns
    the function that unregisters it."""
    _interrupters.append(interrupt)
    return lambda: _interrupters.remove(interrupt) if interrupt in _interrupters else None


def _interrupt_main(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a command as Ctrl-C does


def _watch(read: int) -> None:
    received = 0
    while True:
        signum = os.read(read, 1)[0]
        if signum not in STOPPING:
            continue
        received += 1
        if received > 1:
            os._exit(128 + signum)
        for interrupt in list(_interrupters):
            interrupt()
        deadline = threading.Timer(GRACE_SECONDS, os._exit, args=(128 + signum,))
        deadline.daemon = True  # a command that ends in time exits at once
        deadline.start()
