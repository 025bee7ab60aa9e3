"""Pages parsed for extraction get lxml.html's element classes, looked up without a Python
call per element (extractors/article/element_classes.py)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from trafilatura.utils import load_html

import extractors.article.extract  # noqa: F401 (installs the lookup on trafilatura's parser)
from extractors.article.element_classes import element_lookup

PAGE = b"""<!DOCTYPE html><html lang="en"><head><title>Forms</title></head><body>
<!-- a comment --><?php echo 1; ?>
<article><h1>Title</h1><p>Text <a href="/x">link</a> &amp; more.</p>
<FORM action="/s"><LABEL for="q">Search</LABEL><input id="q" name="q" value="news">
<select name="s"><option>a</option></select><textarea name="t">hi</textarea></FORM>
<figure><img src="a.png"><figcaption>Caption</figcaption></figure></article></body></html>"""


def _classes(tree) -> list[tuple[str, type]]:
    return [(str(node.tag), type(node)) for node in tree.iter()]


def test_the_lookup_gives_lxml_htmls_classes_to_every_node():
    ours = lxml_html.HTMLParser(remove_comments=False, remove_pis=False)
    ours.set_element_class_lookup(element_lookup())
    expected = _classes(lxml_html.document_fromstring(PAGE))
    got = _classes(lxml_html.document_fromstring(PAGE, parser=ours))
    assert got == expected
    kinds = {cls for _, cls in got}
    assert {lxml_html.FormElement, lxml_html.InputElement, lxml_html.LabelElement} <= kinds
    assert {lxml_html.SelectElement, lxml_html.TextareaElement, lxml_html.HtmlComment} <= kinds


def test_extraction_parses_pages_without_lxml_htmls_python_lookup(monkeypatch):
    def python_lookup(*args):
        raise AssertionError("lxml.html's Python lookup was called")

    expected = _classes(load_html(PAGE.decode()))
    monkeypatch.setattr(lxml_html.HtmlElementClassLookup, "lookup", python_lookup)
    tree = load_html(PAGE.decode())
    assert _classes(tree) == expected
    assert any(cls is lxml_html.InputElement for _, cls in expected)


@pytest.mark.parametrize("tag", ["form", "input", "select", "textarea", "label"])
def test_form_fields_keep_their_classes(tag):
    tree = load_html(PAGE.decode())
    (element,) = tree.iter(tag)
    assert type(element) is lxml_html.HtmlElementClassLookup._default_element_classes[tag]
