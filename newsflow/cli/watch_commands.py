"""`newsflow watch add | rm | list`: the saved searches of sources.toml, and what they matched."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from newsflow.cli.render import console, err, print_rows
from newsflow.defaults import DB_PATH, SOURCES_PATH
from newsflow.errors import ConfigError, NewsflowError


def watch_add(args: Namespace) -> int:
    """Appends a watch to the sources file, validated as `newsflow ingest` reads it."""
    from newsflow.models import Watch
    from newsflow.watches_edit import add_watch

    target = getattr(args, "sources", SOURCES_PATH)
    try:
        tags = tuple(_tag(t) for t in args.tag or ())
        watch = Watch(args.name, args.query, args.lang, args.source, args.since, tags)
        add_watch(target, watch)
    except NewsflowError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return 2
    console.print(f"watch {args.name} added to {target}", highlight=False)
    return 0


def _tag(value: str) -> tuple[str, str]:
    kind, sep, wanted = value.partition("=")
    if not sep or not kind.strip() or not wanted.strip():
        raise ConfigError("--tag", f"expected KIND=VALUE (person=Jens Stoltenberg), got {value!r}")
    return kind.strip(), wanted.strip()


def watch_rm(args: Namespace) -> int:
    """Takes a watch out of the sources file; its past matches stay in the database."""
    from newsflow.watches_edit import remove_watch

    target = getattr(args, "sources", SOURCES_PATH)
    try:
        remove_watch(target, args.name)
    except NewsflowError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return 2
    console.print(f"watch {args.name} removed from {target} (its matches are kept)")
    return 0


def watch_list(args: Namespace) -> int:
    """Prints each watch with its filters, total matches and last match; then the watches
    gone from the file that still have matches."""
    from newsflow.config import load_sources

    try:
        watches = load_sources(getattr(args, "sources", SOURCES_PATH)).watches
        totals = _totals(getattr(args, "db", DB_PATH))
    except NewsflowError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return 2
    rows = [(w.name, w.query, _filters(w), *_last(totals.get(w.name))) for w in watches]
    named = {w.name for w in watches}
    rows += [(name, "(not in the file)", "", *_last(t)) for name, t in sorted(totals.items())
             if name not in named]  # fmt: skip
    columns = ["watch", "query", "filters", "matches", "last match", "last article"]
    print_rows(columns, rows, args.format)
    return 0


def _totals(db: str) -> dict:
    if not db.startswith("ducklake:") and not Path(db).exists():
        return {}  # no night yet: nothing matched
    from storage.db import connect
    from storage.watches import watch_totals

    with connect(db, read_only=True, wait_seconds=5) as con:
        return watch_totals(con)


def _filters(watch) -> str:
    parts = [f"{k}={getattr(watch, k)}" for k in ("lang", "source", "since") if getattr(watch, k)]
    return ", ".join(parts + [f"{kind}={value}" for kind, value in watch.tags])


def _last(total) -> tuple:
    if total is None:
        return 0, "", ""
    count, last, title = total
    # The local time of the reader's zone (TZ), named: "UTC" on most servers, "CET" at a desk.
    return count, f"{last.astimezone():%Y-%m-%d %H:%M %Z}", title
