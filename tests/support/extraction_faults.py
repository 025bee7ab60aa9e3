"""Faults the tests inject into extraction workers (ExtractorPool's `test_fault_hook`).

The hook runs in the worker process before each page, and acts on pages whose URL asks
for it; every other page is left alone:

- `/hang`: sleeps far past any deadline;
- `/segfault`: the worker dies of SIGSEGV, as a crashing C parser would, every time;
- `/slow?pids=<file>`: appends the worker's pid to <file>, then takes a few seconds:
  long enough for a test to `kill -9` that worker while it holds the page.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SLOW_SECONDS = 3.0


def inject_faults(page) -> None:
    """The hook: see the module docstring."""
    parts = urlsplit(page.url)
    if parts.path == "/hang":
        time.sleep(600)
    elif parts.path == "/segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif parts.path == "/slow":
        pids = Path(parse_qs(parts.query)["pids"][0])
        with pids.open("a") as out:
            out.write(f"{os.getpid()}\n")
        time.sleep(SLOW_SECONDS)
