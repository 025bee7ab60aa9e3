"""Finds a source's furniture from its other pages: lines that recur across many of them.

A one-page extractor cannot tell a blog's signature ("Follow me on Instagram!"), its
donation appeal or its disclaimer from the story: each is a plain paragraph. Across a
source's pages it can: a story's sentences appear on one page, furniture on most of them.

Pure functions only. Not wired yet: the pipeline would keep, per source, how many pages
each line hash appeared on (updated each night from the stored texts) and hand the
source's furniture to extraction. Until then these are tested on their own.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

MIN_PAGES = 3  # a line on two pages may be a quote both stories share
MIN_SHARE = 0.5  # of the source's pages: furniture is on most of them
_SEPARATOR = re.compile(r"\s+[|\-–—:·•»]\s+|\s*[｜|]\s*")


def line_key(line: str) -> str:
    """Returns a short hash of a line, folded (case, width, spaces), to count and store."""
    folded = " ".join(unicodedata.normalize("NFKC", line).lower().split()).strip("-*• ")
    return hashlib.blake2b(folded.encode(), digest_size=8).hexdigest() if folded else ""


def recurring_lines(
    texts: Iterable[str], min_pages: int = MIN_PAGES, min_share: float = MIN_SHARE
) -> frozenset[str]:
    """Returns the keys of the lines found on at least `min_share` of the distinct texts
    (and at least `min_pages` of them): the source's furniture."""
    pages = {frozenset(filter(None, map(line_key, text.splitlines()))) for text in texts}
    counts = Counter(key for keys in pages for key in keys)
    needed = max(min_pages, min_share * len(pages))
    return frozenset(key for key, seen in counts.items() if seen >= needed)


def strip_recurring(text: str, furniture: frozenset[str]) -> str:
    """Returns `text` without the lines whose key is in `furniture`."""
    kept = [line for line in text.splitlines() if line_key(line) not in furniture]
    return "\n".join(kept).strip()


def recurring_title_parts(
    titles: Iterable[str], min_pages: int = MIN_PAGES, min_share: float = MIN_SHARE
) -> frozenset[str]:
    """Returns the title parts (" | Site", "Section - ") that open or close most titles:
    names a headline should be cut free of, even where the page states no site name."""
    ends = Counter()
    distinct = set(titles)
    for title in distinct:
        parts = _SEPARATOR.split(title.strip())
        if len(parts) > 1:
            ends.update({_fold(parts[0]), _fold(parts[-1])})
    needed = max(min_pages, min_share * len(distinct))
    return frozenset(part for part, seen in ends.items() if part and seen >= needed)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())
