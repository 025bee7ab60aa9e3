"""Counts what a run did, per source, for the CLI, the `runs` table and the Prefect artifacts."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsflow.models import FetchResult, PageResult, SourcesConfig


@dataclass
class SourceCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0  # fetched again with the same text, or skipped as already stored
    not_modified: int = 0  # feeds answering 304
    failed: int = 0  # pages that could not be fetched or extracted
    fetches: int = 0
    seconds: float = 0.0
    error: str | None = None  # the source itself could not be read


@dataclass
class Gap:
    """A source whose feed read no longer overlapped what was stored (fetchers.backfill)."""

    recovered: int  # entries found by walking back, planned with the night's
    closed: bool  # the walk reached what was stored: nothing was lost
    reason: str | None = None  # why it did not


@dataclass
class Failure:
    url: str
    source: str
    stage: str  # read | fetch | extract | store
    reason: str


@dataclass
class RunReport:
    run_id: str
    started_at: datetime
    db: str
    config: SourcesConfig
    sources: dict[str, SourceCounts] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    pages_planned: int = 0
    pages_done: int = 0
    storage_error: str | None = None
    staged_merged: int = 0
    # Unhealthy sources left out tonight, still backing off: name -> when they are asked again.
    unhealthy_skipped: dict[str, datetime] = field(default_factory=dict)
    gaps: dict[str, Gap] = field(default_factory=dict)  # by source
    finished_at: datetime | None = None
    state: str = "RUNNING"
    # Seconds by stage (fetch, extract_cpu, tag_cpu, store, ...), for the benchmark.
    timings: dict[str, float] = field(default_factory=dict)
    _clock: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        for source in self.config.sources:
            self.sources.setdefault(source.name, SourceCounts())

    def add_crawls(self, crawls) -> None:
        for crawl in crawls:
            counts = self._counts(crawl.source.name)
            counts.fetches += len(crawl.fetches)
            counts.not_modified += crawl.not_modified
            counts.error = crawl.error
            if crawl.error:
                url = crawl.feed_url or crawl.source.url
                self.failures.append(Failure(url, crawl.source.name, "read", crawl.error))
            counts.seconds += sum(f.elapsed_ms for f in crawl.fetches) / 1000

    def add_unhealthy(self, source: str, failures: int, next_attempt: datetime) -> None:
        """Records a source not asked tonight: unhealthy, waiting for `next_attempt`."""
        self.unhealthy_skipped[source] = next_attempt
        self._counts(source).error = (
            f"unhealthy ({failures} failed nights): skipped until "
            f"{next_attempt.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        )

    def add_gap(self, source: str, recovered: int, closed: bool, reason: str | None) -> None:
        """Records a source whose feed had rolled past what was stored, and its backfill."""
        self.gaps[source] = Gap(recovered, closed, reason)

    @property
    def lost_gaps(self) -> list[str]:
        """Returns the sources whose gap backfill could not close."""
        return sorted(name for name, gap in self.gaps.items() if not gap.closed)

    def add_skipped(self, source: str, skipped: int) -> None:
        self._counts(source).unchanged += skipped

    def add_batch(self, fetched: list[FetchResult], results: list[PageResult], counts) -> None:
        for result in fetched:
            c = self._counts(result.source)
            c.fetches += 1
            c.seconds += result.elapsed_ms / 1000
            if not result.ok:
                c.failed += 1
                self.failures.append(
                    Failure(
                        result.url,
                        result.source,
                        "fetch",
                        f"{result.outcome}: {result.error or result.status or ''}",
                    )
                )
        for result in results:
            if result.error:
                self._counts(result.source).failed += 1
                self.failures.append(Failure(result.url, result.source, "extract", result.error))
        for source, c in counts.items():
            mine = self._counts(source)
            mine.new, mine.updated = mine.new + c.new, mine.updated + c.updated
            mine.unchanged += c.unchanged
        self.pages_done += len(fetched)

    def _counts(self, source: str) -> SourceCounts:
        return self.sources.setdefault(source, SourceCounts())

    @property
    def all_sources_failed(self) -> bool:
        return bool(self.sources) and all(c.error for c in self.sources.values())

    @property
    def failed_sources(self) -> list[str]:
        return [name for name, c in self.sources.items() if c.error]

    def totals(self) -> SourceCounts:
        total = SourceCounts()
        for c in self.sources.values():
            for name in ("new", "updated", "unchanged", "not_modified", "failed", "fetches"):
                setattr(total, name, getattr(total, name) + getattr(c, name))
        return total

    def progress_line(self) -> str:
        t = self.totals()
        return (
            f"{self.pages_done}/{self.pages_planned} pages; {t.new} new, "
            f"{t.updated} updated, {t.failed} failed"
        )

    def brief(self) -> str:
        t = self.totals()
        skipped = len(self.unhealthy_skipped)
        return (
            f"{len(self.sources)} sources ({len(self.failed_sources)} failed"
            f"{f', {skipped} unhealthy skipped' if skipped else ''}): {t.new} new, "
            f"{t.updated} updated, {t.unchanged} unchanged, {t.failed} pages failed"
            + self.gap_brief()
        )

    def gap_brief(self) -> str:
        """Returns "; gaps: …" naming the sources whose entries may be lost, or ""."""
        if not self.gaps:
            return ""
        recovered = sum(g.recovered for g in self.gaps.values())
        lost = self.lost_gaps
        more = " …" if len(lost) > 5 else ""
        named = f", not closed: {', '.join(lost[:5])}{more}" if lost else ""
        return f"; gaps: {len(self.gaps)} ({recovered} entries recovered by backfill{named})"

    def failure_brief(self) -> str:
        return "; ".join(f"{f.source}: {f.reason}" for f in self.failures[:5])

    def finish(self, state: str) -> dict:
        """Returns the run's row for the `runs` table, marking the run finished."""
        self.finished_at, self.state = datetime.now(UTC), state
        t = self.totals()
        return {
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "state": state,
            "sources_total": len(self.sources),
            "sources_failed": len(self.failed_sources),
            "articles_new": t.new,
            "articles_updated": t.updated,
            "articles_unchanged": t.unchanged,
            "fetches": t.fetches,
            "fetch_errors": sum(1 for f in self.failures if f.stage in ("read", "fetch")),
            "message": self.storage_error or self.brief(),
        }

    def add_time(self, stage: str, seconds: float) -> None:
        """Adds seconds to a stage's timing counter."""
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def timing_summary(self) -> dict[str, float]:
        """Returns the stage counters, rounded, with the run's wall time so far as `flow`."""
        return {stage: round(s, 3) for stage, s in {**self.timings, "flow": self.seconds}.items()}

    @property
    def seconds(self) -> float:
        return time.monotonic() - self._clock
