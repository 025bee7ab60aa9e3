"""The page's visible byline, as trafilatura's `extract_author` finds it, without its copy of
the whole page.

`extract_author` copies the tree, prunes comment sections, figures, dates and the like from
the copy (AUTHOR_DISCARD_XPATHS), then takes the first author-marked element of the copy
with a short text. Pruning evaluates regular expressions on every element of the page, and
with the copy it is most of the search's cost. Here the author-marked elements are found on
the page itself; each candidate is asked whether it, or an element above it, is one the
pruning would remove (then it is skipped, as the copy would not hold it), and only a
candidate that holds such an element is copied and pruned, alone, for its text.

The author expressions test attributes with regular expressions (`re:test(@class, '…')`),
a call into Python for each of the page's elements. Each such test is asked instead of the
page's distinct values of that attribute, and becomes plain comparisons with the values
that match (`@class='byline' or …`), or `false()`: the same expressions, the same order,
the same answer.
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml import etree
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.metadata import (
    AUTHOR_DISCARD_XPATHS,
    AUTHOR_XPATHS,
    extract_author,
    normalize_authors,
)
from trafilatura.utils import trim

_LEN_LIMIT = 120  # extract_author's: a byline is short
_REGEXP = {"re": "http://exslt.org/regular-expressions"}
_ROOTED = re.compile(r"(^|\|)\s*\.?//")  # each alternative's leading ".//" or "//"
_ATTRIBUTE_TEST = re.compile(r"re:test\(\s*@([\w-]+)\s*,\s*'([^']*)'\s*\)")


def _rebased(axis: str) -> list[etree.XPath] | None:
    """Returns the discard expressions asked along `axis` from an element, or None where
    one does not start as expected (then the whole-page search is used)."""
    found = []
    for expression in AUTHOR_DISCARD_XPATHS:
        path, n = _ROOTED.subn(rf"\1{axis}", expression.path)
        if n == 0:
            return None
        found.append(etree.XPath(path, namespaces=_REGEXP))
    return found


_PRUNED_ABOVE = _rebased("ancestor-or-self::")  # the candidate goes with the pruned
_PRUNED_BELOW = _rebased(".//")  # the candidate keeps its text only after pruning


def visible_byline(tree) -> str | None:
    """Returns what `trafilatura.metadata.extract_author(tree)` returns, at a fraction of
    its cost; the tree is not changed."""
    if _PRUNED_ABOVE is None or _PRUNED_BELOW is None:
        return extract_author(tree)
    values: dict[str, set[str]] = {}  # the page's distinct values, by attribute
    for expression in AUTHOR_XPATHS:
        for element in _on_values(expression, tree, values)(tree):
            if any(pruned(element) for pruned in _PRUNED_ABOVE):
                continue
            content = trim(" ".join(_pruned(element).itertext()))
            if content and 2 < len(content) < _LEN_LIMIT:
                return normalize_authors(None, content)
    return None


def _pruned(element):
    if not any(pruned(element) for pruned in _PRUNED_BELOW):
        return element
    return prune_unwanted_nodes(deepcopy(element), AUTHOR_DISCARD_XPATHS)


def _on_values(expression: etree.XPath, tree, values: dict[str, set[str]]) -> etree.XPath:
    """Returns `expression` with each attribute's regular-expression test replaced by
    comparisons with the values of that attribute on this page that the test accepts."""

    def compared(test: re.Match) -> str:
        attribute, pattern = test.groups()
        if re.search(pattern, ""):  # true where the attribute is missing: left as it is
            return test.group(0)
        if attribute not in values:
            values[attribute] = set(tree.xpath(f"//@{attribute}", smart_strings=False))
        accepted = [value for value in values[attribute] if re.search(pattern, value)]
        if any("'" in value for value in accepted):  # no XPath 1.0 literal for it here
            return test.group(0)
        comparisons = " or ".join(f"@{attribute}='{value}'" for value in accepted)
        return f"({comparisons})" if comparisons else "false()"

    return etree.XPath(_ATTRIBUTE_TEST.sub(compared, expression.path), namespaces=_REGEXP)
