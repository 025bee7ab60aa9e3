"""Another process holding a DuckDB file, as a second `newsflow` or an analyst's shell does."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from contextlib import contextmanager


@contextmanager
def held_by_another_process(db, read_only: bool):
    """Holds the database file open in a second process until the block ends."""
    code = textwrap.dedent(f"""
        import duckdb, sys
        con = duckdb.connect({str(db)!r}, read_only={read_only})
        print("held", flush=True)
        sys.stdin.readline()
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "held"
        yield
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
