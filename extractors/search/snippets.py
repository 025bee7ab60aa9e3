"""Snippets for search results: the passage with the most matched words, words marked."""

from __future__ import annotations

from dataclasses import dataclass

from extractors.search.search_terms import WORD, Analyzer

WIDTH = 220  # characters of article shown per result
_LEAD = 40  # context kept before the first matched word
_MAX_SPANS = 500


@dataclass(frozen=True, slots=True)
class Snippet:
    """A passage of an article and the (start, end) spans of its matched words."""

    text: str
    marks: tuple[tuple[int, int], ...]

    def marked(self, before: str = "**", after: str = "**") -> str:
        """Returns the passage with each matched word between `before` and `after`."""
        out, last = [], 0
        for start, end in self.marks:
            out += [self.text[last:start], before, self.text[start:end], after]
            last = end
        return "".join(out) + self.text[last:]


def matched_spans(text: str, language: str | None, terms: set[str]) -> list[tuple[int, int]]:
    """Returns where the words whose terms are in `terms` stand in the text, merged."""
    analyzer, spans = Analyzer(language), []
    for match in WORD.finditer(text):
        for term in analyzer.word_terms(match.group()):
            if term.text in terms:
                spans.append((match.start() + term.start, match.start() + term.end))
        if len(spans) >= _MAX_SPANS:
            break
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # CJK bigrams overlap: 电影 + 影节 -> 电影节
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(text: str, language: str | None, terms: set[str], width: int = WIDTH) -> Snippet:
    """Returns the passage of about `width` characters with the most matched words."""
    spans = matched_spans(text, language, terms)
    start = _best_start(spans, width)
    end = min(len(text), start + width)
    if start > 0:  # begin and end on whole words
        space = text.rfind(" ", max(0, start - 15), start)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.find(" ", end, end + 15)
        end = space if space >= 0 else end
    prefix, suffix = ("…" if start > 0 else ""), ("…" if end < len(text) else "")
    passage = prefix + " ".join(text[start:end].split("\n")) + suffix
    shift = len(prefix) - start
    marks = tuple((a + shift, b + shift) for a, b in spans if a >= start and b <= end)
    return Snippet(passage, marks)


def _best_start(spans: list[tuple[int, int]], width: int) -> int:
    if not spans:
        return 0
    best, best_count = spans[0][0], 0
    for i, (anchor, _) in enumerate(spans):
        count = sum(1 for a, b in spans[i:] if b <= anchor - _LEAD + width)
        if count > best_count:
            best, best_count = anchor, count
    return max(0, best - _LEAD)
