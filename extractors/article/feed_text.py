"""Bounds a page's text by its feed entry's full text: a feed that carries the whole post
(RSS content:encoded, Atom content) says where the story starts and ends, without the
page's template around it.

Only where the feed's text is the post, not an excerpt: as long as most of the page's
text, not ending like a teaser ("[…]", "Read more"), and found, most of it, in the page's
text. Then lines before the first and after the last line the feed also has are not the
story. A line the feed words a little differently (an emoji, an edit) counts as the
feed's when most of its words are in it. Where any of this fails the text stays as it is.
"""

from __future__ import annotations

import re

# An excerpt is the story's first paragraph or two: well under the page's text.
FULL_SHARE = 0.6
# Of the feed's text the page's lines must hold: else the feed describes another text.
TRUST_SHARE = 0.8
# A line most of whose words (of 4 letters or more, 3 at least) the feed has is its line.
SHARED_WORDS = 0.6
_WORD = re.compile(r"\w{4,}")
_TEASER_END = re.compile(
    r"(\[\s*(…|\.\.\.)\s*\]|…|\.\.\.|read more|continue reading|weiterlesen|lire la suite"
    r"|leer más|seguir leyendo|baca selengkapnya|czytaj dalej|leia mais)\W*$",
    re.IGNORECASE,
)


def within_feed_text(text: str, feed_text: str | None) -> str | None:
    """Returns `text` cut to its lines from the first to the last that the feed's full
    text also has, or None when the feed's text cannot say (see the module docstring)."""
    if not feed_text or _TEASER_END.search(feed_text[-80:]):
        return None
    feed = _fold(feed_text)
    if len(feed) < FULL_SHARE * len(_fold(text)):
        return None
    lines = text.splitlines()
    inside = [bool(_fold(line)) and _fold(line) in feed for line in lines]
    found = sum(len(_fold(line)) for line, ok in zip(lines, inside, strict=True) if ok)
    if found < TRUST_SHARE * len(feed):
        return None
    words = set(_WORD.findall(feed))
    near = [ok or _mostly_in(line, words) for line, ok in zip(lines, inside, strict=True)]
    first = near.index(True)
    last = len(near) - 1 - near[::-1].index(True)
    return "\n".join(lines[first : last + 1])


def _mostly_in(line: str, words: set[str]) -> bool:
    own = _WORD.findall(_fold(line))
    return len(own) >= 3 and sum(w in words for w in own) >= SHARED_WORDS * len(own)


def _fold(text: str) -> str:
    return " ".join(text.lower().split())
