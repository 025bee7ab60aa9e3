"""docs/benchmarks.md is written by several benchmarks: each owns one section between its
markers `<!-- NAME -->` and `<!-- /NAME -->`, rewrites it and keeps everyone else's."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support import REPO

BENCHMARKS = REPO / "docs" / "benchmarks.md"
SECTION = re.compile(r"<!-- (\w+) -->.*?<!-- /\1 -->", re.S)


def write_section(name: str, body: str, report: Path = BENCHMARKS) -> None:
    """Puts `body` between section `name`'s markers in `report` (appended when absent)."""
    text = report.read_text(encoding="utf-8") if report.exists() else "# Benchmarks\n"
    block = f"<!-- {name} -->\n{body.strip(chr(10))}\n<!-- /{name} -->"
    mine = re.compile(rf"<!-- {name} -->.*?<!-- /{name} -->", re.S)
    if mine.search(text):
        text = mine.sub(lambda _: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    report.write_text(text, encoding="utf-8")


def kept_sections(report: Path) -> str:
    """Returns every marked section of `report`, for a writer of the rest of the file."""
    text = report.read_text(encoding="utf-8") if report.exists() else ""
    return "\n\n".join(block[0] for block in SECTION.finditer(text))
