"""Adds sources to sources.toml the way a person would: comments, order and layout kept.

The edit goes through tomlkit, is written to a scratch file beside the original,
validated with `load_sources`, and only then moved over it: on any error the file is
left exactly as it was.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import tomlkit

from newsflow.config import load_sources
from newsflow.errors import ConfigError
from newsflow.opml import OpmlFeed


@dataclass
class ImportReport:
    """What an import added, and what it skipped and why."""

    added: list[str] = field(default_factory=list)  # source names
    skipped: list[str] = field(default_factory=list)  # one line each: what and why


def import_feeds(path: str | Path, feeds: list[OpmlFeed], repeated=()) -> ImportReport:
    """Returns what was done adding the feeds to the sources file (created if missing)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if text:
        load_sources(path)  # a file already wrong is reported as it is, not edited
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.TOMLKitError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None
    report = ImportReport(skipped=[f"{url}: listed more than once in the OPML" for url in repeated])
    entries = doc.get("sources")
    if entries is None:
        doc.append("sources", tomlkit.aot())
        entries = doc["sources"]
    names = {str(e.get("name")) for e in entries}
    urls = {_same(str(e.get(k))): str(e.get("name")) for e in entries for k in ("url", "site")
            if e.get(k)}  # fmt: skip
    for feed in feeds:
        if reason := _duplicate(feed, names, urls):
            report.skipped.append(f"{feed.xml_url} ({feed.title}): {reason}")
            continue
        name = source_name(feed)
        entries.append(_entry(name, feed))
        names.add(name)
        urls[_same(feed.xml_url)] = name
        report.added.append(name)
    if report.added:
        replace_validated(path, tomlkit.dumps(doc))
    return report


def _duplicate(feed: OpmlFeed, names: set[str], urls: dict[str, str]) -> str | None:
    if _same(feed.xml_url) in urls:
        return f"duplicate: same feed URL as source {urls[_same(feed.xml_url)]!r}"
    if feed.html_url and _same(feed.html_url) in urls:
        return f"duplicate: same site as source {urls[_same(feed.html_url)]!r}"
    if source_name(feed) in names:
        return f"duplicate: a source is already named {source_name(feed)!r}"
    return None


def source_name(feed: OpmlFeed) -> str:
    """Returns a source name (letters, digits, . _ -) from the feed's title, else its host."""
    ascii_title = unicodedata.normalize("NFKD", feed.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_title).strip("-._").lower()
    return slug[:60] or (urlsplit(feed.xml_url).hostname or "feed")


def _entry(name: str, feed: OpmlFeed):
    table = tomlkit.table()
    table.trivia.indent = "\n"  # a blank line before each [[sources]], as people write them
    table.add("name", name)
    table.add("url", feed.xml_url)
    table.add("kind", "feed")
    if feed.folder:
        table.add("group", feed.folder)
    if feed.html_url:
        table.add("site", feed.html_url)
    return table


def _same(url: str) -> str:
    """Returns the URL as compared for duplicates: no scheme, case or trailing slash."""
    parts = urlsplit(url.strip())
    rest = parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")
    return f"{(parts.hostname or '').lower()}{f':{parts.port}' if parts.port else ''}{rest}"


def replace_validated(path: Path, text: str) -> None:
    """Writes `text` over the sources file once `load_sources` accepts it; raises
    ConfigError (the file unchanged) when it does not."""
    scratch = path.with_name(f".{path.name}.import-{os.getpid()}")
    try:
        scratch.write_text(text, encoding="utf-8")
        try:
            load_sources(scratch)
        except ConfigError as exc:
            raise ConfigError(
                str(path), f"not changed, the result would be invalid: {exc.message}",
                line=exc.line, field=exc.field,
            ) from None  # fmt: skip
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)
