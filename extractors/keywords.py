"""Keyword tagger: YAKE keyphrases in the article's language, without overlapping n-grams."""

from __future__ import annotations

import functools
import logging
import re
import tomllib
from importlib import resources
from typing import TYPE_CHECKING

from newsflow.models import Article, Tag

if TYPE_CHECKING:
    from extractors.tagging import TagContext

log = logging.getLogger(__name__)

NAME = "keywords"
VERSION = "1"

TOP = 10
# YAKE is asked for more than TOP because de-duplication and the stopword filter drop many.
CANDIDATES = 40
MAX_NGRAM = 3
# YAKE costs ~15 ms per kB; the opening 30 kB (~5000 words) carry an article's keyphrases.
SAMPLE_CHARS = 30_000
# Longer "keyphrases" are unsegmented runs of Chinese or Japanese text, not phrases.
MAX_CHARS = 60
# Scripts written without spaces: YAKE cannot split them into words without a segmenter.
UNSPACED = {"zh", "ja", "th", "lo", "km", "my", "wuu", "yue"}
_ELIDED = re.compile(r"^\w{1,3}['’]")
# YAKE names a few stopword files by country, not language.
_YAKE_FILE = {"cs": "cz"}
# YAKE's raw score is lower-is-better and unbounded; 1 / (1 + SCALE * raw) maps it to a
# 0..1 relevance that stays comparable across articles (raw 0.05 -> 0.5).
SCALE = 20.0


@functools.cache
def stopwords(lang: str | None) -> frozenset[str]:
    """Returns the lower-case stopwords of `lang`: YAKE's list plus our supplement."""
    code = (lang or "")[:2].lower()
    folder = resources.files("yake") / "core" / "StopwordsList"
    path = folder / f"stopwords_{_YAKE_FILE.get(code, code)}.txt"
    words = set()
    if path.is_file():
        words.update(path.read_text(encoding="utf-8", errors="replace").lower().split())
    words.update(_supplement().get(code, ()))
    return frozenset(w for w in words if not w.startswith("#"))


@functools.cache
def _supplement() -> dict[str, list[str]]:
    data = resources.files("extractors") / "data" / "stopwords_extra.toml"
    return tomllib.loads(data.read_text(encoding="utf-8"))


@functools.cache
def _extractor(lang: str):
    import yake

    # One extractor per language per process, given our stopwords so that YAKE never
    # builds candidates around them.
    return yake.KeywordExtractor(
        lan=lang, n=MAX_NGRAM, top=CANDIDATES, dedup_lim=0.9, stopwords=stopwords(lang)
    )


def extract_keywords(text: str, lang: str | None, top: int = TOP) -> list[tuple[str, float]]:
    """Returns up to `top` (lower-case keyphrase, relevance 0..1), best first, none overlapping."""
    if lang in UNSPACED:
        return []
    lang = (lang or "xx")[:2].lower()
    stop = stopwords(lang)
    kept: list[tuple[tuple[str, ...], float]] = []
    for phrase, raw in _extractor(lang).extract_keywords(text[:SAMPLE_CHARS]):
        words = tuple(phrase.lower().split())
        if not _acceptable(words, stop) or any(_overlaps(words, k) for k, _ in kept):
            continue
        kept.append((words, 1.0 / (1.0 + SCALE * max(float(raw), 0.0))))
        if len(kept) == top:
            break
    return [(" ".join(words), round(score, 4)) for words, score in kept]


def tag(article: Article, context: TagContext) -> list[Tag]:
    """Returns the article's keyphrases as keyword tags."""
    found = extract_keywords(context.text, context.language)
    if not found:
        log.info("no keywords on %s", context.url)
    return [Tag("keyword", phrase, score, NAME, VERSION) for phrase, score in found]


def _acceptable(words: tuple[str, ...], stop: frozenset[str]) -> bool:
    # A stopword inside a phrase ("brussel pada hari") makes a fragment, not a keyphrase;
    # so does an elided one ("c’est", "j’ai"); a phrase without letters is a symbol run.
    if not words or any(w in stop or _ELIDED.sub("", w) in stop for w in words):
        return False
    return any(ch.isalpha() for ch in "".join(words)) and len(" ".join(words)) <= MAX_CHARS


def _overlaps(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when one phrase contains the other, or one's tail is the other's head."""
    short, long_ = sorted((a, b), key=len)
    n = len(short)
    if any(long_[i : i + n] == short for i in range(len(long_) - n + 1)):
        return True
    return any(a[-k:] == b[:k] or b[-k:] == a[:k] for k in range(1, n + 1))
