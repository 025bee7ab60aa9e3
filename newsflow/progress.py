"""How far a run has got, told to whoever listens: the CLI's live display, for one.

The flows update a `Progress` as stages and batches finish and `publish` it; with no
listener (a worker, a test) publishing costs nothing. Listeners run in the flow's
thread, so they must be quick (drawing a line, not writing a database).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Progress:
    """Counts of a run so far; `planned` is known once the feeds are read."""

    run: str  # ingest | reextract
    sources_total: int = 0
    sources_read: int = 0
    planned: int = 0
    fetched: int = 0
    extracted: int = 0
    stored: int = 0
    failed: int = 0
    done: bool = False
    started: float = field(default_factory=time.monotonic)

    def counts(self) -> tuple:
        """Returns every count (not the time): equal counts mean nothing new to say."""
        return (self.sources_read, self.planned, self.fetched, self.extracted, self.stored,
                self.failed, self.done)  # fmt: skip

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def eta(self) -> float | None:
        """Seconds left at the pace of the pages stored so far; None before the first."""
        finished = max(self.stored, self.extracted if self.run == "reextract" else 0)
        if not finished or not self.planned:
            return None
        return max(0.0, self.elapsed / finished * (self.planned - finished))

    def line(self) -> str:
        """Returns the progress as one plain line."""
        parts = [f"{self.run}:"]
        if self.run == "ingest":
            parts.append(f"{self.sources_read}/{self.sources_total} sources read,")
        fetched = f" {self.fetched} fetched," if self.run == "ingest" else ""  # reextract: none
        parts.append(
            f"{self.planned} pages planned,{fetched} {self.extracted} extracted,"
            f" {self.stored} stored, {self.failed} failed, {_clock(self.elapsed)} elapsed"
        )
        if self.done:
            parts.append("(done)")
        elif (eta := self.eta) is not None:
            parts.append(f"ETA {_clock(eta)}")
        return " ".join(parts).replace("elapsed ETA", "elapsed, ETA")


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


_listeners: list[Callable[[Progress], None]] = []


@contextmanager
def listening(callback: Callable[[Progress], None]) -> Iterator[None]:
    """Within: `callback` receives every published Progress."""
    _listeners.append(callback)
    try:
        yield
    finally:
        _listeners.remove(callback)


def publish(progress: Progress) -> None:
    """Tells every listener; a listener's failure is logged, never the run's."""
    for callback in list(_listeners):
        try:
            callback(progress)
        except Exception:
            log.exception("progress listener failed")
