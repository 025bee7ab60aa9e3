"""Strips a source's furniture, known from its other pages: lines that recur across them.

A one-page extractor cannot tell a blog's signature ("Follow me on Instagram!"), its
donation appeal or its disclaimer from the story: each is a plain paragraph. Across a
source's pages it can: a story's sentences appear on one page, furniture on most of them.

Each extracted page hands its source's memory (storage.furniture) the keys of its lines
and title parts (`page_lines`); the night hands extraction the keys its memory found on
most of the source's distinct pages (SourceFurniture), and `strip_recurring` and
`trim_title` cut them. The thresholds the memory applies are MIN_PAGES and MIN_SHARE.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from newsflow.models import PageLines, SourceFurniture

# A line on two pages may be a quote both stories share, or a story and its follow-up;
# three distinct pages of one source, and most of them, is a template.
MIN_PAGES = 3
MIN_SHARE = 0.5  # of the source's distinct pages since the line first appeared
# Where a page's text is very long, its ends are where the template puts its lines.
COUNTED_LINES = 100  # from each end of the text
# A page that would lose more than this share of its text to recurring lines is more
# likely misremembered (an index page, a source of near-copies) than mostly furniture.
MAX_STRIPPED_SHARE = 0.75
# Inside the text only a label is stripped: short, and not a sentence.
_LABEL_CHARS = 80
_LABEL_WORDS = 10
_SENTENCE_END = re.compile(r"[.!?。！？…\"”»)]\s*$")
_SEPARATOR = re.compile(r"(\s+[|\-–—:·•»]\s+|\s*[｜|]\s*)")


def line_key(line: str) -> str:
    """Returns a short hash of a line, folded (case, width, spaces), to count and store."""
    folded = " ".join(unicodedata.normalize("NFKC", line).lower().split()).strip("-*• ")
    return hashlib.blake2b(folded.encode(), digest_size=8).hexdigest() if folded else ""


def page_lines(text: str, title: str | None) -> PageLines:
    """Returns what this page adds to its source's memory: its lines' and title parts' keys."""
    sized = [(line_key(line), len(line.strip())) for line in text.splitlines()]
    sized = [(key, size) for key, size in sized if key]
    if len(sized) > 2 * COUNTED_LINES:
        sized = sized[:COUNTED_LINES] + sized[-COUNTED_LINES:]
    by_key: dict[str, int] = {}
    for key, size in sized:
        by_key.setdefault(key, size)
    unique = tuple(by_key)
    parts = _SEPARATOR.split((title or "").strip())
    first, last = (line_key(parts[0]), line_key(parts[-1])) if len(parts) > 1 else (None, None)
    page_hash = hashlib.blake2b(" ".join(sorted(unique)).encode(), digest_size=8).hexdigest()
    return PageLines(page_hash, unique, first or None, last or None, tuple(by_key.values()))


def strip_recurring(text: str, furniture: SourceFurniture | None) -> str:
    """Returns `text` without its source's recurring lines: any at its start or end, and
    labels (short, not sentences) anywhere; the text whole when that would leave little."""
    if furniture is None or not furniture.lines:
        return text
    lines = text.splitlines()
    recurring = [line_key(line) in furniture.lines for line in lines]
    start, end = 0, len(lines)
    while start < end and (recurring[start] or not lines[start].strip()):
        start += 1
    while end > start and (recurring[end - 1] or not lines[end - 1].strip()):
        end -= 1
    kept = [
        line
        for line, known in zip(lines[start:end], recurring[start:end], strict=True)
        if not (known and _is_label(line))
    ]
    stripped = "\n".join(kept).strip()
    if len(stripped) < (1 - MAX_STRIPPED_SHARE) * len(text.strip()):
        return text
    return stripped


def trim_title(title: str | None, furniture: SourceFurniture | None) -> str | None:
    """Returns the headline without the opening ("Section - ") or ending (" | Site") most
    of its source's titles share; never the whole title."""
    if not title or furniture is None:
        return title
    parts = _SEPARATOR.split(title.strip())
    if len(parts) > 2 and line_key(parts[-1]) in furniture.title_ends:
        parts = parts[:-2]
    if len(parts) > 2 and line_key(parts[0]) in furniture.title_starts:
        parts = parts[2:]
    return "".join(parts).strip() or title


def _is_label(line: str) -> bool:
    line = line.strip()
    return (
        len(line) <= _LABEL_CHARS
        and len(line.split()) <= _LABEL_WORDS
        and not _SENTENCE_END.search(line)
    )
