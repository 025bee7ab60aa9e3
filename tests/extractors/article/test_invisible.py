"""Invisible characters that are part of words survive extraction: ZWNJ in Persian, ZWJ
and ZWNJ in Hindi, ZWJ in an emoji family, bidi marks. Soft hyphens, line-break hints that
would split words for search, and bidi overrides, a spoofing tool, do not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extractors.article.extract import extract_article

SENTENCES = {
    # "I want to go home and read the books": ZWNJ inside می‌خواهم and کتاب‌ها.
    "persian": "من می\u200cخواهم به خانه بروم و کتاب\u200cها را بخوانم.",
    # ZWJ asks for the half forms of स् and ष्; ZWNJ keeps क् and ष apart.
    "hindi": "यह स्\u200dपष्\u200dट है कि क्\u200cष एक संयुक्त अक्षर है।",
    "emoji family": "The whole family 👨\u200d👩\u200d👧\u200d👦 came to the opening.",
    # RLM and LRM keep the Latin word and the number where the writer put them.
    "hebrew with bidi marks": "הגרסה \u200fNewsflow\u200e 2.0 יצאה היום.",
}
FILLER = "More words in the paragraph, so that it reads as the main text of the page. " * 3


def _page(sentences: list[str]) -> bytes:
    paragraphs = "".join(f"<p>{n}. {s} {FILLER}</p>" for n, s in enumerate(sentences))
    return (
        "<html><head><meta charset='utf-8'><title>Invisible</title></head><body>"
        f"<article><h1>Invisible</h1>{paragraphs}</article></body></html>"
    ).encode()


@pytest.mark.parametrize("name", SENTENCES)
def test_meaningful_invisible_characters_are_kept(name):
    article = extract_article(
        _page(list(SENTENCES.values())), "https://e.example/a", source="s",
        fetched_at=datetime.now(UTC),
    )  # fmt: skip
    assert SENTENCES[name] in article.text


def test_soft_hyphens_and_bidi_overrides_still_go():
    # A soft hyphen only says where a line may break; U+202E reverses the text that follows
    # as displayed: a spoofing tool, not a letter.
    hyphenated = "Die Donau\u00addampf\u00adschiff\u00adfahrts\u00adgesellschaft fährt."
    spoof = "Invoice for \u202efdp.exe is attached."
    article = extract_article(
        _page([hyphenated, spoof]), "https://e.example/a", source="s",
        fetched_at=datetime.now(UTC),
    )  # fmt: skip
    assert "Die Donaudampfschifffahrtsgesellschaft fährt." in article.text
    assert "Invoice for fdp.exe is attached." in article.text
