"""Finds a story a page holds only in its framework's state scripts, for pages whose DOM
shows none (client-rendered Next.js, Nuxt and similar sites).

Read, never run: JSON scripts (`<script type="application/json">`: Next.js pages router's
`__NEXT_DATA__`, Nuxt 3's `__NUXT_DATA__`), Next.js app router's
`self.__next_f.push([1, "..."])` chunks (each argument a JSON array; the strings joined are
the React Server Components payload, rows of `ID:JSON` or `ID:T<hex length>,<text>`), and
Nuxt 2's `window.__NUXT__=` where it is a JSON object (its usual IIFE form would need a JS
engine, so it is skipped). JSON-LD `articleBody` is the last resort: often a summary.

All of it is bounded: MAX_STATE_CHARS of script text at most, MAX_NODES values walked,
none deeper than MAX_DEPTH. The story: the longest string that reads as one, or the
paragraph strings at one path together where longer.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from extractors.article.page_meta import json_ld_objects

log = logging.getLogger(__name__)

MAX_STATE_CHARS = 4_000_000  # of all state scripts read from one page
MAX_NODES = 200_000  # JSON values walked a page
MAX_DEPTH = 64  # containers nested
# Under this many characters of text a string is a teaser, a description or a caption.
MIN_STORY_CHARS = 250
MIN_PARAGRAPHS = 2  # <p> elements that make a string a story's HTML
# Their markup says story: shorter will do (two paragraphs of Korean or Japanese).
MIN_HTML_STORY_CHARS = 100
# Of an HTML string's text, the share in its paragraphs: a widget's or an ad's is lower.
MIN_PARAGRAPH_SHARE = 0.5
MIN_GROUP = 3  # paragraph strings at one path that are read as one story
MIN_PARAGRAPH_CHARS = 80  # their mean length: menu items and link labels are shorter
MAX_WORD_CHARS = 30  # in ASCII prose, one space in this many characters at least
MIN_PROSE = 0.95  # share of a text's characters that are not code punctuation

_PUSH = re.compile(r"self\.__next_f\.push\(")
_NUXT_ASSIGN = re.compile(r"window\.__NUXT__\s*=\s*")
_ROW = re.compile(r"([0-9a-fA-F]+):([A-Z]*)")
_PARAGRAPH = re.compile(r"<p[\s>]", re.IGNORECASE)
_PARAGRAPH_ELEMENT = re.compile(r"<p[\s>].*?</p>", re.IGNORECASE | re.DOTALL)
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_CODE = re.compile(r"[{}\[\]();=<>$\\|\"'/]")
# Keys whose strings may be a story's text; `children` is React's (RSC elements' text).
_BODY_KEY = re.compile(r"body|content|html|text|story|article|paragraph|children", re.I)
_TEASER_KEY = re.compile(r"lead|teaser|summary|descr|excerpt|title|caption|preview", re.I)
_DECODER = json.JSONDecoder(strict=False)


@dataclass(frozen=True, slots=True)
class Field:
    """A string found in a state script, with the key it was under and its list, if any."""

    key: str
    value: str
    # Its keys from the script's root, list indices left out: a story's paragraph blocks
    # share one ("blocks[].model.text"), whatever list item each sits in.
    path: str = ""


def state_story_html(tree, url: str) -> str | None:
    """Returns a minimal HTML document of the story the page's state scripts hold, or None."""
    story = _pick_story(list(_state_fields(tree, url))) or _json_ld_body(tree)
    if story is None:
        log.debug("%s: no story in the page's state scripts", url)
        return None
    return f"<html><body><article>{story}</article></body></html>"


def _state_fields(tree, url: str) -> Iterator[Field]:
    budget = MAX_STATE_CHARS
    flight: list[str] = []
    for script in tree.iter("script"):
        raw = script.text or ""
        if len(raw) > budget:  # not even searched: a data dump or a bundle, not a story
            log.info("%s: a script of %d characters over the state budget", url, len(raw))
            continue
        kind = _state_kind(script, raw)
        if kind is None:
            continue
        budget -= len(raw)
        if kind == "flight":
            flight.extend(_pushed_chunks(raw))
        else:
            yield from _script_fields(kind, raw, script.get("id") or "", url)
    if flight:
        yield from _flight_fields("".join(flight))


def _state_kind(script, raw: str) -> str | None:
    """Returns "json", "flight" or "nuxt" for a state script, None for any other script."""
    kind = (script.get("type") or "").lower()
    if kind == "application/json":
        return "json"
    if "ld+json" in kind or kind not in ("", "text/javascript", "application/javascript"):
        return None
    if _PUSH.search(raw):
        return "flight"
    return "nuxt" if _NUXT_ASSIGN.search(raw) else None


def _script_fields(kind: str, raw: str, script_id: str, url: str) -> Iterator[Field]:
    data = _parsed(raw, url) if kind == "json" else _nuxt_assigned(raw, url)
    if data is None:
        return
    if script_id == "__NUXT_DATA__" or _is_devalue(data):
        data = _devalue_tree(data) if isinstance(data, list) else None
    yield from _walk_fields(data)


def _parsed(raw: str, url: str) -> Any:
    try:
        return json.loads(raw, strict=False)
    except (ValueError, RecursionError) as exc:
        log.debug("%s: state script is not JSON (%s)", url, type(exc).__name__)
        return None


def _nuxt_assigned(raw: str, url: str) -> Any:
    """Returns the JSON object assigned to window.__NUXT__, None for the IIFE form."""
    start = _NUXT_ASSIGN.search(raw).end()
    if raw[start : start + 1] != "{":
        log.debug("%s: window.__NUXT__ is a script, not JSON: not evaluated", url)
        return None
    try:
        return _DECODER.raw_decode(raw, start)[0]
    except (ValueError, RecursionError):
        log.debug("%s: window.__NUXT__ is a JS object literal, not JSON", url)
        return None


def _pushed_chunks(raw: str) -> Iterator[str]:
    """Yields the payload strings of a script's `self.__next_f.push([1, "..."])` calls."""
    for match in _PUSH.finditer(raw):
        try:
            pushed, _ = _DECODER.raw_decode(raw, match.end())
        except (ValueError, RecursionError):
            continue  # not a JSON array literal: nothing we read without running it
        if isinstance(pushed, list) and pushed[:1] == [1] and isinstance(pushed[-1], str):
            yield pushed[-1]


def _flight_fields(payload: str) -> Iterator[Field]:
    """Yields the strings of an RSC payload's rows: text rows whole, JSON rows walked."""
    pos = 0
    while pos < len(payload):
        row = _ROW.match(payload, pos)
        if row is None:
            pos = _next_line(payload, pos)
        elif row.group(2) == "T":
            text, pos = _text_row(payload, row.end())
            yield Field("T", text)
        else:
            try:
                value, pos = _DECODER.raw_decode(payload, row.end())
            except (ValueError, RecursionError):
                pos = _next_line(payload, row.end())
                continue
            yield from _walk_fields(value)


def _text_row(payload: str, start: int) -> tuple[str, int]:
    """Returns a `T<hex>,` row's text (its length counted in UTF-8 bytes) and the end."""
    comma = payload.find(",", start)
    try:
        size = int(payload[start:comma], 16) if comma > start else 0
    except ValueError:
        return "", _next_line(payload, start)
    text = payload[comma + 1 : comma + 1 + size].encode()[:size].decode(errors="ignore")
    return text, comma + 1 + len(text)


def _next_line(payload: str, pos: int) -> int:
    end = payload.find("\n", pos)
    return len(payload) if end < 0 else end + 1


def _walk_fields(data: Any, key: str = "") -> Iterator[Field]:
    """Yields the strings in `data`, in order, walking at most MAX_NODES values and none
    deeper than MAX_DEPTH (an explicit stack: a deep document cannot exhaust Python's)."""
    stack: list[tuple[Any, str, str, int]] = [(data, key, key, 0)]
    walked = 0
    while stack and walked < MAX_NODES:
        value, key, path, depth = stack.pop()
        walked += 1
        if isinstance(value, str):
            yield Field(key, value, path)
        elif depth >= MAX_DEPTH:
            continue
        elif isinstance(value, dict):
            items = [(v, str(k)) for k, v in value.items()]
            stack.extend((v, k, f"{path}.{k}", depth + 1) for v, k in reversed(items))
        elif isinstance(value, list):
            stack.extend((v, key, f"{path}[]", depth + 1) for v in reversed(value))


def _is_devalue(data: Any) -> bool:  # Nuxt 3's form: one flat list, values by index
    head = data[0] if isinstance(data, list) and data else None
    return isinstance(head, list) and bool(head) and str(head[0]).endswith("Reactive")


def _devalue_tree(data: Any) -> Any:
    """Returns a devalue list as the nested value it encodes (each dict value and list
    item is the index of its value; ["Reactive", i] and other tagged forms wrap one), at
    most MAX_NODES values and MAX_DEPTH deep: shared references are not expanded forever."""
    budget = [MAX_NODES]

    def resolve(index: Any, depth: int) -> Any:
        if not isinstance(index, int) or not 0 <= index < len(data) or depth > MAX_DEPTH:
            return None
        budget[0] -= 1
        value = data[index] if budget[0] > 0 else None
        if isinstance(value, dict):
            return {k: resolve(i, depth + 1) for k, i in value.items()}
        if isinstance(value, list) and value and isinstance(value[0], str):
            return resolve(value[1], depth + 1) if len(value) == 2 else None  # a tagged form
        if isinstance(value, list):
            return [resolve(i, depth + 1) for i in value]
        return value

    return resolve(0, 0)


def _pick_story(fields: list[Field]) -> str | None:
    """Returns the story's HTML: the longest story-like string, or the paragraph strings
    at one path together where longer; None when nothing holds MIN_STORY_CHARS of text."""
    best, best_size = None, MIN_HTML_STORY_CHARS - 1
    grouped: dict[str, list[str]] = defaultdict(list)
    for field in fields:
        size = len(_plain(field.value))
        if size > best_size and _reads_as_story(field, size):
            best, best_size = _as_html(field.value), size
        if "[]" in field.path and _reads_as_paragraph(field):
            grouped[field.path].append(field.value)
    for parts in grouped.values():
        size = sum(len(_plain(p)) for p in parts)
        paragraphs = len(parts) >= MIN_GROUP and size >= MIN_PARAGRAPH_CHARS * len(parts)
        if paragraphs and size > best_size:
            best, best_size = "".join(_as_html(p) for p in parts), size
    return best


def _reads_as_story(field: Field, size: int) -> bool:
    if len(_PARAGRAPH.findall(field.value)) >= MIN_PARAGRAPHS:
        return size >= MIN_PARAGRAPH_SHARE * len(_visible(field.value))
    storied = field.key == "T" or _storied(field)
    return storied and _is_prose(_plain(field.value)) and size >= MIN_STORY_CHARS


def _reads_as_paragraph(field: Field) -> bool:
    value = field.value.lstrip()
    if value.startswith("<"):  # markup: one paragraph element, not a widget's
        return bool(_PARAGRAPH.match(value)) and len(_PARAGRAPH.findall(value)) == 1
    return _storied(field) and " " in value.strip() and _is_prose(_plain(value))


def _storied(field: Field) -> bool:
    """Returns whether the field's key, or its parent's ("paragraph.value"), names story
    text, and the key itself names no teaser ("leadtext", "summary")."""
    if _TEASER_KEY.search(field.key):
        return False
    parent = field.path.rsplit(".", 2)[-2:][0]  # the key itself where the path has one
    return bool(_BODY_KEY.search(field.key) or _BODY_KEY.search(parent))


def _is_prose(text: str) -> bool:
    """Returns whether `text` reads as words, not code, markup, a URL or an identifier."""
    stripped = text.strip()
    if not stripped or stripped.startswith(("http://", "https://", "{", "[", "function")):
        return False
    if stripped.isascii() and stripped.count(" ") < len(stripped) / MAX_WORD_CHARS:
        return False  # base64, a hash, a path: no spaces between words
    return len(_CODE.findall(stripped)) <= (1 - MIN_PROSE) * len(stripped)


def _plain(value: str) -> str:
    """Returns a string's text; of HTML, only its paragraphs' (not an ad's styles or divs)."""
    if not _PARAGRAPH.search(value):
        return _visible(value) if _TAG.search(value) else value.strip()
    paragraphs = " ".join(_PARAGRAPH_ELEMENT.findall(value))
    return html.unescape(_TAG.sub(" ", paragraphs)).strip()


def _visible(markup: str) -> str:
    return html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", markup))).strip()


def _as_html(value: str) -> str:
    """Returns the string as HTML: markup as it is, plain text as escaped paragraphs."""
    if _PARAGRAPH.search(value) or _TAG.search(value):
        return value
    lines = (line.strip() for line in value.splitlines())
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)


def _json_ld_body(tree) -> str | None:
    """Returns the longest JSON-LD articleBody as paragraphs, where it is story-long."""
    bodies = [b for n in json_ld_objects(tree) if isinstance(b := n.get("articleBody"), str)]
    body = max(bodies, key=len, default="")
    return _as_html(body) if len(_plain(body)) >= MIN_STORY_CHARS else None
