"""The night's scheduling policy: which sources are due tonight, when an unhealthy one
is asked again, and which of a feed's entries are worth fetching.

Pure: it decides from what storage remembered (passed in), never reads a database nor
runs a flow, so the CLI can say when a source is next asked without importing flows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from newsflow.models import FeedEntry, Settings, SourcesConfig
from newsflow.summary import RunReport

log = logging.getLogger(__name__)

MAX_BACKOFF_NIGHTS = 7
# A night is 24 hours, less this: a nightly start drifting a little earlier still counts.
NIGHT_SLACK = timedelta(hours=6)


class SourceHealth(Protocol):
    """A source's remembered health, as storage.state.SourceState holds it."""

    consecutive_failures: int
    last_attempt_at: datetime | None


class StoredPage(Protocol):
    """What storage knows of a page, as storage.state.KnownPage holds it."""

    entry_updated: datetime | None
    gone: bool


def next_attempt(state: SourceHealth | None, settings: Settings) -> datetime | None:
    """Returns when an unhealthy source may be asked again; None when it is not held back.

    Unhealthy after `unhealthy_after_failures` failed nights in a row, a source then
    sits out 1, 2, 4, ... nights (at most MAX_BACKOFF_NIGHTS) after each failed attempt.
    """
    if state is None or state.last_attempt_at is None:
        return None
    over = state.consecutive_failures - settings.unhealthy_after_failures
    if over < 0:
        return None
    nights_out = min(2**over, MAX_BACKOFF_NIGHTS)
    return state.last_attempt_at + timedelta(days=nights_out + 1) - NIGHT_SLACK


def sources_due(
    config: SourcesConfig,
    health: Mapping[str, SourceHealth],
    report: RunReport,
    now: datetime | None = None,
) -> SourcesConfig:
    """Returns the config with only tonight's sources; unhealthy ones still backing off
    (by their remembered `health`, by source name) are left out and recorded in the
    report (they keep their health row untouched)."""
    now = now or datetime.now(UTC)
    due = []
    for source in config.sources:
        state = health.get(source.name)
        when = next_attempt(state, config.settings)
        if when is not None and now < when:
            log.info("source %s (%s) is unhealthy: skipped until %s", source.name, source.url,
                     when)  # fmt: skip
            report.add_unhealthy(source.name, state.consecutive_failures, when)
        else:
            due.append(source)
    return replace(config, sources=tuple(due))


def select_new_entries(
    entries: list[FeedEntry], known: Mapping[str, StoredPage], limit: int
) -> tuple[list[FeedEntry], int]:
    """Returns the entries worth fetching (dated first, at most `limit`) and how many were
    skipped as already stored and unchanged, or gone. Entries past `limit` wait for a
    later night (they are not stored, so they are still new then).

    `known` maps a URL to what storage knows of its page (storage.state.KnownPage).
    """
    todo, skipped = [], 0
    for entry in entries:
        page = known.get(entry.url)
        changed = (
            page is not None
            and entry.updated is not None
            and (page.entry_updated is None or entry.updated > page.entry_updated)
        )
        if page is None or (changed and not page.gone):
            todo.append(entry)
        else:
            skipped += 1
    todo.sort(key=lambda e: (e.published or e.updated) is None)  # dated first, feed order kept
    if len(todo) > limit:
        log.info("%d entries over the limit of %d wait for the next run", len(todo) - limit, limit)
    return todo[:limit], skipped
