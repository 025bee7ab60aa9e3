"""Stories held only in a framework's state scripts (extractors.article.state_scripts): on
small pages written here in each framework's shape, whose DOM shows no story (trafilatura
alone finds none of it), the story is read from the state, safely and within bounds."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import lxml.html
import pytest

from extractors.article import state_scripts
from extractors.article.extract import extract_article
from newsflow.errors import ExtractError

URL = "https://example.org/news/2026/12/05/bridge"
STORY = [
    "The council voted on Tuesday to close the old bridge to cars from next spring, after "
    "engineers found cracks in two of its supporting piers during a routine inspection.",
    "Cyclists and pedestrians will still be able to cross while a replacement is designed, "
    "the mayor said, adding that the work would be paid for from the transport budget.",
    "Shop owners on both banks said they feared losing trade during the closure and asked "
    "for free parking near the river, which the council agreed to consider in January.",
]
KOREAN = [
    "더불어민주당 지도부가 전당대회 당대표 선거에 선호투표제를 도입하는 방안을 논의했으나 "
    "또다시 결론을 내지 못했다. 당 관계자는 다음 주 회의에서 다시 논의하겠다고 밝혔다.",
    "민주당은 12일 오후 국회에서 비공개 최고위원회의를 열었으나 개의 약 두 시간 반 만에 "
    "이렇다 할 결론을 내리지 못하고 산회했다. 참석자들은 서로 다른 의견을 냈다고 전했다.",
    "당대표 선거에서 과반수 득표자가 없을 경우 결선 투표를 치르는 방안도 함께 검토됐으나 "
    "일정과 비용 문제로 반대 의견이 많았던 것으로 알려졌다. 최종 결론은 미뤄졌다.",
]
TEASER = "Read more of our transport coverage."
# The DOM a client-rendered page serves: a header, a menu, a footer, no story.
SHELL = """<!doctype html><html lang="en"><head><title>Bridge to close | The Paper</title>
<meta property="og:title" content="Bridge to close to cars"></head><body>
<header><a href="/"><img src="/logo.svg" alt="The Paper"></a><nav></nav></header>
<div id="__next"><div class="skeleton"></div></div>
{scripts}</body></html>"""


def _page(*scripts: str) -> bytes:
    return SHELL.replace("{scripts}", "".join(scripts)).encode()


def _html(paragraphs: list[str], cls: str = "") -> str:
    attribute = f' class="{cls}"' if cls else ""
    return "".join(f"<p{attribute}>{p}</p>" for p in paragraphs)


def _extract(page: bytes):
    return extract_article(page, URL, source="s", fetched_at=datetime.now(UTC))


def _assert_dom_holds_no_story(page: bytes, story: list[str]) -> None:
    """Without its scripts the page has no story (each test page fails without the
    feature: checked by running these tests on the extractor before it)."""
    tree = lxml.html.fromstring(page)
    for script in tree.xpath("//script"):
        script.drop_tree()
    shown = tree.text_content()
    assert not any(p[:40] in shown for p in story)


def _assert_story(page: bytes, story: list[str]):
    _assert_dom_holds_no_story(page, story)
    article = _extract(page)
    assert all(p in article.text for p in story), article.text
    assert "The Paper" not in article.text
    return article


def _next_data(data: dict) -> str:
    return f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'


def _pushes(payload: str, pieces: int = 3) -> str:
    """Returns the payload as Next.js app router sends it: cut into `pieces` push calls,
    each a JSON array with `<` escaped as \\u003c (as Next.js does inside <script>)."""
    size = -(-len(payload) // pieces)
    chunks = [payload[i : i + size] for i in range(0, len(payload), size)]
    calls = [json.dumps([1, c]).replace("<", "\\u003c") for c in chunks]
    return "<script>(self.__next_f=self.__next_f||[]).push([0])</script>" + "".join(
        f"<script>self.__next_f.push({call})</script>" for call in calls
    )


def test_next_pages_router_data_holds_the_story():
    data = {"props": {"pageProps": {"article": {
        "title": "Bridge to close to cars", "summary": TEASER,
        "body": _html(STORY), "related": [{"title": "Another story", "url": "/x"}],
    }}}, "page": "/news/[slug]", "buildId": "abc"}  # fmt: skip
    article = _assert_story(_page(_next_data(data)), STORY)
    assert article.title == "Bridge to close to cars"  # metadata still from the page


def test_next_pages_router_paragraph_blocks_are_read_together():
    blocks = [{"type": "paragraph", "model": {"text": p}} for p in STORY]
    blocks.insert(1, {"type": "image", "model": {"caption": "The bridge", "src": "/b.jpg"}})
    data = {"props": {"pageProps": {"page": {"blocks": blocks, "menu": ["News", "Sport"]}}}}
    _assert_story(_page(_next_data(data)), STORY)


def test_app_router_pushes_hold_escaped_html_across_several_chunks():
    row = ["$", "div", None, {"dangerouslySetInnerHTML": {"__html": _html(STORY, "editor-p")}}]
    payload = '1:"$Sreact.fragment"\n3:I[47422,[],""]\n' + f"5:{json.dumps(row)}\n"
    _assert_story(_page(_pushes(payload, pieces=4)), STORY)


def test_app_router_korean_story_in_a_text_row_counted_in_utf8_bytes():
    story_html = _html(KOREAN, "editor-p")
    size = len(story_html.encode())  # a T row's length is in bytes, not characters
    payload = (
        f'0:["$","main",null,{{"children":"$6"}}]\n6:T{size:x},{story_html}7:"$Sreact.suspense"\n'
    )
    page = _page(_pushes(payload, pieces=3)).replace(b'lang="en"', b'lang="ko"')
    article = _assert_story(page, KOREAN)
    assert "Sreact" not in article.text


def test_nuxt_data_in_devalue_form_holds_the_story():
    # Nuxt 3: one flat list; each object's values and each list's items are indices.
    data = [["ShallowReactive", 1], {"data": 2, "state": 8}, ["ShallowReactive", 3],
            {"article-bridge": 4}, {"title": 5, "content": 6, "tags": 7}, "Bridge to close",
            _html(STORY), [5], {"menu": 7}]  # fmt: skip
    script = f'<script type="application/json" id="__NUXT_DATA__">{json.dumps(data)}</script>'
    _assert_story(_page(script), STORY)


def test_nuxt_state_assigned_as_json_is_read_and_as_a_function_is_not_run():
    state = {"data": [{"article": {"body": _html(STORY)}}], "state": {}}
    _assert_story(_page(f"<script>window.__NUXT__={json.dumps(state)};</script>"), STORY)
    story = json.dumps(_html(STORY))
    iife = (
        f"<script>window.__NUXT__=(function(a){{return {{data:[{{body:a}}]}}}}({story}))</script>"
    )
    with pytest.raises(ExtractError, match="no main text found"):
        _extract(_page(iife))


def test_json_ld_article_body_is_the_last_resort():
    ld = {"@context": "https://schema.org", "@type": "NewsArticle",
          "headline": "Bridge to close to cars", "articleBody": "\n\n".join(STORY)}  # fmt: skip
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    _assert_story(_page(script), STORY)


def test_the_dom_story_stands_where_the_page_shows_one():
    shown = _html(STORY[:2])
    page = _page(_next_data({"props": {"pageProps": {"body": _html(KOREAN)}}}))
    page = page.replace(b'<div class="skeleton"></div>', f"<article>{shown}</article>".encode())
    text = _extract(page).text
    assert all(p in text for p in STORY[:2]) and KOREAN[0] not in text


def test_a_teaser_in_the_dom_gives_way_to_the_state_story():
    page = _page(_next_data({"props": {"pageProps": {"story": {"body": _html(STORY)}}}}))
    page = page.replace(b'<div class="skeleton"></div>', f"<p>{TEASER}</p>".encode())
    _assert_story(page, STORY)


def test_a_state_without_a_story_gives_the_usual_error():
    data = {"props": {"pageProps": {"menu": ["News", "Sport"], "title": "Bridge to close",
            "description": TEASER, "image": "https://example.org/b.jpg"}}}  # fmt: skip
    with pytest.raises(ExtractError, match="no main text found"):
        _extract(_page(_next_data(data)))


def test_malformed_state_scripts_are_skipped_and_the_good_ones_read():
    broken = _next_data({"props": {"body": _html(STORY)}})[:-40] + "</script>"
    with pytest.raises(ExtractError, match="no main text found"):
        _extract(_page(broken))
    bad_push = '<script>self.__next_f.push([1,"unterminated</script>'
    row = f"5:{json.dumps({'content': _html(STORY)})}\n"
    _assert_story(_page(broken, bad_push, _pushes(row)), STORY)


def test_an_oversized_state_script_is_not_read_and_the_rest_still_is():
    padding = "y" * (state_scripts.MAX_STATE_CHARS + 1)
    oversized = _next_data({"props": {"body": _html(STORY), "blob": padding}})
    with pytest.raises(ExtractError, match="no main text found"):
        _extract(_page(oversized))
    small = _next_data({"props": {"pageProps": {"body": _html(STORY)}}})
    _assert_story(_page(oversized, small), STORY)


def test_deeply_nested_state_is_bounded():
    deep = "[" * 100_000 + "]" * 100_000  # past any JSON parser's recursion: skipped
    script = f'<script type="application/json">{deep}</script>'
    with pytest.raises(ExtractError, match="no main text found"):
        _extract(_page(script))
    nested: object = {"body": _html(STORY)}
    for _ in range(state_scripts.MAX_DEPTH + 5):  # parsed, but the story lies too deep
        nested = {"child": nested}
    with pytest.raises(ExtractError, match="no main text found"):
        _extract(_page(_next_data(nested)))
    shallow = {"props": {"pageProps": {"body": _html(STORY)}}, "deep": nested}
    _assert_story(_page(_next_data(shallow)), STORY)


def test_code_and_encoded_data_are_not_read_as_a_story():
    code = "(function() { var host = 'example.org'; var el = document.createElement('s'); })();"
    blob = "/9j/4AAQSkZJRgABAQAAAQABAAD" * 40
    payload = f"1:T{len(code) * 8:x},{code * 8}2:T{len(blob):x},{blob}"
    with pytest.raises(ExtractError, match="no main text found"):
        _extract(_page(_pushes(payload)))
