"""An analyst polling the lake while nights write to it: a process of its own.

`python -m tests.support.lake_reader DB LOG STOP` counts the stored articles every 0.2 s
through `storage.db.connect(DB, read_only=True)`, appending one line per read to LOG:
`<seconds> <count>`, or `<seconds> ERROR <message>` when a read fails; it ends once the
file STOP exists. `reads(LOG)` parses the log.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support import REPO

INTERVAL_SECONDS = 0.2


def poll(db: str, log: Path, stop: Path) -> None:
    from storage.db import connect

    started = time.monotonic()
    with log.open("a", encoding="utf-8") as out:
        while not stop.exists():
            try:
                with connect(db, read_only=True) as con:
                    (count,) = con.execute("SELECT count(*) FROM articles").fetchone()
                line = f"{count}"
            except Exception as exc:  # every failure is the finding, whatever its kind
                line = "ERROR " + " ".join(str(exc).split())[:300]
            out.write(f"{time.monotonic() - started:.2f} {line}\n")
            out.flush()
            time.sleep(INTERVAL_SECONDS)


@contextmanager
def lake_reader(db: str, folder: Path) -> Iterator[Path]:
    """Runs the reader while the block runs; yields its log's path."""
    log, stop = folder / "reader.log", folder / "reader.stop"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.lake_reader", db, str(log), str(stop)], cwd=REPO
    )
    try:
        yield log
    finally:
        stop.touch()
        process.wait(timeout=60)


def reads(log: Path) -> tuple[list[int], list[str]]:
    """Returns the counts read, in order, and the errors."""
    counts, errors = [], []
    for line in log.read_text(encoding="utf-8").splitlines():
        _, value = line.split(" ", 1)
        if value.startswith("ERROR"):
            errors.append(value)
        else:
            counts.append(int(value))
    return counts, errors


if __name__ == "__main__":
    poll(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
