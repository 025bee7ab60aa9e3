"""The topics file (topics.toml), read and validated: what the topics tagger looks for.

topics.toml holds one table per topic; terms may be in any language and are matched
case-insensitively on word boundaries. A trailing `*` matches any ending ("elect*"), a
leading `*` any beginning ("*wahl" finds "Bundestagswahl").

    [topics.security]
    terms = ["NATO", "OTAN", "missile*", "rudal"]
    min_hits = 2          # optional: fewer matches than this are not the topic

A module of its own, not the tagger's: every tagger's context carries the topics, and no
tagger imports another (pyproject.toml's import-linter contract).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.taggers.text import build_automaton
from newsflow.errors import ConfigError

TOPIC_KEYS = {"terms": list, "min_hits": int}


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    terms: tuple[str, ...]
    min_hits: int = 2


@dataclass(frozen=True)
class Topics:
    """The validated topics of one file, with the automaton that finds all their terms."""

    path: str
    topics: tuple[Topic, ...]
    automaton: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        entries = [(term, topic.name) for topic in self.topics for term in topic.terms]
        object.__setattr__(self, "automaton", build_automaton(entries))


def load_topics(path: str | Path) -> Topics:
    """Returns the topics in `path`; raises ConfigError naming the line and key when wrong."""
    path = str(path)
    try:
        source = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, f"cannot read topics file: {exc.strerror}") from None
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"not valid TOML: {exc}", line=_error_line(exc, source)) from None
    for key in data:
        if key != "topics":
            raise _error(path, source, "unknown key; expected only [topics.<name>]", None, key)
    tables = data.get("topics", {})
    if not isinstance(tables, dict) or not tables:
        raise _error(path, source, "expected at least one [topics.<name>] table", None, "topics")
    return Topics(path, tuple(_topic(path, source, n, t) for n, t in tables.items()))


def _error_line(exc: tomllib.TOMLDecodeError, source: str) -> int | None:
    """Returns the line tomllib names in its message ("at line 3", or the end of document)."""
    found = re.search(r"at line (\d+)", str(exc))
    if found:
        return int(found[1])
    return len(source.splitlines()) if "end of document" in str(exc) else None


def _topic(path: str, source: str, name: str, table: Any) -> Topic:
    if not isinstance(table, dict):
        raise _error(path, source, "expected a table with `terms`", name)
    for key, value in table.items():
        if key not in TOPIC_KEYS:
            raise _error(path, source, f"unknown key; expected {sorted(TOPIC_KEYS)}", name, key)
        if not isinstance(value, TOPIC_KEYS[key]) or isinstance(value, bool):
            wanted, got = TOPIC_KEYS[key].__name__, type(value).__name__
            raise _error(path, source, f"expected {wanted}, got {got}", name, key)
    terms = table.get("terms")
    if not terms or not all(isinstance(t, str) and t.strip().strip("*") for t in terms):
        raise _error(path, source, "expected a non-empty list of non-empty strings", name, "terms")
    min_hits = table.get("min_hits", 2)
    if min_hits < 1:
        raise _error(path, source, "expected an integer >= 1", name, "min_hits")
    return Topic(name, tuple(terms), min_hits)


def _error(path: str, source: str, message: str, topic: str | None, key: str | None = None):
    """Returns a ConfigError naming `topics.<topic>.<key>` (or a top-level `key`) and its line."""
    field_name = ".".join(p for p in ("topics", topic, key) if p) if topic else (key or "")
    return ConfigError(path, message, line=_line_of(source, topic, key), field=field_name)


def _line_of(source: str, topic: str | None, key: str | None) -> int | None:
    """Returns the 1-based line of `[topics.<topic>]`, of `key` inside it, or of a top key."""
    lines = source.splitlines()
    header = re.compile(rf"^\s*\[+\s*{re.escape(f'topics.{topic}' if topic else key or '')}\W")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if key is None or (topic is None and start is not None):
        return None if start is None else start + 1
    assignment = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    for i in range(0 if start is None else start + 1, len(lines)):
        if start is not None and lines[i].lstrip().startswith("["):
            break
        if assignment.match(lines[i]):
            return i + 1
    return None if start is None else start + 1
