"""The visible byline (extractors/article/byline.py) is trafilatura's `extract_author`, found
without copying and pruning the whole page: the same answer on every page, hand-made and
real, and the page is left as it was."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html

from extractors.article.byline import visible_byline

PAGES = {
    "a plain byline": '<p class="byline">By Jane Doe</p>',
    "no byline": '<p class="lead">Nothing about who wrote it.</p>',
    # The first expression's candidate sits in a comment section (pruned): the answer is
    # the next expression's, in the story.
    "a candidate in a comment section": (
        '<div id="comments"><span class="author">Commenter Carl</span></div>'
        '<div class="byline">By Real Reporter</div>'
    ),
    "a candidate in a figure": (
        '<figure><span class="author-name">Photographer Pat</span></figure>'
        '<span class="writer">Writer Wanda</span>'
    ),
    "a candidate inside <time>": (
        '<time><a rel="author">Tim Stamp</a></time><p class="byline">Al Byl</p>'
    ),
    # A pruned element inside the candidate goes, and its tail joins the text before it with
    # no space added (trafilatura's delete_element): "By" + "Ann Lee" reads "ByAnn Lee".
    "a date inside the byline": (
        '<div class="byline">By<span class="date">5 May</span>Ann Lee</div>'
    ),
    "a figure inside the byline": (
        '<div class="byline"><figure><img src="a.jpg"></figure> Lee Ann, <b>Staff</b></div>'
    ),
    "a first child pruned": '<p class="byline"><time>Today</time>Bo Chen</p>',
    "too long, then short": (
        f'<div class="author">{"Long " * 40}</div><span class="author">Short Name</span>'
    ),
    "too short": '<span class="author">Al</span><span class="byline">Albert Einstein</span>',
    "a class with a quote": (
        '<span class="author\'s-box">Quote Q. Class</span><p class="byline">Bea Line</p>'
    ),
    "an id, not a class": '<div id="article-author">Id Author</div>',
    "an <author> element": "<author>Element Author</author>",
    "rel=author link": '<a rel="author" href="/u/1">Linked Author</a>',
    "itemprop": '<span itemprop="author name">Item Prop</span>',
    "data-component": '<div data-component="BylineBlock">Data Byline</div>',
    "Chinese editor": '<span class="bianji">责任编辑：王小明</span>',
    "several authors": '<span class="author">Ann Lee and Bo Chen</span>',
    "nested candidates": (
        '<div class="author-box"><span class="author-name">Inner Name</span> wrote</div>'
    ),
    "a quote block": (
        '<blockquote><div class="quote"><span class="author">Quoted</span></div></blockquote>'
    ),
}


def _page(body: str) -> str:
    head = "<html><head><title>T</title></head>"
    return f"{head}<body><article>{body}<p>Story.</p></article></body></html>"


@pytest.mark.parametrize("body", PAGES.values(), ids=PAGES.keys())
def test_the_byline_is_trafilaturas_on_hand_made_pages(body):
    expected = extract_author(load_html(_page(body)))
    tree = load_html(_page(body))
    before = lxml_html.tostring(tree)
    assert visible_byline(tree) == expected
    assert lxml_html.tostring(tree) == before  # the page is not pruned


def test_the_hand_made_pages_test_what_they_say():
    # Not vacuous: most pages have a byline, and pruning changed what some of them read.
    found = {name: extract_author(load_html(_page(body))) for name, body in PAGES.items()}
    assert found["a candidate in a comment section"] == "Real Reporter"
    assert found["a date inside the byline"] == "ByAnn Lee"
    assert found["a first child pruned"] == "Bo Chen"
    assert found["no byline"] is None
    assert sum(v is not None for v in found.values()) >= len(PAGES) - 3


def test_the_byline_is_trafilaturas_on_every_corpus_page(corpus_dir, pages_index):
    compared = with_byline = 0
    for entry in pages_index:
        text = (corpus_dir / "pages" / entry["file"]).read_bytes()
        expected = extract_author(load_html(text))
        assert visible_byline(load_html(text)) == expected, entry["file"]
        compared += 1
        with_byline += expected is not None
    assert compared == len(pages_index) and with_byline > compared // 3
