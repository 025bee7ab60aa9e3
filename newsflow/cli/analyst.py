"""The analyst's commands: `newsflow search`, `newsflow index`, `newsflow export`."""

from __future__ import annotations

import re
import sys
from argparse import Namespace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.table import Table
from rich.text import Text

from newsflow.cli.render import console, err, print_rows
from newsflow.errors import NewsflowError, OptionError

_AGO = re.compile(r"(\d+)\s*([hdw])")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """Returns the moment `--since` means: `7d`, `24h`, `2w` ago, or a date / ISO time."""
    if value is None:
        return None
    if match := _AGO.fullmatch(value.strip().lower()):
        amount, unit = int(match.group(1)), _UNITS[match.group(2)]
        return (now or datetime.now(UTC)) - timedelta(**{unit: amount})
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise OptionError(
            "--since", f"expected an age (7d, 24h, 2w) or a date (2024-03-01), got {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _language(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[a-z]{2,3}", value.strip().lower()):
        raise OptionError("--lang", f"expected a language code such as id, de, zh, got {value!r}")
    return value.strip().lower() if value else None


def _limit(value: int) -> int:
    if value < 1:
        raise OptionError("--limit", f"expected a positive number, got {value}")
    return value


def search(args: Namespace) -> int:
    """Prints the articles matching the query, best first, each with a marked snippet."""
    from extractors.search.search_terms import query_words
    from storage.search import SearchFilters, indexed_languages, indexed_sources
    from storage.search import search as run_search
    from storage.search_index import index_path, open_index

    try:
        filters = SearchFilters(
            _language(args.lang), args.source, parse_since(args.since), _limit(args.limit)
        )
        path = Path(args.index) if args.index else index_path(args.db)
        if not path.exists():
            _build_first_index(args.db, path)
        with open_index(path, read_only=True) as con:
            _check_source(filters.source, indexed_sources(con))
            languages = [filters.language] if filters.language else indexed_languages(con)
            words = query_words(args.query, languages)
            if not words:
                raise OptionError("QUERY", f"no word to search for in {args.query!r}")
            terms = {v for w in words for v in w.variants}
            hits = run_search(con, sorted(terms), filters)
    except (OptionError, NewsflowError) as exc:
        err.print(f"[red]error:[/] {exc}")
        return 2
    if not hits:
        err.print(f"no article matches {args.query!r}{_described(filters)}")
    _print_hits(hits, terms, args.format)
    return 0


def _build_first_index(db: str, path: Path) -> None:
    from flows.search_index import refresh_index

    err.print(f"no search index at {path} yet: building it from {db} (once)")
    refresh_index(db, path)


def _check_source(source: str | None, known: list[str]) -> None:
    if source is not None and source not in known:
        raise OptionError("--source", f"no article from {source!r} (sources: {', '.join(known)})")


def _described(filters) -> str:
    parts = [
        f"language {filters.language}" if filters.language else "",
        f"source {filters.source}" if filters.source else "",
        f"since {filters.since:%Y-%m-%d %H:%M}" if filters.since else "",
    ]
    kept = [p for p in parts if p]
    return f" ({', '.join(kept)})" if kept else ""


def _print_hits(hits, terms: set[str], fmt: str) -> None:
    from extractors.search.snippets import snippet

    snippets = [snippet(h.text, h.language, terms) for h in hits]
    if fmt != "table":
        columns = ["rank", "score", "title", "source", "language", "date", "url", "snippet"]
        rows = [
            (n, round(h.score, 4), h.title, h.source, h.language, h.date, h.url, s.marked())
            for n, (h, s) in enumerate(zip(hits, snippets, strict=True), start=1)
        ]
        print_rows(columns, rows, fmt)
        return
    if not hits:
        return
    table = Table("#", "title", "source", "lang", "date", "snippet", show_lines=True)
    for n, (h, s) in enumerate(zip(hits, snippets, strict=True), start=1):
        text = Text(s.text)
        for start, end in s.marks:
            text.stylize("bold reverse", start, end)
        title = Text(h.title or "(untitled)", style="bold")
        title.append(f"\n{h.url}", style="dim")
        date = f"{h.date:%Y-%m-%d}" if h.date else ""
        table.add_row(str(n), title, h.source, h.language or "", date, text)
    console.print(table)


def index(args: Namespace) -> int:
    """Brings the search index up to date (or rebuilds it) and says what it did."""
    from flows.search_index import refresh_index

    try:
        report = refresh_index(args.db, args.index, full=args.rebuild)
    except NewsflowError as exc:
        err.print(f"[red]error:[/] {exc}")
        return 2
    print(report.brief(), file=sys.stdout)
    return 0


def export(args: Namespace) -> int:
    """Writes the selected articles under --out, partitioned by day and source."""
    from storage.db import connect
    from storage.export import ExportRequest, export_articles
    from storage.reports import article_sources

    try:
        request = ExportRequest(
            Path(args.out), args.format, parse_since(args.since), args.source, args.with_tags
        )
        with connect(args.db, read_only=True, wait_seconds=5) as con:
            if args.source:
                _check_source(args.source, article_sources(con))
            report = export_articles(con, request)
    except (OptionError, NewsflowError) as exc:
        err.print(f"[red]error:[/] {exc}")
        return 2
    except OSError as exc:
        err.print(f"[red]error:[/] --out {args.out}: {exc}")
        return 2
    if not report.articles:
        err.print("no article to export with these options")
    print(
        f"{report.articles} articles in {report.partitions} partitions "
        f"({report.files} {args.format} files) under {args.out}"
    )
    return 0
