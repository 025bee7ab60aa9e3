"""Which character encoding a document's bytes are in, and how that was decided.

Shared by the stages that read text (pages in extractors/, feeds in fetchers/) so both
decide the same way. The rules, in order:

1. A byte-order mark decides.
2. UTF-8: bytes that decode as UTF-8 are UTF-8, whatever was declared. A body with a few
   bad bytes among many good multibyte sequences is UTF-8 too: the bad bytes become
   U+FFFD, the rest of the page is kept (a detector would pick a look-alike code page and
   garble every accented letter instead).
3. Otherwise a legacy encoding: the declared one, then those the page's language suggests,
   then windows-1252, then what charset_normalizer detects, each only when it decodes
   and its letters look like text (`oddities`): words of Latin letters made only of
   accented ones, symbols inside words, case flipping mid-word or scripts mixed in a
   word are what a wrong code page produces.

`Decoded.label` says what was chosen and why, e.g. "windows-1252 (guessed)" or
"utf-8 (declared, 2 bad bytes replaced)": it is stored with the page.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes

_DETECT_BYTES = 200_000
_SCORED_WORDS = 4_000  # words with non-ASCII letters looked at: plenty to judge a code page
_ODDITY_SHARE = 0.03  # odd words per word with non-ASCII letters a right decoding stays under
_GOOD_PER_BAD = 4  # good multibyte UTF-8 bytes per bad byte for "UTF-8 with a few bad bytes"

# WHATWG's encoding standard: browsers read these labels as their supersets.
_SUPERSETS = {
    "ascii": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
# Code pages a page's language makes likely (Western languages: windows-1252, the default).
_BY_LANGUAGE = {
    **dict.fromkeys(("pl", "cs", "sk", "hu", "sl", "hr", "bs", "ro"), ("cp1250", "iso8859-2")),
    **dict.fromkeys(("ru", "bg", "sr", "mk", "be", "kk"), ("cp1251", "koi8-r", "iso8859-5")),
    "uk": ("cp1251", "koi8-u"),
    "el": ("cp1253", "iso8859-7"),
    **dict.fromkeys(("tr", "az"), ("cp1254",)),
    **dict.fromkeys(("he", "yi"), ("cp1255", "iso8859-8")),
    **dict.fromkeys(("ar", "fa", "ur"), ("cp1256", "iso8859-6")),
    **dict.fromkeys(("lt", "lv", "et"), ("cp1257", "iso8859-13")),
    "vi": ("cp1258",),
    "th": ("cp874",),
    "ja": ("cp932", "euc_jp", "iso2022_jp"),
    "zh": ("gb18030", "big5"),
    "ko": ("cp949",),
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WORD_WITH_NON_ASCII = re.compile(r"[^\s<>\"'=/]*[^\x00-\x7f][^\s<>\"'=/]*")
_BAD_UTF8 = re.compile(r"[\udc80-\udcff]")
_CODE_PAGE_SYMBOLS = frozenset(
    "\u00a1\u00a2\u00a3\u00a4\u00a5\u00a6\u00a7\u00a8\u00a9\u00aa\u00ab\u00ac\u00ae\u00af"
    "\u00b0\u00b1\u00b2\u00b3\u00b4\u00b5\u00b6\u00b8\u00b9\u00ba\u00bb\u00bc\u00bd\u00be"
    "\u00bf\u00d7\u00f7\u0192\u201a\u201e\u2020\u2021\u02c6\u2030\u2039\u203a\u02dc\u2122"
    "\u02c7\u02d8\u02db\u02dd\u02d9"
)
_ALPHABETS = ("LATIN", "CYRILLIC", "GREEK", "HEBREW", "ARABIC", "THAI", "ARMENIAN", "GEORGIAN")


@dataclass(frozen=True, slots=True)
class Decoded:
    """A document's text, the codec that produced it, and how that codec was chosen."""

    text: str
    codec: str  # a Python codec name
    how: str  # "declared", "guessed", "detected", "byte-order mark", ...

    @property
    def label(self) -> str:
        """Returns e.g. "windows-1251 (guessed from lang=ru)", as stored with the page."""
        return f"{display_name(self.codec)} ({self.how})"


def normalise(label: str | None) -> str | None:
    """Returns the codec a declared charset label means (as browsers read it), or None."""
    try:
        name = codecs.lookup((label or "").strip()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def display_name(codec: str) -> str:
    """Returns the usual web name of a codec: "windows-1252", "iso-8859-2", "shift_jis"."""
    name = codecs.lookup(codec).name
    if name == "cp932":
        return "shift_jis"
    if re.fullmatch(r"cp12\d\d", name):
        return "windows-" + name[2:]
    return name.replace("iso8859", "iso-8859").replace("_", "-").replace("utf-8-sig", "utf-8")


def decode_text(body: bytes, declared: list[str | None], language: str | None = None) -> Decoded:
    """Returns the body decoded by the rules above; `declared` lists charset labels in order
    of authority (HTTP header, then the document's own), `language` an ISO 639 code."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(codec, errors="replace"), codec, "byte-order mark")
    labels = [c for c in dict.fromkeys(normalise(d) for d in declared if d) if c]
    if b"\x00" not in body[:1024]:  # a UTF-16/32 label on 8-bit bytes (WHATWG: read as UTF-8)
        labels = [c for c in labels if not c.startswith(("utf-16", "utf-32"))]
    utf8 = _as_utf8(body, labels)
    if utf8 is not None:
        return utf8
    return _legacy(body, [c for c in labels if c != "utf-8"], labels, language)


def _as_utf8(body: bytes, labels: list[str]) -> Decoded | None:
    """Returns the body as UTF-8 when it is UTF-8, perhaps with a few bad bytes; else None."""
    try:  # most pages are valid UTF-8: the strict decoder says so in one pass
        text, bad = body.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = body.decode("utf-8", errors="surrogateescape")
        bad = len(_BAD_UTF8.findall(text))
    if bad == 0 and body.isascii():  # 7-bit: every ASCII-based label reads it alike
        return _seven_bit(body, text, labels)
    how = "declared" if labels[:1] == ["utf-8"] else "detected"
    if labels and labels[0] != "utf-8":
        how += f", declared {display_name(labels[0])} does not fit"
    if bad == 0:
        return Decoded(text, "utf-8", how)
    good = len(body.translate(None, bytes(range(128)))) - bad  # bytes of valid sequences
    if good >= _GOOD_PER_BAD * bad:
        replaced = body.decode("utf-8", errors="replace")
        return Decoded(replaced, "utf-8", f"{how}, {bad} bad byte{'s' * (bad > 1)} replaced")
    return None


def _seven_bit(body: bytes, text: str, labels: list[str]) -> Decoded | None:
    if labels:
        try:  # ISO-2022-JP is 7-bit too: its escapes mean something only to its codec
            return Decoded(body.decode(labels[0]), labels[0], "declared")
        except UnicodeDecodeError:
            pass
    if b"\x1b$" in body or b"\x1b(" in body:
        return None  # undeclared ISO-2022: left to detection
    return Decoded(text, "utf-8", "declared" if labels[:1] == ["utf-8"] else "detected")


def _legacy(body: bytes, declared: list[str], labels: list[str], language: str | None) -> Decoded:
    """Returns the body in the first plausible legacy encoding (see the module docstring)."""
    seen, scored = set(), []
    for codec, how in _candidates(body, declared, language):
        name = _codec_name(codec)
        if name is None or name in seen:
            continue
        seen.add(name)
        try:
            text = body.decode(name)
        except UnicodeDecodeError:
            continue
        odd = oddity_share(text)
        if odd <= _ODDITY_SHARE:
            return Decoded(text, name, _note(how, labels, name))
        scored.append((odd, name, text))
    if scored:  # nothing looks right: the least odd of those that decode
        odd, name, text = min(scored, key=lambda s: s[0])
        return Decoded(text, name, _note("guessed, doubtful", labels, name))
    return Decoded(body.decode("cp1252", errors="replace"), "cp1252", "guessed, bytes replaced")


def _note(how: str, labels: list[str], chosen: str) -> str:
    wrong = [display_name(c) for c in labels if c != chosen]
    return f"{how}, declared {wrong[0]} does not fit" if wrong and how != "declared" else how


def _codec_name(codec: str) -> str | None:
    try:
        return codecs.lookup(codec).name
    except LookupError:
        return None


def _candidates(body: bytes, declared: list[str], language: str | None):
    """Yields (codec, how it came up) in the order they are tried; detection, the costly
    one, only when everything before it failed."""
    yield from ((c, "declared") for c in declared)
    yield from ((c, f"guessed from lang={language}") for c in _BY_LANGUAGE.get(language or "", ()))
    yield "cp1252", "guessed"
    yield from ((m.encoding, "detected") for m in from_bytes(body[:_DETECT_BYTES]))


def oddity_share(text: str) -> float:
    """Returns the share of words with non-ASCII letters that look like mojibake (0..1)."""
    words = odd = 0
    for match in _WORD_WITH_NON_ASCII.finditer(text):
        word = match.group()
        if not any(ch.isalpha() and ord(ch) > 127 for ch in word):
            if any(_is_junk(ch) for ch in word):
                odd += 1
                words += 1
            continue
        words += 1
        odd += _odd_word(word)
        if words >= _SCORED_WORDS:
            break
    return odd / words if words else 0.0


def _is_junk(ch: str) -> bool:
    # C1 controls and replacement characters are never text.
    return "\x80" <= ch <= "\x9f" or ch == "\ufffd" or unicodedata.category(ch) == "Co"


def _odd_word(word: str) -> bool:
    """Returns whether one word looks like the product of a wrong code page."""
    letters = [ch for ch in word if ch.isalpha()]
    if any(_is_junk(ch) for ch in word):
        return True
    scripts = {_script(ch) for ch in letters if ord(ch) > 127} | (
        {"LATIN"} if any(ch.isascii() for ch in letters) else set()
    )
    if len(scripts & set(_ALPHABETS)) > 1:
        return True  # "иtИ": Latin and Cyrillic in one word
    if len(letters) >= 3 and scripts == {"LATIN"} and all(ord(ch) > 127 for ch in letters):
        return True  # "Ïðèâåò": every letter accented, as Cyrillic read as Latin-1 comes out
    for before, ch, after in zip(word, word[1:], word[2:], strict=False):
        if before.isalpha() and after.isalpha() and not ch.isalpha() and _odd_inside(ch):
            return True  # "Za¿ó³æ": a symbol between two letters
    if len(letters) >= 4 and all(ch.isupper() for ch in letters):
        return True  # "ПВЯСЧЙМП": KOI8-R read as windows-1251 is in capitals (and vice versa)
    return any(
        a.islower() and b.isupper() and (ord(a) > 127 or ord(b) > 127)
        for a, b in zip(letters, letters[1:], strict=False)
    )  # "рТЙЧЕФ": case flipping mid-word


def _odd_inside(ch: str) -> bool:
    # The symbols of the Latin-1 and windows-125x upper halves: a wrong code page puts them
    # between letters ("Za¿ó³æ"); typographic marks ("l’été", "a·b") and CJK punctuation
    # legitimately sit there.
    return ch in _CODE_PAGE_SYMBOLS


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


# Control bytes that text never holds (tab, LF, FF, CR and ESC, for ISO-2022, it does).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_BINARY_SHARE = 0.05  # random binary has ~11% control bytes, images and archives far more
_HEAD_BYTES = 4096


def looks_binary(body: bytes, content_type: str = "") -> bool:
    """Returns whether the body is binary data rather than text, judged by the share of
    control bytes (NUL among them) in its head: stray NULs in a real page do not count."""
    head = body[:_HEAD_BYTES]
    if not head or _wide_text(head, content_type):
        return False
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > len(head) * _BINARY_SHARE


def _wide_text(head: bytes, content_type: str) -> bool:
    """Returns whether the head is UTF-16/32 text, whose NULs are half its bytes."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or "utf-16" in content_type.lower():
        return True
    if "utf-32" in content_type.lower():
        return True
    # Without a BOM: ASCII in UTF-16 has every other byte NUL, all on one side.
    even, odd = head[0::2], head[1::2]
    return len(head) >= 8 and (even.count(0) == len(even)) != (odd.count(0) == len(odd))
