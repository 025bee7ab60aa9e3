"""Drops the furniture trafilatura keeps around a story, line by line.

trafilatura's errors on news pages are mostly lines kept, not lines lost: the headline
repeated as the first line, image captions and credits, "Read more: …" and related-story
links, newsletter and share prompts, bylines and time stamps. Each rule below has a reason
that holds on any page, and each looks at one line of trafilatura's text together with the
element it came from in the page (its link share, whether it sits in a figure).

A rule that fires on most of a page is more likely wrong about the page than right about
the furniture: when the cleanup would drop over half the text, the text is kept whole.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import islice

from lxml import etree

from extractors.article import boilerplate
from extractors.article.captions import drop_hover_cards, image_captions

_BLOCK_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "figcaption", "td")
_BLOCK_TAGS += ("blockquote", "div", "span", "a", "strong", "em", "b", "small", "cite")
_BLOCK_TAG_SET = frozenset(_BLOCK_TAGS)
_CAPTION_TAGS = {"figure", "figcaption"}
_LINK_DEPTH = 3  # a link's block is its parent or close above: <li><h3><a>
_MAX_TEASER = 1500  # a teaser's paragraph inside a link may run long
_MAX_BLOCK = 600  # longer blocks are story paragraphs, never furniture we can name
SHORT = 200
PARAGRAPH = 100  # a line this long is a story paragraph: the head ends at the first
HEADLINE_WORDS = 6
HEAD_LINES = 4  # the headline repeated further down is a subheading, not the page's
KICKER_WORDS = 5  # a kicker or section label above the headline is a few words
TAIL_LINK_SHARE = 0.3
MIN_KEPT_SHARE = 0.5

_STAMP = re.compile(
    r"^[\W\d_]*(\d{1,4}[.:/\-]\d{1,2}[.:/\-]?\d{0,4})[\W\d_]*(min|h|uhr|am|pm)?\W*$"
)
_COMMENT_SECTION = re.compile(
    r"(^|[\s_-])(kommentare|kommentar-(item|liste?|bereich|box|block)|commentaires|comentarios"
    r"|commenti|komentarze|komentare|komentari|kommentarer|kommentit|reacties|yorumlar"
    r"|комментарии)($|[\s_-])",
    re.IGNORECASE,
)
# A fact or info box set beside the story ("metro-factbox", "fact-box", "c-infoBox"):
# background for the reader, not the story's own paragraphs.
_FACT_BOX = re.compile(r"(facts?|info|fakten|fakta)[-_]?box", re.IGNORECASE)
# Its candidates, found in C: elements whose class holds "ox" (box, Box; not BOX).
_BOXES = etree.XPath('//@class[contains(., "ox")]/..')
_SHOWN_TEXT = etree.XPath(".//text()[not(parent::script or parent::style)]", smart_strings=False)
# A box holding this share of the page's text is the page's layout, not an aside.
MAX_BOX_SHARE = 0.5
_LIST_MARK = re.compile(r"^\s*([-*•]\s+|\d+[.)]\s+|\|\s*)")


@dataclass(frozen=True, slots=True)
class SourceBlock:
    """What the page says about the element a line of text came from."""

    link_share: float  # share of its text inside links
    caption: bool  # inside a <figure> or <figcaption>


def drop_page_furniture(tree) -> int:
    """Removes comment sections trafilatura does not know by name, fact boxes, and the
    pop-up cards nested in a paragraph's names (captions.drop_hover_cards); returns how
    many went.

    trafilatura prunes containers whose class or id starts with "comment"; German, French,
    Spanish… themes name them in their own language ("kommentare", "commentaires").
    """
    dropped = drop_hover_cards(tree) + _drop_fact_boxes(tree)
    doomed = [
        element
        for element in tree.iter("div", "section", "ol", "ul", "aside")
        if (_names_comments(element.get("class")) or _names_comments(element.get("id")))
        # A layout wrapper flagged for comments ("has-kommentare") holds the story and
        # its headline; a comment section never holds the page's <h1>.
        and next(element.iter("h1"), None) is None
    ]
    outermost = [e for e in doomed if not any(a in doomed for a in e.iterancestors())]
    for element in outermost:
        element.drop_tree()  # keeps the tail text, which belongs to the parent
    return dropped + len(outermost)


def _names_comments(name: str | None) -> bool:
    if not name:
        return False
    # Every name the pattern matches holds one of these in lower case: a cheap test first.
    folded = name.lower()
    hinted = "ment" in folded or "reacties" in folded or "yorumlar" in folded or "мент" in folded
    return hinted and bool(_COMMENT_SECTION.search(name))


def _drop_fact_boxes(tree) -> int:
    """Removes fact and info boxes, unless one holds the page's <h1> or half its text
    (then it is the page's layout, not an aside)."""
    boxes = [element for element in _BOXES(tree) if _FACT_BOX.search(element.get("class"))]
    if not boxes:
        return 0
    page_chars = _shown_chars(tree)
    dropped: list = []
    for box in boxes:
        if box.getparent() is None or any(a in dropped for a in box.iterancestors()):
            continue  # the whole page, or gone with a box around it
        if next(box.iter("h1"), None) is None and _shown_chars(box) <= MAX_BOX_SHARE * page_chars:
            box.drop_tree()
            dropped.append(box)
    return len(dropped)


def _shown_chars(element) -> int:
    return sum(len(text.strip()) for text in _SHOWN_TEXT(element))


def source_blocks(tree) -> dict[str, SourceBlock]:
    """Returns, by whitespace-folded text, the page's blocks that hold a link or a caption.

    Only links' nearest block ancestors and figures are read: text_content() of every
    element of a large page would cost more than the extraction's savings are worth.
    """
    blocks: dict[str, SourceBlock] = {}
    for figure in tree.iter(*_CAPTION_TAGS):
        for element in figure.iter(*_BLOCK_TAGS, *_CAPTION_TAGS):
            if text := _short_text(element):
                blocks.setdefault(text, SourceBlock(0.0, caption=True))
    for text in image_captions(tree, _BLOCK_TAGS):
        blocks.setdefault(text, SourceBlock(0.0, caption=True))
    link_chars: dict[object, int] = {}
    for link in tree.iter("a"):
        chars = len(_flat(link.text_content() if len(link) else link.text or ""))
        # A paragraph inside a link is a teaser (headline and dek) for another page: a
        # story's own paragraphs are never wholly a link.
        for element in islice(link.iter(*_BLOCK_TAGS), 1, None) if len(link) else ():
            if (text := _flat(element.text_content())) and len(text) <= _MAX_TEASER:
                blocks.setdefault(text, SourceBlock(1.0, caption=False))
        for element in (link, *islice(link.iterancestors(), _LINK_DEPTH)):
            if element.tag in _BLOCK_TAG_SET:
                link_chars[element] = link_chars.get(element, 0) + chars
    too_long: set = set()  # above a block too long to name: as long or longer, not read
    for element, chars in link_chars.items():
        if element in too_long:
            continue
        text = _flat(element.text_content())
        if len(text) > _MAX_BLOCK:
            too_long.update(element.iterancestors())
        elif text and text not in blocks:
            blocks[text] = SourceBlock(min(1.0, chars / len(text)), caption=False)
    return blocks


def _short_text(element) -> str:
    text = _flat(element.text_content())
    return text if len(text) <= _MAX_BLOCK else ""


def strip_furniture(
    text: str,
    blocks: dict[str, SourceBlock],
    headlines: tuple[str, ...] = (),
    authors: tuple[str, ...] = (),
) -> str:
    """Returns `text` without headline, caption, credit, link-list and prompt lines."""
    # A line without a letter or digit ("*", "—") says nothing: a theme's ornament.
    lines = [ln for ln in text.splitlines() if re.search(r"\w", ln)]
    lines = _without_leading_headline(lines, headlines)
    paragraphs = [i for i, line in enumerate(lines) if len(line) >= PARAGRAPH]
    first, last = (paragraphs[0], paragraphs[-1]) if paragraphs else (len(lines), -1)
    kept = [
        line
        for i, line in enumerate(lines)
        if not furniture_reason(
            line, blocks, authors, "head" if i < first else "tail" if i > last else "body"
        )
    ]
    # A story does not end on a colon (what it introduced is gone or never was), nor on a
    # note about its author, however long.
    while kept and (
        kept[-1].rstrip().endswith((":", "：")) or _is_bio(_line_key(kept[-1]), authors)
    ):
        kept.pop()
    result = "\n".join(kept).strip()
    if len(result) < MIN_KEPT_SHARE * len(text.strip()):
        return text.strip()
    return result


def furniture_reason(
    line: str,
    blocks: dict[str, SourceBlock],
    authors: tuple[str, ...] = (),
    where: str = "body",
) -> str | None:
    """Returns why `line` is furniture ("caption", "links", "prompt", …), or None.

    `where` is "head" (before the story's first paragraph), "body" or "tail" (after its last).
    """
    key = _line_key(line)
    block = blocks.get(key)
    if block and block.caption:
        return "caption"  # captions describe a picture; the story does not run through them
    if where == "tail" and _is_bio(key, authors):
        return "author bio"  # "Jane Doe is a reporter at …": about the author, not the story
    if block and block.link_share >= 0.7 and (where == "head" or _reads_as_headline(key)):
        # Before the story, links are navigation (breadcrumbs, sections); within and after
        # it, a link that reads as a headline (a teaser: headline and dek) points at
        # another page's story.
        return "links"
    if where == "tail" and block and block.link_share >= TAIL_LINK_SHARE and _LIST_MARK.match(line):
        return "links"  # after the story, a list of linked items lists other stories
    if len(key) > SHORT:
        return None
    if where == "head" and boilerplate.DISCLOSURE.match(key):
        return "ad label"
    if boilerplate.HANDLE_CREDIT.match(key):
        return "credit"
    if boilerplate.LINE_START.match(key) or boilerplate.ANYWHERE.search(key):
        return "prompt"
    if boilerplate.RIGHTS.search(key) and len(key) < 120:
        return "rights"
    if line.count(" | ") >= 2 and not line.lstrip().startswith("|"):
        # "date | categories | 3 comments": prose has no pipes, tables start with one.
        return "meta bar"
    if _STAMP.match(key):
        return "time stamp"  # the date is metadata (published_at), not a sentence
    if _is_byline(key, authors):
        return "byline"  # the author is metadata (author), not a sentence
    return None


def _reads_as_headline(key: str) -> bool:
    """Whether a line is long enough to be another story's headline, not a name or a URL.

    Stories link the products, people and documents they name (short link texts) and cite
    addresses; teasers for other stories link a whole headline.
    """
    return len(key.split()) >= HEADLINE_WORDS and "://" not in key


def _without_leading_headline(lines: list[str], headlines: tuple[str, ...]) -> list[str]:
    """Drops the headline repeated near the top, with the short kicker lines just above it.

    Pages print the headline above the story with a kicker ("Hitzefolgen", "POLITICS:") on
    its own line or glued before it, or after a standfirst; the comparison is of words only,
    since the headline sources punctuate and hyphenate it differently ("Kicker: Headline").
    """
    folded = [_words(h) for h in headlines if h and len(h) > 10]
    doomed: set[int] = set()
    in_head = True
    for i, line in enumerate(lines[:HEAD_LINES]):
        words = _words(_line_key(line))
        # After a standfirst, only the headline itself: a subheading may well extend it.
        if any(_repeats(words, h) if in_head else words == h for h in folded):
            doomed.add(i)
            kickers = range(i - 1, -1, -1)
            doomed.update(j for j in _takewhile_short(lines, kickers) if j not in doomed)
        in_head = in_head and len(line) < PARAGRAPH
    return [line for i, line in enumerate(lines) if i not in doomed]


def _takewhile_short(lines: list[str], indices) -> list[int]:
    taken = []
    for j in indices:
        if len(lines[j].split()) > KICKER_WORDS:
            break
        taken.append(j)
    return taken


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", _fold(text).replace("\u00ad", "")))


def _repeats(line: str, headline: str) -> bool:
    # The headline itself, or most of it (a shortened form); not a short phrase of it,
    # which a post may well use as its first subheading.
    if line == headline or (line and line in headline and len(line) >= 0.6 * len(headline)):
        return True
    # "Kicker Headline": the headline closes a line only a few words longer.
    return line.endswith(headline) and len(line.split()) - len(headline.split()) <= 6


def _is_byline(key: str, authors: tuple[str, ...]) -> bool:
    """Whether the line is an author's name with at most one word more ("By", a city)."""
    if not authors or len(key) > 80:
        return False
    rest = _fold(key)
    for name in (_fold(a) for a in authors if len(a) > 3):
        rest = rest.replace(name, " ")
    if rest == _fold(key):
        return False
    return len(re.findall(r"\w+", rest)) <= 1


def _is_bio(key: str, authors: tuple[str, ...]) -> bool:
    """Whether the line opens with an author's name: a note about them, after the story."""
    line = _fold(key)
    return len(key) < 2 * SHORT and any(
        line.startswith(_fold(a)) for a in authors if len(a.split()) > 1
    )


def _line_key(line: str) -> str:
    return _flat(_LIST_MARK.sub("", line))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _fold(text: str) -> str:
    return _flat(unicodedata.normalize("NFKC", text).lower())
