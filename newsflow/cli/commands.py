"""What each `newsflow` subcommand does; argument parsing lives in newsflow/cli/main.py,
printing in newsflow/cli/render.py."""

from __future__ import annotations

from argparse import Namespace
from contextlib import contextmanager

from rich.table import Table

from newsflow.cli.render import console, err, print_rows, print_summary
from newsflow.errors import NewsflowError


def ingest(args: Namespace) -> int:
    """Runs the ingest flow now; 0 when it finished, 1 when it could not run or all failed."""
    from flows.ingest import run_ingest

    state = run_ingest(args.sources, args.db, args.shards)
    summary = state.result(raise_on_failure=False)
    print_summary(state, summary if isinstance(summary, dict) else None)
    return 0 if state.is_completed() else 1


def query(args: Namespace) -> int:
    """Prints the result of a read-only SQL query, on the database now or `--as-of` a moment,
    run with no access to other files, the network, extensions or settings (storage.sandbox)."""
    from storage.sandbox import answer_locked_down

    try:
        with _reader(args) as con:
            columns, rows = answer_locked_down(con, args.sql)
    except NewsflowError as exc:
        err.print(f"[red]error:[/] {exc}")
        return 2
    except Exception as exc:  # duckdb's errors: bad SQL, or a write on a read-only file
        err.print(f"[red]query failed:[/] {str(exc).splitlines()[0]}")
        return 2
    print_rows(columns, rows, args.format)
    return 0


@contextmanager
def _reader(args: Namespace):
    """Yields a read-only connection: to the database now, or to a lake's past snapshot."""
    if not getattr(args, "as_of", None):
        from storage.db import connect

        with connect(args.db, read_only=True, wait_seconds=2) as con:
            yield con
        return
    from storage.as_of import connect_as_of

    with connect_as_of(args.db, args.as_of) as (con, moment):
        err.print(moment.describe())
        yield con


def sources(args: Namespace) -> int:
    """Prints each configured source with its last fetch and health."""
    from newsflow.config import load_sources
    from storage.db import connect
    from storage.reports import SourceOverview, source_overview

    try:
        config = load_sources(args.sources)
        with connect(args.db, read_only=True, wait_seconds=2) as con:
            health = source_overview(con)
    except NewsflowError as exc:
        err.print(f"[red]error:[/] {exc}")
        return 2
    except Exception as exc:  # duckdb's: a file from an older newsflow lacks newer columns
        err.print(f"[red]error:[/] {str(exc).splitlines()[0]} (`newsflow ingest` migrates it)")
        return 2
    table = Table(
        "source", "kind", "url", "last fetch", "outcome", "articles", "health", "gaps", "feed"
    )
    for s in config.sources:
        seen = health.get(s.name, SourceOverview())
        label = (
            "never run"
            if seen.healthy is None
            else (
                "healthy"
                if seen.healthy and not seen.failures
                else f"{'unhealthy' if not seen.healthy else 'failing'} ({seen.failures}x"
                f"{_next_try(config, seen.failures, seen.attempt)}): {seen.error or ''}"
            )
        )
        table.add_row(
            s.name,
            s.kind,
            s.url,
            str(seen.fetched_at or ""),
            seen.outcome or "",
            str(seen.articles),
            label[:80],
            _gaps(seen.gaps, seen.last_gap_at),
            seen.feed or "",
        )
    console.print(table)
    return 0


def _gaps(gaps: int, last_gap_at) -> str:
    """Returns "0", or how many runs lost entries backfill could not recover, and the last."""
    return f"{gaps} (last {last_gap_at:%Y-%m-%d %H:%M})" if gaps and last_gap_at else str(gaps)


def _next_try(config, failures: int, last_attempt) -> str:
    """Returns ", next try <date>" for an unhealthy source backing off, else ""."""
    from newsflow.policy import next_attempt
    from storage.state import SourceState

    state = SourceState("", consecutive_failures=failures, last_attempt_at=last_attempt)
    when = next_attempt(state, config.settings)
    return f", next try {when:%Y-%m-%d}" if when else ""


def demo(args: Namespace) -> int:
    """Serves the bundled sample blog on 127.0.0.1, ingests it, prints queries to try."""
    from newsflow.demo.run import run_demo

    return run_demo(console, print_rows)


def serve(args: Namespace) -> int:
    """Runs the nightly schedule in this process (no work pool needed)."""
    from flows.schedule import serve_nightly

    serve_nightly(args.sources, args.db, cron=args.cron, timezone=args.timezone, shards=args.shards)
    return 0


def reextract(args: Namespace) -> int:
    """Re-extracts and re-tags stored pages without fetching; 0 on success."""
    from flows.reextract import run_reextract

    state = run_reextract(args.db, everything=args.all, sources=args.sources)
    console.print(f"{state.name}: {state.message or ''}")
    return 0 if state.is_completed() else 1


def copy_db(args: Namespace) -> int:
    """Copies a DuckDB file's rows into another database (a DuckLake); 0 when all are in."""
    from newsflow.config import load_sources
    from storage.copy import copy_database

    try:
        data_path = load_sources(args.sources).lake_data_path
        copied = copy_database(args.source, args.to, data_path)
    except NewsflowError as exc:
        err.print(f"[red]error:[/] {exc}")
        return 2
    print_rows(["table", "rows"], sorted(copied.items()), "table")
    return 0
