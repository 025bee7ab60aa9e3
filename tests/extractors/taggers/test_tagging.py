"""The tagging interface: registry, versions, failure isolation, and inputs that must not hurt."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from extractors.taggers import tagging
from extractors.taggers.tagger import TagContext
from extractors.taggers.tagging import TAGGERS, tag_article, tagger_versions
from extractors.taggers.topics_file import load_topics
from newsflow.models import Article, Tag
from tests.support import REPO
from tests.support.posts import NATO_TEXT

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def article(text: str, url: str = "https://example.org/a", language: str | None = None) -> Article:
    return Article(url, "test", text, "hash", NOW, language=language)


@pytest.fixture(scope="module")
def nato_tags() -> list[Tag]:
    return tag_article(article(NATO_TEXT, language="id"))


def test_every_tagger_tags_under_its_own_name_version_and_kinds():
    story = article(NATO_TEXT, language="id")
    story.categories = ("NATO", "Rusia")  # as the page's labels or the feed declare them
    topics = load_topics(REPO / "topics.toml")
    kinds = {}
    for tagger in TAGGERS:
        context = TagContext(url=story.url, text=NATO_TEXT, language="id", topics=topics)
        found = tagger.tag(story, context)
        assert found, f"tagger {tagger.NAME} found nothing in the NATO story"
        assert {(t.tagger, t.tagger_version) for t in found} == {(tagger.NAME, tagger.VERSION)}
        assert all(isinstance(t, Tag) and t.value for t in found)
        kinds[tagger.NAME] = {t.kind for t in found}
    assert kinds == {
        "language": {"language"},
        "entities": {"org", "person", "place"},
        "keywords": {"keyword"},
        "topics": {"topic"},
        "categories": {"category"},
    }


def test_later_taggers_read_the_detected_language_not_the_declared_one():
    # The page says English; the text is Indonesian. Keywords read with English stop
    # words would keep "dan" and "yang": they must get the language tagger's answer.
    tags = tag_article(article(NATO_TEXT, language="en-US"))
    assert ("language", "id") in {(t.kind, t.value) for t in tags}
    keywords = {t.value for t in tags if t.kind == "keyword"}
    assert "kementerian luar negeri" in keywords
    assert not {"dan", "yang", "untuk"} & keywords


def test_tagger_versions_names_every_tagger():
    versions = tagger_versions()
    assert list(versions) == ["language", "entities", "keywords", "topics", "categories",
                             "extraction"]  # fmt: skip
    assert all(isinstance(v, str) and v for v in versions.values())


def test_tags_carry_their_tagger_and_version(nato_tags):
    versions = tagger_versions()
    assert nato_tags
    assert all(versions[t.tagger] == t.tagger_version for t in nato_tags)
    assert all(0.0 <= t.score <= 1.0 for t in nato_tags)


def test_the_nato_story_s_tags(nato_tags):
    got = {(t.kind, t.value, t.code) for t in nato_tags}
    assert ("language", "id", "id") in got
    assert ("org", "NATO", "NATO") in got
    assert ("person", "Jens Stoltenberg", "Jens Stoltenberg") in got
    for value, code in [
        ("Russia", "RU"),
        ("Ukraine", "UA"),
        ("Georgia", "GE"),
        ("Moldova", "MD"),
        ("Brussels", "BE:Brussels"),
    ]:
        assert ("place", value, code) in got
    keywords = [t.value for t in nato_tags if t.kind == "keyword"]
    assert any("nato" in k for k in keywords) and any("rusia" in k for k in keywords)


def test_primary_key_is_unique_per_article(nato_tags):
    keys = [(t.kind, t.value, t.tagger) for t in nato_tags]
    assert len(keys) == len(set(keys))  # tags.PRIMARY KEY (url, kind, value, tagger)


def test_a_failing_tagger_yields_nothing_and_is_logged(caplog):
    def explode(article, context):
        raise RuntimeError("model file corrupt")

    broken = SimpleNamespace(NAME="broken", VERSION="0", tag=explode)
    with caplog.at_level(logging.ERROR, logger="extractors.taggers.tagging"):
        tags = tag_article(
            article("NATO dan Rusia bertemu di Brussel."), taggers=(broken, *TAGGERS)
        )
    assert {t.tagger for t in tags} >= {"language", "entities"}
    assert "broken" in caplog.text and "https://example.org/a" in caplog.text


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_text_yields_no_tags(text):
    assert tag_article(article(text)) == []


def test_unknown_script_yields_no_language_and_no_crash():
    rng = random.Random(7)
    symbols = "".join(chr(rng.randrange(0x2600, 0x27BF)) for _ in range(3000))
    tags = tag_article(article(symbols))
    assert not [t for t in tags if t.kind in ("language", "person", "org", "place")]


def test_two_megabyte_text_is_truncated_and_tagged(caplog):
    text = (NATO_TEXT + "\n") * (2_000_000 // len(NATO_TEXT) + 1)
    assert len(text) > 2_000_000
    with caplog.at_level(logging.WARNING, logger="extractors.taggers.tagging"):
        tags = tag_article(article(text, url="https://example.org/huge"))
    assert "https://example.org/huge" in caplog.text and str(tagging.MAX_TAG_CHARS) in caplog.text
    assert ("language", "id") in {(t.kind, t.value) for t in tags}


def test_two_megabytes_without_a_sentence_does_not_hurt():
    rng = random.Random(3)
    text = "".join(rng.choice("abcdefghij KLMNOP") for _ in range(2_100_000))
    tags = tag_article(article(text))
    assert len([t for t in tags if t.kind == "keyword"]) <= 10
