"""Runs every tagger on an article: one interface, one registry, failures contained per tagger.

A tagger is a module exposing `NAME`, `VERSION` and `tag(article, context) -> list[Tag]`.
Taggers run in registry order; `language` runs first so the others can read
`context.language`. Bump a tagger's VERSION whenever its output for the same text may
change: `tagger_versions()` is what the pipeline compares to find articles to re-tag.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType

from extractors import entities, keywords, language, topics
from extractors.topics import Topics
from newsflow.models import Article, Tag

log = logging.getLogger(__name__)

# A 2 MB page (a forum dump, a mis-extracted archive) must not cost minutes: taggers see
# at most this many characters. Real articles are 2-30 kB.
MAX_TAG_CHARS = 200_000

TAGGERS: tuple[ModuleType, ...] = (language, entities, keywords, topics)


@dataclass(slots=True)
class TagContext:
    """What every tagger may read besides the article: the (possibly truncated) text,
    the language detected so far, and the configured topics."""

    url: str
    text: str
    language: str | None = None  # detected (or, failing that, declared) ISO 639-1 code
    topics: Topics | None = None
    truncated: bool = False


def tag_article(
    article: Article, topics: Topics | None = None, *, taggers: tuple = TAGGERS
) -> list[Tag]:
    """Returns the tags of every tagger for `article`; a failing tagger contributes none."""
    context = _context(article, topics)
    if not context.text.strip():
        log.info("no text to tag on %s", article.url)
        return []
    tags: list[Tag] = []
    for tagger in taggers:
        found = _run(tagger, article, context)
        tags.extend(found)
        if tagger is language:
            context.language = _language_of(found) or language.declared_language(article)
    return tags


def tagger_versions() -> dict[str, str]:
    """Returns {tagger name: version} for every registered tagger."""
    return {tagger.NAME: tagger.VERSION for tagger in TAGGERS}


def _context(article: Article, topics: Topics | None) -> TagContext:
    text = article.text or ""
    if len(text) <= MAX_TAG_CHARS:
        return TagContext(url=article.url, text=text, topics=topics)
    log.warning(
        "text of %s is %d chars; tagging only the first %d", article.url, len(text), MAX_TAG_CHARS
    )
    return TagContext(url=article.url, text=text[:MAX_TAG_CHARS], topics=topics, truncated=True)


def _run(tagger: ModuleType, article: Article, context: TagContext) -> list[Tag]:
    try:
        return list(tagger.tag(article, context))
    except Exception:
        # One tagger's bug (a model that fails on odd input) must not cost the article
        # the other taggers' tags, nor the run.
        log.exception("tagger %s failed on %s; it yields no tags", tagger.NAME, article.url)
        return []


def _language_of(tags: list[Tag]) -> str | None:
    return next((t.code for t in tags if t.kind == "language"), None)
