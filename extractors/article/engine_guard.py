"""Keeps newsflow's text from ending worse than its engine's: trafilatura's text stands
where the steps after it (furniture, story bounds, feed text, the source's memory) kept
too little of it, or replaced it with something else.

Each later step has its own check against firing on most of a page; this is the check on
all of them together, measured as trafilatura's own output would be scored: by shared
runs of words (4-token shingles), so a reordering or a changed line break does not count
as a loss. A step that is right drops furniture lines, a small part of the engine's words;
a step that went wrong keeps a fragment, or a different element (a navigation column
instead of the story).
"""

from __future__ import annotations

import re
from collections import Counter

SHINGLE = 4  # tokens a shingle: as the dev sets' score.py counts shared text
# Of the engine's shingles, the share the final text must keep. On half A of the dev sets
# (bench/extraction_dev.py) the steps keep 0.69 or more where they are right; on half B a
# right cut kept 0.49 (an engine text twice the story): the chained steps' own limits
# (cleanup keeps half, a marked body 0.6 of it) allow 0.3, which is where a story ends.
MIN_KEPT = 0.3
# Of the final text's shingles, the share that must come from the engine's text (a
# standfirst added above it is a small share; a replaced story is most of it). Both dev
# sets' texts take 0.89 or more.
MIN_SHARED = 0.5
# A menu: this many lines or more, nearly all a few words long (menu items, not
# sentences). Counted in characters, not words: a Japanese sentence is one \w+ run. On
# both dev sets no text, ours or the engine's, has over 0.55 of its lines this short.
COLUMN_LINES = 5
COLUMN_CHARS = 30
COLUMN_SHARE = 0.8
_TOKEN = re.compile(r"\w+")


def guarded_text(text: str, engine_text: str) -> str:
    """Returns `text`, or `engine_text` where `text` kept or shared too little of it."""
    return text if holds_to_engine(text, engine_text) else engine_text


def holds_to_engine(text: str, engine_text: str) -> bool:
    """Returns whether `text` keeps MIN_KEPT of the engine's shingles and takes MIN_SHARED
    of its own from them; texts too short to hold a shingle are compared by their words."""
    if text == engine_text:  # no step changed it: most pages
        return True
    engine, own = shingles(engine_text), shingles(text)
    if not engine:
        return True
    shared = sum((engine & own).values())
    kept = shared / sum(engine.values())
    taken = shared / sum(own.values()) if own else 0.0
    return kept >= MIN_KEPT and taken >= MIN_SHARED


def shingles(text: str) -> Counter:
    """Returns the text's lower-cased runs of SHINGLE word tokens, counted."""
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(zip(*(tokens[i:] for i in range(SHINGLE)), strict=False))  # shorter tails end it


def reads_as_link_column(text: str) -> bool:
    """Returns whether `text` is a column of short lines, as a site's menu is ("Skip to
    content", "Subscribe", "Sign In"), and not a story's paragraphs."""
    lines = [line for line in text.splitlines() if line.strip()]
    short = sum(len(line.strip()) <= COLUMN_CHARS for line in lines)
    return len(lines) >= COLUMN_LINES and short >= COLUMN_SHARE * len(lines)
