"""Keeps the invisible characters that carry meaning through trafilatura's sanitising.

trafilatura drops every character Python calls non-printable
(`trafilatura.utils.remove_control_characters`, one character at a time through
`return_printables_and_spaces`), and with them the format characters (Unicode category
Cf) that are part of the words: the ZWNJ of Persian "می‌خواهم" (without it "میخواهم",
a spelling mistake), the ZWJ and ZWNJ that choose Indic conjunct forms and join emoji
families (👨‍👩‍👧 falls apart into three faces), the bidi marks that keep numbers and Latin
words in place in Arabic and Hebrew text, emoji tag sequences (flags).

Still dropped: soft hyphens and word joiners, line-breaking hints that would only split
words for search ("candi\u00addature" on a corpus page would no longer match
"candidature"); bidi overrides and embeddings, which reorder text visibly (and spoof it).
"""

from __future__ import annotations

import functools

from trafilatura import utils as trafilatura_utils

MEANINGFUL = frozenset(
    "\u061c"  # Arabic letter mark
    "\u200c\u200d"  # zero width non-joiner, joiner
    "\u200e\u200f"  # left-to-right, right-to-left mark
)
_EMOJI_TAGS = ("\U000e0020", "\U000e007f")  # tag characters of subdivision flags


@functools.lru_cache(maxsize=2**14)
def printable_or_meaningful(char: str) -> str:
    """Returns the character if trafilatura's sanitiser should keep it, else ""."""
    if char.isprintable() or char.isspace() or char in MEANINGFUL:
        return char
    return char if _EMOJI_TAGS[0] <= char <= _EMOJI_TAGS[1] else ""


def keep_meaningful_invisibles() -> None:
    """Makes trafilatura's sanitiser keep MEANINGFUL characters; idempotent.

    trafilatura offers no option for it; `remove_control_characters` looks the
    per-character test up in its module at each call, so replacing that one function
    there is enough (tests/extractors/article/test_invisible.py fails if a trafilatura release
    moves it)."""
    trafilatura_utils.return_printables_and_spaces = printable_or_meaningful
