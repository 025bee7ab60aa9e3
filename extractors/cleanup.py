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

_BLOCK_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "figcaption", "td")
_BLOCK_TAGS += ("blockquote", "div", "span", "a", "strong", "em", "b", "small", "cite")
_CAPTION_TAGS = {"figure", "figcaption"}
_LINK_DEPTH = 3  # a link's block is its parent or close above: <li><h3><a>
_MAX_BLOCK = 600  # longer blocks are story paragraphs, never furniture we can name
SHORT = 200
HEADLINE_WORDS = 6
MIN_KEPT_SHARE = 0.5

# Line openings that only furniture has, in the languages of the news we read: prompts
# to read on, share, follow, subscribe or comment, and related-story lists.
_PROMPT = (
    r"read (more|also|next)|see also|related (articles?|stories|coverage|content)|more from"
    r"|more on this|more stories|you (may|might) (also )?like|most (read|popular)|sign up"
    r"|subscribe to|get (the|our) (latest|daily)|follow (us|@)|share (this|on|via)|click here"
    r"|tap here|join (the|our) (conversation|commenting)|leave a (comment|reply)"
    r"|lesen sie (auch|mehr)|mehr (zum thema|dazu|aus|themen)|auch interessant|weitere artikel"
    r"|zum artikel|folgen sie|jetzt (abonnieren|lesen|anmelden)|alle rechte vorbehalten"
    r"|lire (aussi|la suite|plus)|à lire (aussi|également)|voir aussi|suivez-nous|abonnez-vous"
    r"|tous droits réservés|lee (también|más)|leer más|te puede interesar|síguenos|suscríbete"
    r"|todos los derechos reservados|leia (também|mais)|veja também|leggi anche|seguici"
    r"|iscriviti|tutti i diritti riservati|czytaj (więcej|też|także)|zobacz (też|także)"
    r"|čtěte (také|též)|les (også|mer)|läs (också|mer)|læs (også|mere)|lees ook"
    r"|читайте (также|еще)|подписывайтесь|devamını oku|ilginizi çekebilir|đọc thêm|xem thêm"
    r"|関連記事|관련 ?기사|相关阅读"
)
# Single-word labels, furniture only as a label: followed by a colon or alone on the line.
_LABEL = (
    r"related|recommended|trending|newsletter|advertisement|sponsored|updated|published|photo"
    r"|photos|image|picture|credit|credits|source|video|watch|listen|comments?|\d+ comments?"
    r"|anzeige|werbung|teilen|foto|fotos|bild|quelle|aktualisiert|publicité|partager"
    r"|publicidad|compartir|fuente|fonte|compartilhe|pubblicità|condividi|reklama|udostępnij"
    r"|źródło|zdroj|sdílet|kilde|källa|фото|реклама|поделиться|paylaş|reklam|写真|広告|シェア"
    r"|사진|광고|공유|图片来源"
)
_FURNITURE_START = re.compile(
    rf"^(({_PROMPT})(\s*[:：|/»›>\-–—]|\s*$|\s+\S)|({_LABEL})\s*([:：|/»›>\-–—]|$))",
    re.IGNORECASE,
)
# Read as furniture only when the whole line is nothing else: a copyright or rights line.
_RIGHTS = re.compile(r"(©|\(c\)|copyright|all rights reserved|무단 전재|版权所有)", re.IGNORECASE)
_STAMP = re.compile(
    r"^[\W\d_]*(\d{1,4}[.:/\-]\d{1,2}[.:/\-]?\d{0,4})[\W\d_]*(min|h|uhr|am|pm)?\W*$"
)
_LIST_MARK = re.compile(r"^\s*([-*•]\s+|\d+[.)]\s+|\|\s*)")


@dataclass(frozen=True, slots=True)
class SourceBlock:
    """What the page says about the element a line of text came from."""

    link_share: float  # share of its text inside links
    caption: bool  # inside a <figure> or <figcaption>


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
    link_chars: dict[object, int] = {}
    for link in tree.iter("a"):
        chars = len(_flat(link.text_content()))
        for element in (link, *list(link.iterancestors())[:_LINK_DEPTH]):
            if element.tag in _BLOCK_TAGS:
                link_chars[element] = link_chars.get(element, 0) + chars
    for element, chars in link_chars.items():
        if (text := _short_text(element)) and text not in blocks:
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
    lines = [line for line in text.splitlines() if line.strip()]
    kept = [
        line
        for line in _without_leading_headline(lines, headlines)
        if not furniture_reason(line, blocks, authors)
    ]
    result = "\n".join(kept).strip()
    if len(result) < MIN_KEPT_SHARE * len(text.strip()):
        return text.strip()
    return result


def furniture_reason(
    line: str, blocks: dict[str, SourceBlock], authors: tuple[str, ...] = ()
) -> str | None:
    """Returns why `line` is furniture ("caption", "links", "prompt", …), or None."""
    key = _line_key(line)
    block = blocks.get(key)
    if block and block.caption:
        return "caption"  # captions describe a picture; the story does not run through them
    if len(key) > SHORT:
        return None
    if block and block.link_share >= 0.7 and _reads_as_headline(key):
        return "links"  # a line that is mostly a link points at another page's story
    if _FURNITURE_START.match(key):
        return "prompt"
    if _RIGHTS.search(key) and len(key) < 120:
        return "rights"
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
    """Drops the first lines while they repeat the headline (often with a kicker before it)."""
    folded = [_fold(h) for h in headlines if h and len(h) > 10]
    start = 0
    while start < min(len(lines), 3) and any(
        _repeats(_fold(_line_key(lines[start])), h) for h in folded
    ):
        start += 1
    return lines[start:]


def _repeats(line: str, headline: str) -> bool:
    if line == headline or (line and line in headline):
        return True
    # "Kicker Headline": the headline closes a line only a few words longer.
    return line.endswith(headline) and len(line.split()) - len(headline.split()) <= 6


def _is_byline(key: str, authors: tuple[str, ...]) -> bool:
    if not authors or len(key) > 80:
        return False
    line = _fold(key)
    names = [_fold(a) for a in authors if len(a) > 3]
    words = line.split()
    # "By Jane Doe", "von Jane Doe", "Jane Doe, Berlin": the line is the name and little else.
    return (
        any(name in line for name in names) and len(words) <= max(len(n.split()) for n in names) + 3
    )


def _line_key(line: str) -> str:
    return _flat(_LIST_MARK.sub("", line))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _fold(text: str) -> str:
    return _flat(unicodedata.normalize("NFKC", text).lower())
