"""Turns text into search terms, the same way for an article and for a query.

DuckDB's fts tokeniser keeps only ASCII letters (its default `ignore` pattern drops
everything else) and stems with one language for the whole index. Our sources write in
Indonesian, German, Polish, Arabic, Chinese..., so terms are made here and fts indexes
them as they are (`stemmer='none'`, whitespace the only separator):

1. words are runs of Unicode letters and digits (combining marks stay inside a word);
2. each word is case-folded and its accents removed ("Brüssel" -> "brussel");
3. it is stemmed with the Snowball stemmer of the article's language, where one exists;
4. Chinese, Japanese and Korean runs, written without spaces, become overlapping
   character bigrams ("北京大学" -> "北京 京大 大学"), so a two-character word is found
   wherever it stands.

A query has no reliable language: each word is stemmed by every candidate language's
stemmer and any of the variants matches (`query_words`).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass

import Stemmer

# Bump when terms for the same text may change: the search index is then rebuilt.
ANALYZER_VERSION = "1"

# ISO 639-1 -> Snowball algorithm (PyStemmer's names). Malay is close enough to Indonesian.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ms": "indonesian", "ga": "irish", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "nn": "norwegian", "fa": "persian", "pl": "polish", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "st": "sesotho", "es": "spanish", "sv": "swedish",
    "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip

# Longest text indexed per article: past this, a mis-extracted dump adds noise, not recall.
MAX_INDEX_CHARS = 200_000
_CACHE_LIMIT = 300_000


def _mark_class() -> str:
    """Returns a regex class body of every combining mark (Mn, Mc, Me) in the BMP."""
    ranges, start, previous = [], None, None
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)).startswith("M"):
            if start is None:
                start = code
            previous = code
        elif start is not None:
            ranges.append((start, previous))
            start = None
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in ranges)


# A word: letters and digits, with the marks that belong to them (Arabic vowel signs,
# decomposed accents, Devanagari matras) kept inside rather than splitting the word.
WORD = re.compile(rf"(?:[^\W_]|[{_mark_class()}])+")
# Scripts written without spaces between words: searched by character bigrams.
_CJK = re.compile(
    "([\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]+)"
)


def fold(word: str) -> str:
    """Returns the word case-folded, without accents or other combining marks."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def stemmer_language(language: str | None) -> str | None:
    """Returns the Snowball algorithm for an ISO 639-1 code, None when there is none."""
    return SNOWBALL.get((language or "").lower().split("-")[0])


@dataclass(frozen=True, slots=True)
class Term:
    """One search term and where it came from in the word (for marking snippets)."""

    text: str
    start: int  # offsets in the word as written; a whole word is (0, len(word))
    end: int


class Analyzer:
    """Makes the terms of words in one language; remembers words it has seen."""

    def __init__(self, language: str | None):
        algorithm = stemmer_language(language)
        self.language = language
        self._stem = Stemmer.Stemmer(algorithm).stemWord if algorithm else None
        self._cache: dict[str, tuple[Term, ...]] = {}

    def word_terms(self, word: str) -> tuple[Term, ...]:
        """Returns the terms of one word as written."""
        found = self._cache.get(word)
        if found is None:
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            found = self._cache[word] = self._terms(word)
        return found

    def terms(self, text: str) -> list[str]:
        """Returns the terms of a text, in order."""
        out: list[str] = []
        for word in WORD.findall(text[:MAX_INDEX_CHARS]):
            out.extend(t.text for t in self.word_terms(word))
        return out

    def _terms(self, word: str) -> tuple[Term, ...]:
        folded = fold(word)
        if not _CJK.search(folded):
            return (Term(self._stemmed(folded), 0, len(word)),) if folded else ()
        aligned = len(folded) == len(word)  # offsets of bigrams map back to the word
        terms, offset = [], 0
        for part in _CJK.split(folded):
            if not part:
                continue
            if _CJK.fullmatch(part):
                for i, gram in enumerate(_bigrams(part)):
                    start = offset + i if aligned else 0
                    end = start + len(gram) if aligned else len(word)
                    terms.append(Term(gram, start, end))
            else:
                for sub in WORD.findall(part):
                    terms.append(Term(self._stemmed(sub), 0, len(word)))
            offset += len(part)
        return tuple(terms)

    def _stemmed(self, folded: str) -> str:
        return sys.intern(self._stem(folded)) if self._stem else folded


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) < 2 else [run[i : i + 2] for i in range(len(run) - 1)]


def document_terms(text: str, language: str | None, analyzer: Analyzer | None = None) -> str:
    """Returns the text as the space-separated terms the search index holds."""
    return " ".join((analyzer or Analyzer(language)).terms(text))


@dataclass(frozen=True, slots=True)
class QueryWord:
    """A word of the query as typed, and the terms any of which matches it."""

    word: str
    variants: tuple[str, ...]


def query_words(query: str, languages: list[str | None]) -> list[QueryWord]:
    """Returns each word of the query with its terms under every candidate language.

    Chinese, Japanese and Korean words give one QueryWord per bigram.
    """
    analyzers = [Analyzer(lang) for lang in dict.fromkeys([*languages, None])]
    words: list[QueryWord] = []
    for word in WORD.findall(query):
        per_language = [a.word_terms(word) for a in analyzers]
        for position in range(max(len(t) for t in per_language)):
            variants = {t[position].text for t in per_language if position < len(t)}
            label = word if len(per_language[-1]) == 1 else per_language[-1][position].text
            words.append(QueryWord(label, tuple(sorted(variants))))
    return words
