"""Applies a source's own extraction rules (newsflow.models.ExtractRules): CSS selectors
the user wrote for a site the general methods get wrong. They come first: `drop` removes
elements before anything reads the page, `body` names the story's element, and `title`,
`author`, `date` name the elements that hold them. A selector that matches nothing leaves
the general methods to do their work, as they would without the rule."""

from __future__ import annotations

from functools import lru_cache

from lxml import html
from lxml.cssselect import CSSSelector

from newsflow.models import ExtractRules


@lru_cache(maxsize=256)
def _selector(css: str) -> CSSSelector:
    # Validated when sources.toml was loaded (newsflow.extract_rules); compiled once a worker.
    return CSSSelector(css, translator="html")


def drop_ruled(tree, rules: ExtractRules) -> int:
    """Removes the elements the `drop` selectors match; returns how many went."""
    doomed = [element for css in rules.drop for element in _selector(css)(tree)]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()
    return len(doomed)


def ruled_story(tree, rules: ExtractRules):
    """Returns a page holding only the `body` selector's first element, or None."""
    element = _first(tree, rules.body)
    if element is None:
        return None
    page = html.Element("html")
    html.etree.SubElement(page, "body").append(html.fromstring(html.tostring(element)))
    return page


def ruled_text(tree, css: str | None) -> str | None:
    """Returns the text of the selector's first element, on one line; None if none."""
    element = _first(tree, css)
    text = " ".join(element.text_content().split()) if element is not None else ""
    return text or None


def ruled_date(tree, rules: ExtractRules) -> str | None:
    """Returns the `date` element's machine date (datetime or content attribute), else its
    text; None when the selector matches nothing."""
    element = _first(tree, rules.date)
    if element is None:
        return None
    stated = element.get("datetime") or element.get("content")
    return (stated or " ".join(element.text_content().split())) or None


def _first(tree, css: str | None):
    if not css:
        return None
    found = _selector(css)(tree)
    return found[0] if found else None
