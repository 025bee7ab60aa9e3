"""How the commands print: rich tables on a terminal, CSV or JSON for programs."""

from __future__ import annotations

import csv
import json
import shutil
import sys
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

# Wide enough that tables piped to a file or another program are not squashed to 80 columns.
console = Console(width=max(140, shutil.get_terminal_size().columns))
# Errors are one line each, whatever the terminal's width (programs and logs read them).
err = Console(stderr=True, soft_wrap=True)
# Rows a table shows: rich holds a table whole before printing it, and past this many rows
# a terminal table is unread anyway.
TABLE_ROWS = 1_000


def plain(value: object) -> Text:
    """Returns `value` as text rich prints as it is: data from pages, feeds, servers, files
    and users is never read as markup (`[/x]`, `[link=…]`)."""
    return value if isinstance(value, Text) else Text("" if value is None else str(value))


def print_error(message: object, label: str = "error", style: str = "red") -> None:
    """Prints `label: message` on one line of standard error, the message as it is."""
    err.print(Text.assemble((f"{label}:", style), " ", str(message)))


def print_rows(columns: list[str], rows: Iterable[tuple], fmt: str) -> None:
    """Prints rows as a table, CSV or JSON (`fmt`), each row as it comes: CSV and JSON are
    never held whole; a table shows its first TABLE_ROWS rows and says so."""
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        _print_json(columns, rows)
    else:
        _print_table(columns, rows)


def _print_json(columns: list[str], rows: Iterable[tuple]) -> None:
    sys.stdout.write("[")
    for n, row in enumerate(rows):
        record = dict(zip(columns, row, strict=True))
        sys.stdout.write(",\n" if n else "\n")
        sys.stdout.write(json.dumps(record, default=str, ensure_ascii=False))
    sys.stdout.write("\n]\n")


def _print_table(columns: list[str], rows: Iterable[tuple]) -> None:
    table = Table(*columns)
    for n, row in enumerate(rows):
        if n == TABLE_ROWS:
            console.print(table)
            err.print(plain(f"only the first {TABLE_ROWS:,} rows are shown: --format csv or json"
                            " prints them all"))  # fmt: skip
            return
        table.add_row(*(plain("" if v is None else str(v)[:80]) for v in row))
    console.print(table)


def print_summary(state, summary: dict | None) -> None:
    """Prints a run's final state and its counts."""
    style = "green" if state.is_completed() else "red"
    console.print(Text.assemble((state.name, style), ": ", state.message or ""))
    if summary:
        keys = (
            "sources_total",
            "sources_failed",
            "articles_new",
            "articles_updated",
            "articles_unchanged",
            "fetches",
            "fetch_errors",
        )
        console.print(plain("  ".join(f"{k}={summary.get(k)}" for k in keys)))
