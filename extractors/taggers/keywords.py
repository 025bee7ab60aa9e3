"""Keyword tagger: YAKE keyphrases in the article's language, without overlapping n-grams.

YAKE (Campos et al., Information Sciences 509, 2020) scores each word of one document by
its casing, position, frequency, spread over sentences and how many different words
surround it, then each candidate phrase by its words' scores. The yake package builds a
graph of objects for that and costs ~25 ms per kB here, four times an article's
extraction; the same statistics kept in a few dicts cost ~1 ms per kB. Candidates are
runs of 1-3 words inside one sentence between punctuation, with no stopword, number or
symbol; the stopword lists are yake's, with our supplement.
"""

from __future__ import annotations

import logging
import math
import re
import statistics
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from extractors.taggers.text import stopwords
from newsflow.models import Article, Tag

if TYPE_CHECKING:
    from extractors.taggers.tagger import TagContext

log = logging.getLogger(__name__)

NAME = "keywords"
VERSION = "2"

TOP = 10
MAX_NGRAM = 3
# The opening 30 kB (~5000 words) carry an article's keyphrases.
SAMPLE_CHARS = 30_000
# Longer "keyphrases" are unsegmented runs of Chinese or Japanese text, not phrases.
MAX_CHARS = 60
# Scripts written without spaces: words cannot be split without a segmenter.
UNSPACED = {"zh", "ja", "th", "lo", "km", "my", "wuu", "yue"}
_ELIDED = re.compile(r"^\w{1,3}['’]")
# The raw score is lower-is-better and unbounded; 1 / (1 + SCALE * raw) maps it to a
# 0..1 relevance that stays comparable across articles (raw 0.05 -> 0.5).
SCALE = 20.0

_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
# A word (letters, digits, inner hyphens/apostrophes/dots as in "U.S." or "d'Ivoire"),
# or one character of punctuation, which ends the run of words a phrase may span.
_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")


def extract_keywords(text: str, lang: str | None, top: int = TOP) -> list[tuple[str, float]]:
    """Returns up to `top` (lower-case keyphrase, relevance 0..1), best first, none overlapping."""
    if lang in UNSPACED:
        return []
    stop = stopwords((lang or "xx")[:2].lower())
    kept: list[tuple[tuple[str, ...], float]] = []
    for words, raw in _ranked_phrases(text[:SAMPLE_CHARS], stop):
        if not _acceptable(words) or any(_overlaps(words, k) for k, _ in kept):
            continue
        kept.append((words, 1.0 / (1.0 + SCALE * max(raw, 0.0))))
        if len(kept) == top:
            break
    return [(" ".join(words), round(score, 4)) for words, score in kept]


def tag(article: Article, context: TagContext) -> list[Tag]:
    """Returns the article's keyphrases as keyword tags."""
    found = extract_keywords(context.text, context.language)
    if not found:
        log.info("no keywords on %s", context.url)
    return [Tag("keyword", phrase, score, NAME, VERSION) for phrase, score in found]


class _Words:
    """Per-word counts over one document, as YAKE keeps them."""

    def __init__(self) -> None:
        self.tf: Counter[str] = Counter()
        self.cased: Counter[str] = Counter()  # acronym, or capitalised inside a sentence
        self.sentences: defaultdict[str, list[int]] = defaultdict(list)
        self.pairs: Counter[tuple[str, str]] = Counter()  # (word, the word after it)


def _ranked_phrases(text: str, stop: frozenset[str]) -> list[tuple[tuple[str, ...], float]]:
    """Returns every candidate phrase (lower-case words) with its YAKE score, best first."""
    stopped = _Stopped(stop)
    words, phrases, n_sentences = _count(text, stopped)
    h = _word_scores(words, stopped, n_sentences)
    ranked = []
    for phrase, tf in phrases.items():
        scores = [h[w] for w in phrase]
        ranked.append((phrase, math.prod(scores) / ((1.0 + sum(scores)) * tf)))
    ranked.sort(key=lambda item: item[1])
    return ranked


def _count(text: str, stopped: _Stopped) -> tuple[_Words, Counter, int]:
    # The hottest loop of tagging: plain dict lookups, each token's class decided once.
    words, phrases = _Words(), Counter()
    tf, cased, pairs, where = words.tf, words.cased, words.pairs, words.sentences
    is_word = _WordTokens()
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    for n, sentence in enumerate(sentences):
        run: tuple[str, ...] = ()  # the current run of candidate words, at most MAX_NGRAM
        previous = None  # the word before, within the same stretch between punctuation
        for i, token in enumerate(_TOKEN.findall(sentence)):
            if not is_word[token]:
                run, previous = (), None
                continue
            word = token.lower()
            tf[word] = tf.get(word, 0) + 1
            where[word].append(n)
            if token.isupper() or (i and token[0].isupper()):
                cased[word] = cased.get(word, 0) + 1
            if previous is not None:
                pair = (previous, word)
                pairs[pair] = pairs.get(pair, 0) + 1
            previous = word
            if stopped[word]:
                run = ()
                continue
            run = (*run[1 - MAX_NGRAM :], word)
            for k in range(1, len(run) + 1):
                phrase = run[-k:]
                phrases[phrase] = phrases.get(phrase, 0) + 1
    return words, phrases, max(len(sentences), 1)


def _word_scores(words: _Words, stopped: _Stopped, n_sentences: int) -> dict[str, float]:
    """Returns YAKE's H of every word: lower is more important."""
    valid = [tf for w, tf in words.tf.items() if not stopped[w]]
    if not valid:
        return {}
    norm = statistics.fmean(valid) + statistics.pstdev(valid)
    max_tf = max(words.tf.values())
    # Different neighbours per occurrence, on each side: a word found beside many
    # different words ("year", "people") is generic; one with steady neighbours is not.
    sides = ({}, {})  # per side (0: left, 1: right): word -> [different, occurrences]
    for (left, right), count in words.pairs.items():
        for side, word in ((1, left), (0, right)):
            seen = sides[side].get(word)
            if seen is None:
                sides[side][word] = [1, count]
            else:
                seen[0] += 1
                seen[1] += count
    h = {}
    log, cased = math.log, words.cased
    for word, tf in words.tf.items():
        spread = 0.0
        for side in sides:
            if (seen := side.get(word)) is not None:
                spread += seen[0] / seen[1]
        rel = 1.0 + spread * tf / max_tf
        case = cased.get(word, 0) / (1.0 + log(tf))
        where = words.sentences[word]  # sentence numbers in order: the median is in place
        middle = len(where) // 2
        median = where[middle] if len(where) % 2 else (where[middle - 1] + where[middle]) / 2
        position = log(log(3.0 + median))
        sentences = len(set(where)) / n_sentences
        h[word] = position * rel / (case + tf / norm / rel + sentences / rel)
    return h


class _WordTokens(dict):
    """token -> is it keyword material; each distinct token of a document judged once."""

    def __missing__(self, token: str) -> bool:
        found = self[token] = _is_word(token)
        return found


class _Stopped(dict):
    """word -> is it a stopword; each word of a document checked once."""

    def __init__(self, stop: frozenset[str]) -> None:
        super().__init__()
        self.stop = stop

    def __missing__(self, word: str) -> bool:
        # An elided article or pronoun ("l'", "c’est") is a stopword; so is a word of one or
        # two letters, as in YAKE, which drops little but noise.
        found = len(word) < 3 or word in self.stop or _ELIDED.sub("", word) in self.stop
        self[word] = found
        return found


def _is_word(token: str) -> bool:
    # Numbers, symbols and letter-digit mixes ("COVID-19", "3pm") are not keyword material.
    return token.isalpha() or (
        any(ch.isalpha() for ch in token) and not any(ch.isdigit() for ch in token)
    )


def _acceptable(words: tuple[str, ...]) -> bool:
    return len(" ".join(words)) <= MAX_CHARS


def _overlaps(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when one phrase contains the other, or one's tail is the other's head."""
    short, long_ = sorted((a, b), key=len)
    n = len(short)
    if any(long_[i : i + n] == short for i in range(len(long_) - n + 1)):
        return True
    return any(a[-k:] == b[:k] or b[-k:] == a[:k] for k in range(1, n + 1))
