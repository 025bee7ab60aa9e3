"""Bounds what a feed costs: only its first items are parsed, and an entry's full text is
kept only when it is of a post's size.

feedparser reads a whole document into Python objects (a 200,000-item feed: tens of
seconds and about a gigabyte), while a night takes at most `max_articles_per_source`
links of a source. Feeds list the newest first, so the document is cut after its first
items, before parsing, closed the way it closes itself.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

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


# A long post's text is about 20,000 characters; what is longer is not kept at all (a cut
# text would tell extraction the story ends where the cut is). Every entry of a night is
# held until its page is extracted: 500 a source at most.
MAX_CONTENT_CHARS = 30_000


def full_text(html_or_text: str | None, is_html: bool = True) -> str | None:
    """Returns the plain text of an entry's full content (RSS content:encoded, Atom or
    JSON Feed content), or None when there is none or it is over MAX_CONTENT_CHARS."""
    if not html_or_text or not html_or_text.strip() or len(html_or_text) > 4 * MAX_CONTENT_CHARS:
        return None
    text = html_or_text
    if is_html:
        try:
            tree = lxml.html.fromstring(html_or_text)
        except (etree.ParserError, ValueError):
            return None
        # One block a line, as the page's extracted text has it.
        for block in tree.iter("p", "div", "li", "h1", "h2", "h3", "h4", "blockquote", "br"):
            block.tail = "\n" + (block.tail or "")
        text = tree.text_content()
    text = "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return text if 0 < len(text) <= MAX_CONTENT_CHARS else None
