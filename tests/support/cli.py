"""`newsflow ...` run as a user runs it: in a subprocess, output captured as text."""

from __future__ import annotations

import subprocess
import sys


def newsflow(*args: str, env=None, cwd=None) -> subprocess.CompletedProcess:
    """Returns the finished `newsflow ARGS` (python -m newsflow.cli), never raising on its code."""
    return subprocess.run(
        [sys.executable, "-m", "newsflow.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )
