"""Language tagger: the language py3langid detects in the text, with its confidence."""

from __future__ import annotations

import functools
import logging
import re

from extractors.taggers.tagger import TagContext, declared_language
from newsflow.models import Article, Tag

log = logging.getLogger(__name__)

NAME = "language"
VERSION = "2"

# The first 3,000 characters decide the language as well as 20 kB do (the same code on
# every corpus page) at a third of the cost: py3langid walks the bytes in Python.
SAMPLE_CHARS = 3_000
# Below this normalised probability the guess is noise (featureless text scores ~1/140).
MIN_CONFIDENCE = 0.15
_NO_LANGUAGE = {"zxx", "und"}  # py3langid's "no linguistic content"
_LETTER = re.compile(r"[^\W\d_]")


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    # Loaded once per process: unpacking the model takes about two seconds.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float]:
    """Returns (ISO 639 code, probability 0..1), or (None, 0.0) when the text has no language."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample[:2000])) < 3:
        return None, 0.0
    code, confidence = _identifier().classify(sample)
    if code in _NO_LANGUAGE or confidence < MIN_CONFIDENCE:
        return None, float(confidence)
    return code, round(float(confidence), 4)


def tag(article: Article, context: TagContext) -> list[Tag]:
    """Returns one language tag, or none when the text shows no language."""
    code, confidence = detect_language(context.text)
    if code is None:
        log.info("no language detected on %s (confidence %.3f)", context.url, confidence)
        return []
    declared = declared_language(article)
    surface = None
    if declared and declared != code:
        # The detector wins, but the disagreement stays visible to analysts.
        surface = f"declared:{declared}"
        log.info("%s declares %r but reads as %r (%.2f)", context.url, declared, code, confidence)
    return [Tag("language", code, confidence, NAME, VERSION, code=code, surface=surface)]
