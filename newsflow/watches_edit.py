"""Adds and removes `[[watches]]` in sources.toml the way a person would: every comment,
key and blank line kept (tomlkit), the result validated before it replaces the file
(newsflow.sources_edit.replace_validated)."""

from __future__ import annotations

from pathlib import Path

import tomlkit

from newsflow.config import load_sources
from newsflow.errors import ConfigError
from newsflow.models import Watch
from newsflow.sources_edit import replace_validated


def add_watch(path: str | Path, watch: Watch) -> None:
    """Appends `watch` to the sources file (created if missing); raises ConfigError when
    its name is taken or the file would not be valid with it."""
    path = Path(path)
    doc = _document(path)
    entries = doc.get("watches")
    if entries is None:
        doc.append("watches", tomlkit.aot())
        entries = doc["watches"]
    if any(str(e.get("name")) == watch.name for e in entries):
        raise ConfigError(str(path), f"a watch is already named {watch.name!r}", field="name")
    entries.append(_entry(watch))
    replace_validated(path, tomlkit.dumps(doc))


def remove_watch(path: str | Path, name: str) -> None:
    """Takes the watch `name` out of the sources file (its past matches stay in the
    database); raises ConfigError when there is no such watch."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(str(path), "file not found")
    doc = _document(path)
    entries = doc.get("watches") or []
    found = [i for i, e in enumerate(entries) if str(e.get("name")) == name]
    if not found:
        known = ", ".join(str(e.get("name")) for e in entries) or "none"
        raise ConfigError(str(path), f"no watch named {name!r} (watches: {known})", field="name")
    del entries[found[0]]
    if not entries:
        del doc["watches"]
    replace_validated(path, tomlkit.dumps(doc))


def _document(path: Path) -> tomlkit.TOMLDocument:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if text:
        load_sources(path)  # a file already wrong is reported as it is, not edited
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.TOMLKitError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None


def _entry(watch: Watch):
    table = tomlkit.table()
    table.trivia.indent = "\n"  # a blank line before each [[watches]], as people write them
    table.add("name", watch.name)
    table.add("query", watch.query)
    for key in ("lang", "source", "since"):
        if getattr(watch, key):
            table.add(key, getattr(watch, key))
    if watch.tags:
        tags = tomlkit.inline_table()
        tags.update(dict(watch.tags))
        table.add("tags", tags)
    return table
