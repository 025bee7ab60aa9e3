"""Matches the night's articles against the watches of sources.toml, records the new
matches and announces each watch's through a Prefect event: the night's stage after
*update search index*.

Watches are scored by BM25 over the night's new and changed articles only, all in one
pass (storage.watches); each watch's words are made into terms as `newsflow search`
makes them (extractors.search.search_terms). A watch that cannot be evaluated is a
warning naming it; the other watches and the night go on.

Event, one per watch with new matches in a run (what automations trigger on):

    event     newsflow.watch.matched
    resource  newsflow.watch.<name>  (label newsflow.watch.name = <name>)
    related   the flow run (and its flow, deployment, task run)
    payload   {"watch", "query", "run_id", "count", "articles": [{url, title, source,
               published_at, score}, ... at most MAX_EVENT_ARTICLES, best first]}
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.events import emit_event
from prefect.events.related import related_resources_from_run_context

from extractors.search.search_terms import query_words
from newsflow.errors import NewsflowError
from newsflow.models import Watch
from newsflow.watches import since_moment
from storage.db import connect
from storage.search import indexed_languages
from storage.search_index import index_path, open_index
from storage.transaction import in_transaction
from storage.watches import (
    NightIndex,
    WatchFilters,
    WatchMatch,
    WatchQuery,
    night_articles,
    record_matches,
)

log = logging.getLogger(__name__)

EVENT = "newsflow.watch.matched"
MAX_EVENT_ARTICLES = 50
MAX_SUMMARY_ARTICLES = 20  # per watch, in the run summary
READ_WAIT_SECONDS = 30.0


@dataclass
class WatchReport:
    """What matching did: each watch's new matches (best first), and what went wrong."""

    run_id: str
    articles: int = 0  # the night's new and changed articles
    new: dict[str, list[WatchMatch]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def brief(self) -> str:
        found = sum(len(m) for m in self.new.values())
        return (f"watches: {found} new matches for {len(self.new)} watches among "
                f"{self.articles} new or changed articles ({self.seconds:.1f}s)")  # fmt: skip


def match_night(
    db: str, run_id: str, watches: tuple[Watch, ...], index: str | Path | None = None,
    now: datetime | None = None,
) -> WatchReport:  # fmt: skip
    """Returns the new matches of every watch among the articles run `run_id` added or
    changed, after recording them in `watch_matches`."""
    started, now = time.monotonic(), now or datetime.now(UTC)
    report = WatchReport(run_id)
    if not watches:
        return report
    with connect(db, read_only=True, wait_seconds=READ_WAIT_SECONDS) as con:
        urls, tags = night_articles(con, run_id)
    report.articles = urls.num_rows
    path = Path(index) if index else index_path(db)
    if report.articles and not path.exists():
        report.warnings += [f"watch {w.name} not evaluated: no search index at {path}"
                            for w in watches]  # fmt: skip
    elif report.articles:
        found = _evaluate(path, urls, tags, watches, now, report)
        queries = {w.name: w.query for w in watches}
        with connect(db) as con:
            new = in_transaction(con, lambda: record_matches(con, run_id, queries, found, now),
                                 "record watch matches")  # fmt: skip
        for match in new:
            report.new.setdefault(match.watch, []).append(match)
    report.seconds = time.monotonic() - started
    log.info("%s", report.brief())
    return report


def _evaluate(path, urls, tags, watches, now, report: WatchReport) -> list[WatchMatch]:
    queries: list[WatchQuery] = []
    try:
        with open_index(path, read_only=True) as idx:
            languages = indexed_languages(idx)
            for watch in watches:
                try:
                    queries.append(_query(watch, languages, now))
                except ValueError as exc:
                    report.warnings.append(f"watch {watch.name} not evaluated: {exc}")
            night = NightIndex(idx, urls, tags)
            try:
                return night.matches(queries)
            finally:
                night.close()
    except (duckdb.Error, NewsflowError) as exc:  # the index itself: no watch could be scored
        first = str(exc).splitlines()[0]
        unscored = [q.watch for q in queries] or [w.name for w in watches]
        report.warnings += [f"watch {name} not evaluated: {first}" for name in unscored]
        return []


def _query(watch: Watch, languages: list[str], now: datetime) -> WatchQuery:
    """Returns the watch as the index is asked; ValueError when it has no word to look for."""
    words = query_words(watch.query, [watch.lang] if watch.lang else languages)
    if not words:
        raise ValueError(f"no word to search for in {watch.query!r}")
    terms = tuple(sorted({v for w in words for v in w.variants}))
    since = since_moment(watch.since, now) if watch.since else None
    return WatchQuery(watch.name, terms, WatchFilters(watch.lang, watch.source, since, watch.tags))


def event_payload(watch: Watch, run_id: str, matches: list[WatchMatch]) -> dict:
    """Returns the event's payload: the count, and the best MAX_EVENT_ARTICLES articles."""
    return {
        "watch": watch.name,
        "query": watch.query,
        "run_id": run_id,
        "count": len(matches),
        "articles": [
            {
                "url": m.url[:2_000],
                "title": (m.title or "")[:300],
                "source": m.source,
                "published_at": m.published_at.isoformat() if m.published_at else None,
                "score": round(m.score, 4),
            }
            for m in matches[:MAX_EVENT_ARTICLES]
        ],
    }


async def announce(report: WatchReport, watches: tuple[Watch, ...]) -> int:
    """Emits one `newsflow.watch.matched` event per watch with new matches; returns how many."""
    async with get_client() as client:
        related = await related_resources_from_run_context(client)
    emitted = 0
    for watch in watches:
        if matches := report.new.get(watch.name):
            emit_event(
                event=EVENT,
                resource={
                    "prefect.resource.id": f"newsflow.watch.{watch.name}",
                    "newsflow.watch.name": watch.name,
                },  # fmt: skip
                related=related,
                payload=event_payload(watch, report.run_id, matches),
            )
            emitted += 1
    return emitted


@task(name="match watches", cache_policy=NO_CACHE, retries=0)
async def match_watches(db: str, run_id: str, watches: tuple[Watch, ...]) -> WatchReport:
    """Matches, records and announces the night's articles for every watch; a failure is a
    warning, never fails the night (its articles are stored and indexed)."""
    logger = get_run_logger()
    try:
        report = await asyncio.to_thread(match_night, db, run_id, watches)
    except Exception as exc:  # e.g. the database busy: no watch could be evaluated
        report = WatchReport(run_id, warnings=[f"watches not evaluated: {exc}"])
    for warning in report.warnings:
        logger.warning("%s", warning)
    if report.new:
        await announce(report, watches)
    if watches:
        logger.info("%s", report.brief())
    return report


def watches_markdown(report: WatchReport | None) -> str:
    """Returns the run summary's "Watches" section: each watch's new matches, linked."""
    if report is None or (not report.new and not report.warnings):
        return ""
    lines = ["", "", "## Watches", ""]
    for name, matches in report.new.items():
        lines.append(f"**{name}**: {len(matches)} new")
        lines += [f"- [{_text(m.title or m.url)}](<{m.url}>) ({m.source})"
                  for m in matches[:MAX_SUMMARY_ARTICLES]]  # fmt: skip
        if len(matches) > MAX_SUMMARY_ARTICLES:
            lines.append(f"- … and {len(matches) - MAX_SUMMARY_ARTICLES} more (`watch_matches`)")
        lines.append("")
    lines += [f"> {_text(w)}" for w in report.warnings]
    return "\n".join(lines).rstrip()


def _text(text: str) -> str:
    return " ".join(text.replace("[", "(").replace("]", ")").split())[:200]
