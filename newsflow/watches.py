"""Reads and validates the `[[watches]]` of sources.toml: saved searches matched each night.

    [[watches]]
    name = "nato-talks"              # unique, [a-z0-9-]
    query = "Stoltenberg Brussel"    # as `newsflow search` takes it
    lang = "id"                      # optional filters, all must hold
    source = "kabar-dunia"
    since = "2d"                     # an age (7d, 24h, 2w) or a date
    tags = { person = "Jens Stoltenberg", place = "Brussels" }

Every mistake names the file, the line and the key, as newsflow.config does for sources.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsflow.errors import ConfigError
from newsflow.models import Watch

WATCH_KEYS = ("name", "query", "lang", "source", "since", "tags")
TAG_KINDS = ("category", "keyword", "language", "org", "person", "place", "topic")
NAME = re.compile(r"[a-z0-9-]{1,64}")
LANGUAGE = re.compile(r"[a-z]{2,3}")
_AGO = re.compile(r"(\d+)\s*([hdw])")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def read_watches(path: Path, lines: list[str], raw: object, sources: set[str]) -> tuple[Watch, ...]:
    """Returns the validated watches of a parsed sources file; raises ConfigError.

    `sources`: the file's source names, which a watch's `source` filter must be one of."""
    if not isinstance(raw, list):
        raise ConfigError(str(path), "expected [[watches]] entries", field="watches")
    headers = [i + 1 for i, text in enumerate(lines) if text.strip().startswith("[[watches]]")]
    seen: dict[str, int] = {}
    watches = []
    for index, entry in enumerate(raw):
        start = headers[index] if index < len(headers) else None
        watch = _watch(_Place(path, lines, index, start, entry), entry, sources)
        if watch.name in seen:
            raise _Place(path, lines, index, start, entry).fail(
                f"duplicate name {watch.name!r}, first used on line {seen[watch.name]}", "name"
            )
        seen[watch.name] = key_line(lines, "name", start) or 0
        watches.append(watch)
    return tuple(watches)


class _Place:
    """Where a watch is in the file: makes its errors name the line and the key."""

    def __init__(self, path: Path, lines: list[str], index: int, start: int | None, entry):
        self.path, self.lines, self.start = path, lines, start
        named = isinstance(entry, dict) and isinstance(entry.get("name"), str)
        self.label = f"watches[{index}]" + (f" ({entry['name']})" if named else "")

    def fail(self, message: str, key: str = "") -> ConfigError:
        line = key_line(self.lines, key, self.start) if key else self.start
        field = f"{self.label}.{key}" if key else self.label
        return ConfigError(str(self.path), message, line=line or self.start, field=field)


def _watch(place: _Place, entry: object, sources: set[str]) -> Watch:
    if not isinstance(entry, dict):
        raise place.fail("expected a table of name, query and filters")
    for key in entry:
        if key not in WATCH_KEYS:
            raise place.fail(f"unknown key, expected one of: {', '.join(WATCH_KEYS)}", key)
    for key in ("name", "query"):
        if key not in entry:
            raise place.fail("missing, every watch needs a name and a query", key)
    for key, value in entry.items():
        if key != "tags" and not isinstance(value, str):
            raise place.fail(f"expected a string, got {type(value).__name__} {value!r}", key)
    name, query = entry["name"].strip(), entry["query"].strip()
    if not NAME.fullmatch(name):
        raise place.fail(f"expected lower-case letters, digits or '-', got {name!r}", "name")
    if not re.search(r"\w", query):
        raise place.fail(f"expected words to search for, got {query!r}", "query")
    return Watch(
        name=name,
        query=query,
        lang=_language(place, entry.get("lang")),
        source=_source(place, entry.get("source"), sources),
        since=_since(place, entry.get("since")),
        tags=_tags(place, entry.get("tags", {})),
    )


def _language(place: _Place, value: str | None) -> str | None:
    if value is not None and not LANGUAGE.fullmatch(value.strip().lower()):
        raise place.fail(f"expected a language code such as id, de, zh, got {value!r}", "lang")
    return value.strip().lower() if value else None


def _source(place: _Place, value: str | None, sources: set[str]) -> str | None:
    if value is not None and value.strip() not in sources:
        known = ", ".join(sorted(sources)) or "none"
        raise place.fail(f"no source named {value!r} in this file (sources: {known})", "source")
    return value.strip() if value else None


def _since(place: _Place, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        since_moment(value)
    except ValueError as exc:
        raise place.fail(str(exc), "since") from None
    return value.strip()


def _tags(place: _Place, value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise place.fail(f'expected a table such as {{ person = "…" }}, got {value!r}', "tags")
    for kind, wanted in value.items():
        if kind not in TAG_KINDS:
            raise place.fail(f"unknown tag kind {kind!r}, expected one of: "
                             f"{', '.join(TAG_KINDS)}", "tags")  # fmt: skip
        if not isinstance(wanted, str) or not wanted.strip():
            raise place.fail(f"expected a tag value (a string) for {kind!r}, got {wanted!r}",
                             "tags")  # fmt: skip
    return tuple((kind, wanted.strip()) for kind, wanted in value.items())


def since_moment(value: str, now: datetime | None = None) -> datetime:
    """Returns the moment `since` means: `7d`, `24h`, `2w` before `now`, or a date / ISO
    time; raises ValueError saying what was expected."""
    if match := _AGO.fullmatch(value.strip().lower()):
        amount, unit = int(match.group(1)), _UNITS[match.group(2)]
        return (now or datetime.now(UTC)) - timedelta(**{unit: amount})
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"expected an age (7d, 24h, 2w) or a date (2024-03-01), got {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def key_line(lines: list[str], key: str, after: int | None) -> int | None:
    """Returns the 1-based line of `key = ...` at or after line `after` (a watch's header)."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number in range(after or 1, len(lines) + 1):
        if number > (after or 1) and lines[number - 1].lstrip().startswith("["):
            return None  # the next table: the key is not in this watch
        if pattern.match(lines[number - 1]):
            return number
    return None
