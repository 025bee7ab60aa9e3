"""No article lost between runs: two weeks of publishing on a loopback web of 54 sites
(bench/coverage_web.py), read by four strategies; writes the section `<!-- coverage -->`
of docs/benchmarks.md.

    uv run python -m bench.coverage [--days 14] [--seed 1]

Strategies: `newsflow` (the night at 02:00 reads every source; every 15 minutes the due
ones), `newsflow nightly` (the night alone), `fixed nightly` and `fixed hourly` (every
source at 02:00, or every hour, without gap check or backfill: newsflow before issue 20).

What runs is the production code below the flows, on a clock the bench sets (no Prefect
flow per simulated run: 1,300 due runs would take hours): fetchers.crawl.crawl_source
reads each feed over HTTP (conditional GET, robots.txt), fetchers.backfill.gap_in finds
gaps and fetchers.backfill.backfill walks them back, newsflow.policy.select_new_entries
plans the pages, newsflow.policy.sources_due picks the due sources, flows.night.source_health_row
sets each source's pace, gaps and next due time. Articles are planned, not fetched: each
strategy would fetch each new article once, so a planned page counts as one request.
Feed, feed-page, sitemap and robots.txt requests are counted by the sites themselves.

A gap happened at a read when the site published more posts since the source's previous
read than its feed window shows: some rolled off unseen. A gap detected is gap_in's
answer at that read; where the strategy walks back, one whose walk closed at once on
stored entries, finding nothing, is not an alarm (exactly a window's worth of new posts
looks like a gap until page 2 shows the stored ones).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from pathlib import Path

from bench.coverage_web import START, Web
from fetchers.backfill import backfill, entry_date, gap_in
from fetchers.crawl import SourceCrawl, Validators, crawl_source
from fetchers.http import Fetcher
from flows.night import feed_window, source_health_row
from newsflow.models import Settings, Source, SourcesConfig
from newsflow.policy import select_new_entries, sources_due
from newsflow.summary import RunReport
from storage.state import KnownPage, Memory, SourceState

SETTINGS = Settings(allow_private_networks=True, per_host_delay_seconds=0.0, timeout_seconds=10)
STATE_FIELDS = {f.name for f in fields(SourceState)}
RESULTS = Path(__file__).parent / "results" / "coverage.json"


@dataclass(frozen=True, slots=True)
class Strategy:
    name: str
    every: timedelta  # between two runs
    night_only: bool = False  # the runs between two nights read only the due sources
    gaps: bool = False  # gap check and backfill (newsflow since issue 20)
    due: bool = False
    backfill_max_pages: int = SETTINGS.backfill_max_pages  # the default, unless said

    @property
    def settings(self) -> Settings:
        return replace(SETTINGS, backfill_max_pages=self.backfill_max_pages)


STRATEGIES = (
    Strategy("newsflow", timedelta(minutes=15), gaps=True, due=True),
    Strategy("newsflow nightly", timedelta(days=1), gaps=True),
    # The default before: a night of a site posting 300 a day behind a window of 10 is
    # 30 feed pages, more than 10.
    Strategy(
        "newsflow nightly, backfill_max_pages 10",
        timedelta(days=1),
        gaps=True,
        backfill_max_pages=10,
    ),  # fmt: skip
    Strategy("fixed nightly", timedelta(days=1)),
    Strategy("fixed hourly", timedelta(hours=1)),
)


@dataclass
class Reader:
    """What one strategy knows of one source, as the database would."""

    stored: set[str] = field(default_factory=set)
    newest: datetime | None = None  # the newest stored entry's date
    validators: Validators = Validators()
    last_read: datetime | None = None


@dataclass
class Tally:
    runs: int = 0
    pages: int = 0
    feed_reads: int = 0
    happened: int = 0
    detected: int = 0
    true_alarms: int = 0
    not_closed: int = 0
    recovered: int = 0
    false_alarms: list[str] = field(default_factory=list)


class Replay:
    """One strategy's two weeks: its readers, its source states, its counts."""

    def __init__(self, strategy: Strategy, web: Web, config: SourcesConfig):
        self.strategy, self.web, self.config = strategy, web, config
        self.readers = {s.name: Reader() for s in config.sources}
        self.memory = Memory(db="bench", sources={})
        self.tally = Tally()

    async def run(self, fetcher: Fetcher, now: datetime) -> None:
        """One run at `now`: the night reads every source, other runs the due ones."""
        night = now.hour == 2 and now.minute == 0
        if not night and not (self.strategy.due or self.strategy.every < timedelta(days=1)):
            return
        report = RunReport(run_id=str(now), started_at=now, db="bench", config=self.config)
        due_only = self.strategy.due and not night
        chosen = sources_due(self.config, self.memory.sources, report, now=now, due_only=due_only)
        if not chosen.sources:
            return
        self.tally.runs += 1
        crawls = await asyncio.gather(*(self._read(fetcher, s) for s in chosen.sources))
        for crawl in crawls:
            await self._take(fetcher, crawl, now)

    async def _read(self, fetcher: Fetcher, source: Source) -> SourceCrawl:
        validators = {source.url: self.readers[source.name].validators}
        return await crawl_source(fetcher, source, validators, None)

    async def _take(self, fetcher: Fetcher, crawl: SourceCrawl, now: datetime) -> None:
        name, reader = crawl.source.name, self.readers[crawl.source.name]
        self.tally.feed_reads += 1
        for result in crawl.feeds:
            if result.ok:
                reader.validators = Validators(result.etag, result.last_modified)
        happened = self._happened(crawl, reader, now)
        alarm = gap_in(crawl.entries, reader.stored, reader.newest, bool(reader.stored), now)
        if alarm and self.strategy.gaps:
            await self._walk_back(fetcher, crawl, reader, now)
            # A walk that closes on stored entries at once found no gap: no alarm recorded.
            alarm = bool(crawl.backfill.entries) or not crawl.backfill.closed
        self.tally.happened += happened
        self.tally.detected += alarm
        self.tally.true_alarms += happened and alarm
        if alarm and not happened:  # which sources false alarms come from, for the report
            count = sum(1 for t in self.web.published[name] if reader.last_read < t <= now)
            self.tally.false_alarms.append(f"{name}: {count} new, window {len(crawl.entries)}")
        known = {
            e.url: KnownPage(e.url, e.updated, False)
            for e in crawl.entries
            if e.url in reader.stored
        }
        todo, _ = select_new_entries(crawl.entries, known, SETTINGS.max_articles_per_source)
        window = feed_window(crawl, known)
        self._store(reader, todo, now)
        reader.last_read = now
        row = source_health_row(crawl, self.memory, self.strategy.settings, now, window)
        self.memory.sources[name] = SourceState(
            **{k: v for k, v in row.items() if k in STATE_FIELDS}
        )

    def _happened(self, crawl: SourceCrawl, reader: Reader, now: datetime) -> bool:
        """Returns whether posts rolled off the feed unseen since the last read: the site
        published more than its window shows (from the timeline, not from the feed)."""
        window = self.web.sites[crawl.source.name].shape.window
        since = reader.last_read
        published = self.web.published[crawl.source.name]
        return since is not None and sum(1 for t in published if since < t <= now) > window

    async def _walk_back(self, fetcher, crawl: SourceCrawl, reader: Reader, now) -> None:
        state = self.memory.sources.get(crawl.source.name)
        room = max(SETTINGS.max_articles_per_source - len(crawl.entries), 0)
        found = await backfill(fetcher, crawl, reader.stored, reader.newest,
                               self.strategy.backfill_max_pages, state.paging if state else None,
                               max_entries=room, now=now)  # fmt: skip
        crawl.backfill = found
        seen = {e.url for e in crawl.entries}
        crawl.entries += [e for e in found.entries if e.url not in seen]
        self.tally.recovered += len(found.entries)
        self.tally.not_closed += not found.closed

    def _store(self, reader: Reader, todo, now: datetime) -> None:
        self.tally.pages += len(todo)
        for entry in todo:
            reader.stored.add(entry.url)
            when = entry_date(entry, now)
            if when is not None and (reader.newest is None or when > reader.newest):
                reader.newest = when


async def replay(strategy: Strategy, days: int, seed: int) -> dict:
    """Returns one strategy's figures over `days` of publishing."""
    with Web(days, seed) as web:
        sources = tuple(Source(s.name, web.sites[s.name].feed_url, "feed") for s in web.specs)
        config = SourcesConfig(path="bench", settings=SETTINGS, sources=sources)
        state = Replay(strategy, web, config)
        end, now, started = START + timedelta(days=days), START, time.monotonic()
        before = web.requests()
        async with Fetcher(SETTINGS) as fetcher:
            while now <= end:
                web.publish_until(now)
                await state.run(fetcher, now)
                now += strategy.every
        return _figures(strategy, web, state, web.requests() - before, time.monotonic() - started)


def _figures(strategy: Strategy, web: Web, state: Replay, sent: int, seconds: float) -> dict:
    # Every strategy reads every source at the last night: what was published until then.
    last_night = max(web.published_until)
    groups = {"feed only": [], "paging or sitemap": []}
    for spec in web.specs:
        published = web.urls_published(spec.name, last_night)
        stored = state.readers[spec.name].stored & published
        groups["feed only" if spec.feed_only else "paging or sitemap"].append(
            (len(stored), len(published))
        )
    t = state.tally
    coverage = {g: _ratio(sum(s for s, _ in v), sum(p for _, p in v)) for g, v in groups.items()}
    all_pairs = [pair for v in groups.values() for pair in v]
    coverage["all"] = _ratio(sum(s for s, _ in all_pairs), sum(p for _, p in all_pairs))
    return {
        "strategy": strategy.name,
        "coverage": coverage,
        "published": sum(p for _, p in all_pairs),
        "runs": t.runs,
        "feed_reads": t.feed_reads,
        "requests_sent": sent,
        "pages_planned": t.pages,
        "requests": sent + t.pages,
        "gaps_happened": t.happened,
        "gaps_detected": t.detected,
        "precision": _ratio(t.true_alarms, t.detected),
        "recall": _ratio(t.true_alarms, t.happened),
        "not_closed": t.not_closed,
        "recovered": t.recovered,
        "false_alarms": t.false_alarms,
        "seconds": round(seconds, 1),
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # sites without a sitemap say so at every walk
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="one strategy, by name")
    args = parser.parse_args()
    from bench.coverage_report import write_report

    results = []
    for strategy in STRATEGIES:
        if args.only and strategy.name != args.only:
            continue
        results.append(asyncio.run(replay(strategy, args.days, args.seed)))
        print({k: v for k, v in results[-1].items() if k != "false_alarms"}, flush=True)
    if args.only and RESULTS.exists():  # the other strategies as the last full run left them
        kept = [
            r for r in json.loads(RESULTS.read_text(encoding="utf-8")) if r["strategy"] != args.only
        ]
        results = [*results, *kept]
        results.sort(key=lambda r: [s.name for s in STRATEGIES].index(r["strategy"]))
    write_report(results, args.days, args.seed)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
