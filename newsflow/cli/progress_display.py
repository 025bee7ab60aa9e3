"""The live progress of `newsflow ingest` and `reextract`: a rich display on a terminal,
plain lines (no control codes) when the output is a file, a pipe, cron or CI."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.text import Text

from newsflow.progress import Progress, listening


class _Display:
    """What the live display draws: redrawn from the latest Progress at each refresh, so
    the elapsed time moves between batches too."""

    def __init__(self) -> None:
        self.progress: Progress | None = None

    def __rich__(self):
        p = self.progress
        if p is None:
            return Text("starting…", style="dim")
        bar = ProgressBar(total=max(p.planned, 1), completed=p.stored or p.extracted, width=40)
        return Group(bar, Text(p.line(), style="bold" if not p.failed else "yellow"))


@contextmanager
def progress_display(console: Console) -> Iterator[None]:
    """Within: published progress is shown on `console` (live on a terminal, else lines)."""
    if console.is_terminal and not console.is_dumb_terminal:
        display = _Display()
        with Live(display, console=console, refresh_per_second=4, transient=False):

            def draw(progress: Progress) -> None:
                display.progress = progress

            with listening(draw):
                yield
        return
    last: list[tuple] = [()]

    def write(progress: Progress) -> None:
        # Time passing alone does not make a new line: one line per stage or batch.
        counts = progress.counts()
        if counts != last[0]:
            last[0] = counts
            # Not print(): inside a flow with log_prints, Prefect turns prints into log lines.
            sys.stdout.write(progress.line() + "\n")
            sys.stdout.flush()

    with listening(write):
        yield
