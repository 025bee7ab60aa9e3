"""Text helpers every tagger may share: case folding that keeps offsets, whole-word
matching of many terms at once (Aho-Corasick), and stop words per language."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator
from importlib import resources
from typing import Any

import ahocorasick

# yake names a few stopword files by country, not language.
_YAKE_FILE = {"cs": "cz"}


def build_automaton(entries: list[tuple[str, Any]]) -> ahocorasick.Automaton:
    """Returns an automaton over the case-folded terms; each value lists its terms' payloads.

    A value is (length, left boundary needed, right boundary needed, [payload, ...]).
    """
    automaton = ahocorasick.Automaton()
    for term, payload in entries:
        key = fold(term.strip().strip("*"))
        if not key:
            continue
        left, right = not term.startswith("*"), not term.endswith("*")
        if _unspaced_script(key[0]):  # Chinese, Japanese, Thai: words are not spaced
            left = right = False
        old = automaton.get(key, None)
        payloads = old[3] if old else []
        if payload not in payloads:
            payloads.append(payload)
        automaton.add_word(key, (len(key), left, right, payloads))
    if len(automaton):
        automaton.make_automaton()
    return automaton


def find_words(automaton: ahocorasick.Automaton, text: str) -> Iterator[tuple[int, int, list]]:
    """Yields (start, end, payloads) of the longest non-overlapping whole-word matches."""
    if automaton.kind != ahocorasick.AHOCORASICK or not text:
        return
    folded = fold(text)
    matches = []
    for last, (length, left, right, payloads) in automaton.iter(folded):
        start, end = last - length + 1, last + 1
        if left and start > 0 and folded[start - 1].isalnum():
            continue
        if right and end < len(folded) and folded[end].isalnum():
            continue
        matches.append((start, -end, payloads))
    taken_to = 0
    for start, neg_end, payloads in sorted(matches):
        if start >= taken_to:
            taken_to = -neg_end
            yield start, -neg_end, payloads


def fold(text: str) -> str:
    """Returns `text` lower-cased character by character, so offsets stay those of `text`."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters grow when lower-cased ("İ" -> "i̇"); keep those as they are.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _unspaced_script(ch: str) -> bool:
    code = ord(ch)
    return 0x0E00 <= code <= 0x0EFF or 0x3040 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF


@functools.cache
def stopwords(lang: str | None) -> frozenset[str]:
    """Returns the lower-case stopwords of `lang`: yake's list plus our supplement."""
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
    data = resources.files("extractors.taggers") / "data" / "stopwords_extra.toml"
    return tomllib.loads(data.read_text(encoding="utf-8"))
