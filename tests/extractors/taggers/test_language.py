"""Language detection on the NATO story and real corpus pages; the declared-language check."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import trafilatura

from extractors.taggers.language import declared_language, detect_language, tag
from extractors.taggers.tagger import TagContext
from newsflow.models import Article
from tests.support.posts import NATO_TEXT

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def corpus_text(corpus_dir, name: str) -> str:
    html = (corpus_dir / "pages" / name).read_bytes()
    return trafilatura.extract(html, include_comments=False) or ""


def run(text: str, declared: str | None = None):
    article = Article("https://example.org/a", "test", text, "h", NOW, language=declared)
    return tag(article, TagContext(url=article.url, text=text))


def test_the_nato_story_is_indonesian():
    code, confidence = detect_language(NATO_TEXT)
    assert code == "id" and confidence > 0.5


@pytest.mark.parametrize(
    ("page", "lang"),
    [
        ("vancouversun.com.microsoft.html", "en"),
        ("www1.wdr.de-Correctiv-Recherche.html", "de"),
        ("regards.fr.enquetes.html", "fr"),
        ("clarin.com-albertofernandez.html", "es"),
    ],
)
def test_corpus_pages(page, lang, corpus_dir, pages_index):
    declared = {p["file"]: p["html_lang"] for p in pages_index}[page]
    assert declared == lang  # chosen by html_lang; the text agrees
    [found] = run(corpus_text(corpus_dir, page), declared)
    assert (found.kind, found.value, found.code, found.surface) == ("language", lang, lang, None)
    assert 0.5 < found.score <= 1.0


def test_disagreeing_declaration_is_kept_visible():
    [found] = run(NATO_TEXT, declared="en-US")
    assert found.value == "id" and found.surface == "declared:en"


@pytest.mark.parametrize(
    ("declared", "bare"),
    [("en-GB", "en"), ("pt_BR", "pt"), ("nb", "no"), ("", None), ("12", None), (None, None)],
)
def test_declared_language_is_normalised(declared, bare):
    assert declared_language(Article("u", "s", "t", "h", NOW, language=declared)) == bare


@pytest.mark.parametrize("text", ["", "12345 67 89", "☃★♞⚙✈☂☄☇☈" * 50])
def test_no_language_no_tag(text):
    assert detect_language(text)[0] is None
    assert run(text) == []
