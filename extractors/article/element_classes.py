"""Gives the pages trafilatura parses their lxml.html element classes without a Python call
per element.

lxml makes a Python proxy for each element the first time code touches it, and asks the
parser's class lookup which class it gets. lxml.html's lookup
(`HtmlElementClassLookup.lookup`) is a Python method: about 4,000 calls a corpus page,
from every pass trafilatura and our cleanup make over the tree, ~5% of a page's
extraction CPU. The same mapping (form fields to their classes, every other element to
HtmlElement, comments, PIs and entities to their HTML classes) is made here of lxml's
own C lookups, so the trees are the same, element class for element class.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html
from trafilatura import utils as trafilatura_utils


def element_lookup() -> etree.ElementNamespaceClassLookup:
    """Returns a C-level lookup that answers as lxml.html's default one does."""
    fallback = etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement,
        comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity,
    )
    lookup = etree.ElementNamespaceClassLookup(fallback)
    by_tag = lookup.get_namespace(None)  # HTML elements have no namespace
    # HTMLParser lower-cases tag names, which lxml.html's lookup does again.
    for tag, element_class in lxml_html.HtmlElementClassLookup._default_element_classes.items():
        by_tag[tag] = element_class
    return lookup


def fast_element_classes() -> None:
    """Makes trafilatura's HTML parser (the one `load_html` uses) look element classes up
    in C; idempotent. tests/extractors/article/test_element_classes.py fails if a trafilatura
    release renames the parser or if the classes differ from lxml.html's."""
    trafilatura_utils.HTML_PARSER.set_element_class_lookup(element_lookup())
