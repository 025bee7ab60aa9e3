"""What a tagger is: a module with `NAME`, `VERSION` and `tag(article, context)`, and the
context every tagger reads besides the article."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from extractors.article.page_meta import language_code
from newsflow.models import Article, Tag

if TYPE_CHECKING:
    from extractors.taggers.topics_file import Topics

# Declared codes that name the same language as py3langid's label under another code.
_DECLARED_ALIASES = {"nb": "no", "iw": "he", "in": "id", "ji": "yi", "fil": "tl"}


class Tagger(Protocol):
    """A tagger module. Bump VERSION whenever its output for the same text may change:
    stored articles tagged by an older version are re-tagged by `newsflow reextract`."""

    NAME: str
    VERSION: str

    def tag(self, article: Article, context: TagContext) -> list[Tag]: ...


@dataclass(slots=True)
class TagContext:
    """What every tagger may read besides the article: the (possibly truncated) text, the
    article's language (declared by the page until a tagger detects it), the topics."""

    url: str
    text: str
    language: str | None = None  # ISO 639-1
    topics: Topics | None = None
    truncated: bool = False

    def learn(self, tags: list[Tag]) -> None:
        """Takes in what a tagger found that later taggers read: a detected language."""
        detected = next((t.code for t in tags if t.kind == "language" and t.code), None)
        if detected:
            self.language = detected


def declared_language(article: Article) -> str | None:
    """Returns the page's declared language as a bare code ("en-GB" -> "en"), or None."""
    # Not strict: a feed's <language> reaches the article as the feed wrote it ("english").
    declared = language_code(article.language, strict=False)
    return _DECLARED_ALIASES.get(declared, declared)
