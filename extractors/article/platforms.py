"""Finds where a page's markup says the story is: platform post-body markers, else the
element holding most of the page's paragraph text.

Blog platforms wrap the post in a fixed class (Blogger `post-body`, WordPress
`entry-content`, Ghost `gh-content`, Substack `available-content`) and many sites mark it
with schema.org `itemprop="articleBody"`. That is a strong hint where present, but themes
reuse the classes on index pages and excerpts, so article.py only trusts it where
trafilatura's own text agrees with it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

# Class tokens that mark the post body, most specific first.
_BODY_CLASSES = (
    "post-body",  # Blogger
    "entry-content",  # WordPress, hAtom
    "gh-content",  # Ghost (Casper and most themes)
    "post-full-content",  # Ghost, older themes
    "available-content",  # Substack
    "post-content",  # WordPress and Ghost themes
)
_ARTICLE_BODY = ".//*[@itemprop='articleBody']"
TRUST_SHARE = 0.6  # of trafilatura's text inside the marked body, to trust the marker
MIN_LEAD = 40  # shorter descriptions are slogans or labels, not a story's lead
LABEL_WORDS = 6  # above the story, a line this short is a label, byline or date


@dataclass(frozen=True, slots=True)
class StoryHint:
    """Text of the element the page marks (or seems to use) for its story."""

    text: str
    marked: bool  # a platform marker or itemprop, not just the densest paragraph group
    # Unmarked: all the text of the element holding the densest paragraph group, where the
    # story's subheadings, lists and quotes sit beside its paragraphs.
    container: str = ""


def story_hint(tree) -> StoryHint | None:
    """Returns the marked post body's text, else the densest paragraph group's, or None."""
    body = marked_body(tree)
    if body is not None:
        return StoryHint(_flat(body.text_content()), marked=True)
    group = densest_paragraphs(tree)
    if group is None:
        return None
    parent, texts = group
    return StoryHint("\n".join(texts), marked=False, container=_flat(parent.text_content()))


def marked_body(tree):
    """Returns the one element a platform marker or itemprop=articleBody names, or None.

    Several matches mean an index page or a list of excerpts: no single story to trust.
    """
    marked: dict[str, list] = {}
    for element in tree.iter("div", "section", "article"):
        classes = set((element.get("class") or "").split())
        for css_class in classes.intersection(_BODY_CLASSES):
            marked.setdefault(css_class, []).append(element)
    for css_class in _BODY_CLASSES:
        found = marked.get(css_class, [])
        outermost = [e for e in found if not any(a in found for a in e.iterancestors())]
        if len(outermost) == 1:
            return outermost[0]
        if outermost:
            return None
    found = tree.xpath(_ARTICLE_BODY)
    return found[0] if len(found) == 1 else None


def densest_paragraphs(tree) -> tuple[object, list[str]] | None:
    """Returns the one parent whose <p>s hold the most paragraph text, and their texts."""
    groups: dict[object, list[str]] = defaultdict(list)
    for paragraph in tree.iter("p"):
        text = _flat(paragraph.text_content())
        if text:
            groups[paragraph.getparent()].append(text)
    if not groups:
        return None
    return max(groups.items(), key=lambda group: sum(map(len, group[1])))


def _flat(text: str) -> str:
    return " ".join(text.split())


def within_marked_body(text: str, marked: str) -> str | None:
    """Returns `text` cut to the lines from the first to the last one inside the marked
    post body, or None when trafilatura's text does not mostly lie in it (then the marker
    names something else: an excerpt, a widget, a theme's misuse).

    Lines between two lines of the body stay: the marked body's text runs its inline
    elements together, so a line is not always found in it whole.
    """
    lines, inside = _inside(text, marked)
    if inside is None:
        return None
    first = inside.index(True)
    last = len(inside) - 1 - inside[::-1].index(True)
    return "\n".join(lines[first : last + 1])


def within_story_element(text: str, container: str) -> str | None:
    """Returns `text` cut after its last line inside the densest paragraph group's element,
    without the short lines above its first one there; None when trafilatura's text does
    not mostly lie in that element.

    What trafilatura keeps after the story and outside the element that holds it is the
    page's: a press release's "About us", an author's bio box, a newsletter or donation
    appeal, a paywall notice. Above the story, outside it, a line of a few words is a
    label, a byline, a date or a counter; a longer one (a standfirst, a summary) is kept.
    """
    lines, inside = _inside(text, container)
    if inside is None:
        return None
    first = inside.index(True)
    last = len(inside) - 1 - inside[::-1].index(True)
    above = [line for line in lines[:first] if len(line.split()) > LABEL_WORDS]
    return "\n".join([*above, *lines[first : last + 1]])


def _inside(text: str, element_text: str) -> tuple[list[str], list[bool] | None]:
    """Returns the text's lines and, for each, whether it lies in `element_text`; None
    instead of the flags when under TRUST_SHARE of the text does."""
    lines = [line for line in text.splitlines() if line.strip()]
    body = _fold(element_text)
    inside = _found_in_order([_fold(line.lstrip("-*• ")) for line in lines], body)
    inside_chars = sum(len(line) for line, ok in zip(lines, inside, strict=True) if ok)
    if not lines or inside_chars < TRUST_SHARE * sum(map(len, lines)):
        return lines, None
    return lines, inside


def _found_in_order(needles: list[str], text: str) -> list[bool]:
    """Returns whether each needle is in `text`. Each is looked for from where the one
    before it was found, then anywhere: lines mostly come in the text's order, so a long
    story costs about one pass over `text` instead of one per line."""
    found, start = [], 0
    for needle in needles:
        at = text.find(needle, start)
        if at < 0:
            at = text.find(needle)
        found.append(at >= 0)
        start = at if at >= 0 else start
    return found


def shown_lead(tree, description: str | None) -> str | None:
    """Returns the page's description when the page also shows it as a paragraph: the lead.

    trafilatura leaves out the standfirst that sits in the article's header, above the
    body. A text the publisher both declares as the page's summary and prints on the page
    is that standfirst, not a stray teaser.
    """
    if not description or len(description) < MIN_LEAD:
        return None
    wanted = _fold(description)
    opening = wanted[:20]
    for element in tree.iter("p", "div", "h2", "span", "strong"):
        own = _fold(element.text or "")
        if own and (own.startswith(opening) or opening.startswith(own)):
            shown = _flat(element.text_content())
            if _fold(shown) == wanted:
                return shown
    return None


def _fold(text: str) -> str:
    # Soft hyphens: themes hyphenate the body's words, trafilatura's text drops them.
    return " ".join(text.replace("\u00ad", "").lower().split())
