"""Topic tagger: the topics of topics.toml (extractors.taggers.topics_file) whose terms
the text uses, scored by density."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from extractors.taggers.text import find_words
from newsflow.models import Article, Tag

if TYPE_CHECKING:
    from extractors.taggers.tagger import TagContext

NAME = "topics"
VERSION = "1"

# Hits per 1000 words at which a topic scores 0.5.
HALF_DENSITY = 5.0


def tag(article: Article, context: TagContext) -> list[Tag]:
    """Returns one tag per configured topic the text mentions at least `min_hits` times."""
    if context.topics is None:
        return []
    hits: dict[str, Counter[str]] = {}
    for start, end, names in find_words(context.topics.automaton, context.text):
        surface = context.text[start:end].lower()
        for name in names:
            hits.setdefault(name, Counter())[surface] += 1
    words = max(len(context.text.split()), 1)
    tags = []
    for topic in context.topics.topics:
        found = hits.get(topic.name)
        if not found or found.total() < topic.min_hits:
            continue
        density = 1000.0 * found.total() / words
        score = round(density / (density + HALF_DENSITY), 4)
        surface = ", ".join(term for term, _ in found.most_common(3))
        tags.append(Tag("topic", topic.name, score, NAME, VERSION, surface=surface))
    return tags
