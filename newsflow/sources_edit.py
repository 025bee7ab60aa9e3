"""Adds sources to sources.toml the way a person would: comments, order and layout kept.

The edit goes through tomlkit, is written to a scratch file beside the original,
validated with `load_sources`, and only then moved over it: on any error the file is
left exactly as it was. A symlinked sources.toml is edited where it points (the link
stays), and the new file keeps the old one's mode and owner: a `chmod 600` file holding a
password stays 600.
"""

from __future__ import annotations

import dataclasses
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import tomlkit

from newsflow.config import is_http_url, load_sources
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
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ConfigError(str(path), f"cannot read: {reason}") from None
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
        if reason := _unusable(feed) or _duplicate(feed, names, urls):
            report.skipped.append(f"{feed.xml_url} ({feed.title}): {reason}")
            continue
        if feed.html_url and not is_http_url(feed.html_url):
            report.skipped.append(f"{feed.html_url}: not an http(s) site URL, left out of"
                                  f" {feed.title or feed.xml_url}")  # fmt: skip
            feed = dataclasses.replace(feed, html_url=None)
        name = source_name(feed)
        entries.append(_entry(name, feed))
        names.add(name)
        urls[_same(feed.xml_url)] = name
        report.added.append(name)
    if report.added:
        replace_validated(path, tomlkit.dumps(doc))
    return report


def _unusable(feed: OpmlFeed) -> str | None:
    """Returns why a feed cannot be a source (`javascript:`, `file:`, no host), or None."""
    return None if is_http_url(feed.xml_url) else "not an http(s) feed URL"


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
    """Returns the URL as compared for duplicates: no scheme, case, trailing slash or
    tracking parameters (`utm_*`: the same feed, tagged by whoever shared it)."""
    parts = urlsplit(url.strip())
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith("utm_")]  # fmt: skip
    query = urlencode(kept)
    rest = parts.path.rstrip("/") + (f"?{query}" if query else "")
    return f"{(parts.hostname or '').lower()}{f':{parts.port}' if parts.port else ''}{rest}"


def replace_validated(path: Path, text: str) -> None:
    """Writes `text` over the sources file (a symlink's target, its mode and owner kept)
    once `load_sources` accepts it; raises ConfigError (the file unchanged) when it does
    not."""
    target = path.resolve() if path.is_symlink() else path  # the real file, not the link
    scratch = target.with_name(f".{target.name}.import-{os.getpid()}")
    try:
        _write_like(scratch, text, target)
        try:
            load_sources(scratch)
        except ConfigError as exc:
            raise ConfigError(
                str(path), f"not changed, the result would be invalid: {exc.message}",
                line=exc.line, field=exc.field,
            ) from None  # fmt: skip
        os.replace(scratch, target)
    except OSError as exc:
        raise ConfigError(str(target), f"cannot write: {exc.strerror or exc}") from None
    finally:
        scratch.unlink(missing_ok=True)


def _write_like(scratch: Path, text: str, original: Path) -> None:
    """Writes `text` to a new file `scratch` with the mode and owner of `original`, if any."""
    stat = original.stat() if original.exists() else None
    mode = stat.st_mode & 0o7777 if stat else 0o644
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode & 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        if stat and (stat.st_uid, stat.st_gid) != (os.geteuid(), os.getegid()):
            os.fchown(handle.fileno(), stat.st_uid, stat.st_gid)
        os.fchmod(handle.fileno(), mode)  # after the write: never readable by more meanwhile
