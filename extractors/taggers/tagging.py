"""Runs every tagger on an article: one interface, one registry, failures contained per tagger.

A tagger (extractors.taggers.tagger.Tagger) is a module exposing `NAME`, `VERSION` and
`tag(article, context)`. Taggers run in registry order, each after the context has
learnt what the ones before found: `language` runs first, so the others read the
detected language. `tagger_versions()` is what the pipeline compares to find articles to
re-tag.
"""

from __future__ import annotations

import logging

from extractors.article.version import EXTRACTION, EXTRACTOR_VERSION
from extractors.taggers import categories, entities, keywords, language, topics
from extractors.taggers.tagger import TagContext, Tagger, declared_language
from extractors.taggers.topics_file import Topics
from newsflow.models import Article, Tag

log = logging.getLogger(__name__)

# A 2 MB page (a forum dump, a mis-extracted archive) must not cost minutes: taggers see
# at most this many characters. Real articles are 2-30 kB.
MAX_TAG_CHARS = 200_000

TAGGERS: tuple[Tagger, ...] = (language, entities, keywords, topics, categories)


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
        context.learn(found)
    return tags


def tagger_versions() -> dict[str, str]:
    """Returns {tagger name: version} for every registered tagger, and the extraction's
    version: a new extraction changes the text every tagger read."""
    return {tagger.NAME: tagger.VERSION for tagger in TAGGERS} | {EXTRACTION: EXTRACTOR_VERSION}


def _context(article: Article, topics: Topics | None) -> TagContext:
    text = article.text or ""
    context = TagContext(url=article.url, text=text, language=declared_language(article),
                         topics=topics)  # fmt: skip
    if len(text) > MAX_TAG_CHARS:
        log.warning("text of %s is %d chars; tagging only the first %d", article.url, len(text),
                    MAX_TAG_CHARS)  # fmt: skip
        context.text, context.truncated = text[:MAX_TAG_CHARS], True
    return context


def _run(tagger: Tagger, article: Article, context: TagContext) -> list[Tag]:
    try:
        return list(tagger.tag(article, context))
    except Exception:
        # One tagger's bug (a model that fails on odd input) must not cost the article
        # the other taggers' tags, nor the run.
        log.exception("tagger %s failed on %s; it yields no tags", tagger.NAME, article.url)
        return []
