"""`newsflow sources import FILE.opml` and `newsflow sources export`: OPML in and out."""

from __future__ import annotations

import os
from argparse import Namespace
from pathlib import Path

from newsflow.cli.render import console, err
from newsflow.defaults import DB_PATH, SOURCES_PATH
from newsflow.errors import NewsflowError


def sources_import(args: Namespace) -> int:
    """Adds the OPML file's feeds to the sources file; says what it added and skipped."""
    from newsflow.opml import read_opml
    from newsflow.sources_edit import import_feeds

    target = getattr(args, "sources", SOURCES_PATH)
    try:
        data = Path(args.file).read_bytes()
        opml = read_opml(data, args.file)
        report = import_feeds(target, list(opml.feeds), opml.repeated)
    except OSError as exc:
        err.print(f"[red]error:[/] {args.file}: cannot read: {exc.strerror or exc}")
        return 2
    except NewsflowError as exc:
        err.print(f"[red]error:[/] {exc}")
        return 2
    for line in report.skipped:
        err.print(f"[yellow]skipped[/] {line}", highlight=False, soft_wrap=True)
    added = ", ".join(report.added) or "none"
    console.print(
        f"{len(report.added)} sources added to {target}, {len(report.skipped)} skipped: {added}",
        highlight=False,
        soft_wrap=True,
    )
    return 0


def sources_export(args: Namespace) -> int:
    """Writes the sources that have a feed as OPML 2.0 (to --out or standard output)."""
    from newsflow.config import load_sources
    from newsflow.opml import write_opml

    try:
        config = load_sources(getattr(args, "sources", SOURCES_PATH))
        known = _discovered_feeds(getattr(args, "db", DB_PATH))
    except NewsflowError as exc:
        err.print(f"[red]error:[/] {exc}")
        return 2
    feeds, left_out = [], []
    for source in config.sources:
        feed = source.url if source.kind == "feed" else known.get(source.name)
        if source.kind in ("auto", "feed") and feed:
            feeds.append((source, feed))
        else:
            reason = "no feed found for it yet" if source.kind == "auto" else f"kind {source.kind}"
            left_out.append(f"{source.name} ({reason})")
    document = write_opml(feeds)
    if args.out:
        _write_atomically(Path(args.out), document)
        console.print(f"{len(feeds)} feeds written to {args.out}", highlight=False)
    else:
        print(document, end="")
    if left_out:
        err.print(f"not in the OPML: {', '.join(left_out)}", highlight=False, soft_wrap=True)
    return 0


def _discovered_feeds(db: str) -> dict[str, str]:
    """Returns the feed found for each `auto` source by earlier nights (none without a db)."""
    if not Path(db).exists():
        return {}
    from storage.db import connect
    from storage.reports import discovered_feeds

    with connect(db, read_only=True, wait_seconds=5) as con:
        return discovered_feeds(con)


def _write_atomically(path: Path, text: str) -> None:
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)
