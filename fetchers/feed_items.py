"""Bounds what a feed with a huge number of items costs: only its first items are parsed.

feedparser reads a whole document into Python objects (a 200,000-item feed: tens of
seconds and about a gigabyte), while a night takes at most `max_articles_per_source`
links of a source. Feeds list the newest first, so the document is cut after its first
items, before parsing, closed the way it closes itself.
"""

from __future__ import annotations

import re

# The end tag of an RSS/RDF item or an Atom entry, with or without a namespace prefix.
_ITEM_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")


def first_items(body: bytes, max_items: int) -> tuple[bytes, int]:
    """Returns the document cut after its first `max_items` items and the number of items
    cut off (0: the document is returned as it is)."""
    cut_at = None
    for number, match in enumerate(_ITEM_END.finditer(body), start=1):
        if number == max_items:
            cut_at = match.end()
            break
    if cut_at is None:
        return body, 0
    cut, closing = 0, None
    for match in _ITEM_END.finditer(body, cut_at):
        cut, closing = cut + 1, match.end()
    if closing is None:
        return body, 0
    # What follows the last item ("</channel></rss>", "</feed>") closes the cut document too.
    return body[:cut_at] + body[closing:], cut
