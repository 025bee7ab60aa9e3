"""Reads and validates sources.toml: every mistake names the file, the line and the key."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from newsflow.credentials import Credentials, redact, split_userinfo
from newsflow.errors import ConfigError
from newsflow.models import Settings, Source, SourcesConfig, StorageSettings
from newsflow.watches import read_watches

KINDS = ("auto", "feed", "page", "sitemap")
SOURCE_KEYS = {"name": str, "url": str, "kind": str, "password_env": str, "group": str, "site": str}
SETTING_TYPES = {f.name: f.type for f in dataclasses.fields(Settings)}
STORAGE_TYPES = {f.name: f.type for f in dataclasses.fields(StorageSettings)}
ZERO_ALLOWED = frozenset({"per_host_delay_seconds", "backfill_max_pages"})  # 0: none/off
_PY_TYPES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}


def load_sources(path: str | Path, environ: Mapping[str, str] | None = None) -> SourcesConfig:
    """Returns the validated configuration of a sources file; raises ConfigError.

    `password_env` names are looked up in `environ` (the process environment by default):
    here, once, so that no other code reads the environment."""
    path = Path(path)
    environ = os.environ if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        raise ConfigError(str(path), f"not valid TOML: {exc}", line=line) from None
    lines = text.splitlines()
    unknown = set(data) - {"settings", "sources", "storage", "watches"}
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(
            str(path),
            "unknown table, expected [settings], [storage], [[sources]] or [[watches]]",
            line=_find_line(lines, key),
            field=key,
        )
    settings = _settings(path, lines, data.get("settings", {}))
    storage = _storage(path, lines, data.get("storage", {}))
    sources = _sources(path, lines, data.get("sources", []), environ)
    watches = read_watches(path, lines, data.get("watches", []), {s.name for s in sources})
    return SourcesConfig(str(path), settings, sources, storage, watches)


def _storage(path: Path, lines: list[str], raw: object) -> StorageSettings:
    if not isinstance(raw, dict):
        raise ConfigError(str(path), "expected a table", field="storage")
    after = _find_line(lines, "[storage]") or 0
    for key, value in raw.items():
        line = _find_line(lines, key, after=after)
        if key not in STORAGE_TYPES:
            raise ConfigError(
                str(path),
                f"unknown key, expected one of: {', '.join(STORAGE_TYPES)}",
                line=line,
                field=f"storage.{key}",
            )
        wanted = STORAGE_TYPES[key]
        if isinstance(value, bool) or not isinstance(value, _PY_TYPES[wanted]):
            raise ConfigError(
                str(path),
                f"expected {wanted}, got {type(value).__name__} {value!r}",
                line=line,
                field=f"storage.{key}",
            )
        if (key == "keep_snapshots_days" and value < 0) or (key == "data_path" and not value):
            expected = "0 or more days" if key == "keep_snapshots_days" else "a folder or URL"
            raise ConfigError(
                str(path), f"expected {expected}, got {value!r}", line=line, field=f"storage.{key}"
            )
    return StorageSettings(**raw)


def topics_path(config: SourcesConfig) -> Path | None:
    """Returns the topics file the settings name (relative to the sources file's folder),
    or None when there is none: topic tags are then off."""
    path = Path(config.path).parent / config.settings.topics_file
    return path if path.is_file() else None


def _settings(path: Path, lines: list[str], raw: object) -> Settings:
    if not isinstance(raw, dict):
        raise ConfigError(str(path), "expected a table", field="settings")
    values = {}
    for key, value in raw.items():
        line = _find_line(lines, key, after=_find_line(lines, "[settings]") or 0)
        if key not in SETTING_TYPES:
            raise ConfigError(
                str(path),
                f"unknown setting, expected one of: {', '.join(SETTING_TYPES)}",
                line=line,
                field=f"settings.{key}",
            )
        wanted = SETTING_TYPES[key]
        if isinstance(value, bool) != (wanted == "bool") or not isinstance(
            value, _PY_TYPES[wanted]
        ):
            raise ConfigError(
                str(path),
                f"expected {wanted}, got {type(value).__name__} {value!r}",
                line=line,
                field=f"settings.{key}",
            )
        if wanted in ("int", "float") and value <= 0 and key not in ZERO_ALLOWED:
            raise ConfigError(
                str(path),
                f"expected a positive number, got {value!r}",
                line=line,
                field=f"settings.{key}",
            )
        if key in ZERO_ALLOWED and value < 0:
            raise ConfigError(
                str(path), f"expected 0 or more, got {value!r}", line=line, field=f"settings.{key}"
            )
        values[key] = float(value) if wanted == "float" else value
    return Settings(**values)


def _sources(path: Path, lines: list[str], raw: object, environ) -> tuple[Source, ...]:
    if not isinstance(raw, list):
        raise ConfigError(str(path), "expected [[sources]] entries", field="sources")
    headers = [i + 1 for i, text in enumerate(lines) if text.strip().startswith("[[sources]]")]
    seen: dict[str, int] = {}
    sources = []
    for index, entry in enumerate(raw):
        start = headers[index] if index < len(headers) else None
        sources.append(_source(path, lines, entry, index, start, seen, environ))
    return tuple(sources)


def _source(path, lines, entry, index, start, seen, environ) -> Source:
    label = f"sources[{index}]"
    if isinstance(entry, dict) and isinstance(entry.get("name"), str):
        label = f"sources[{index}] ({entry['name']})"

    def fail(message: str, key: str = "") -> ConfigError:
        line = _find_line(lines, key, after=start) if key else start
        return ConfigError(str(path), message, line=line, field=f"{label}.{key}" if key else label)

    for key in entry:
        if key not in SOURCE_KEYS:
            raise fail(f"unknown key, expected one of: {', '.join(SOURCE_KEYS)}", key)
    for key in ("name", "url"):
        if key not in entry:
            raise fail("missing, every source needs a name and a url", key)
    for key, value in entry.items():
        if not isinstance(value, str):
            raise fail(f"expected a string, got {type(value).__name__} {value!r}", key)
    name, url, kind = entry["name"].strip(), entry["url"].strip(), entry.get("kind", "auto")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise fail(f"expected letters, digits, '.', '_' or '-', got {name!r}", "name")
    if name in seen:
        raise fail(f"duplicate name {name!r}, first used on line {seen[name]}", "name")
    if not _is_http_url(url):
        raise fail(f"expected an http(s) URL with a host, got {redact(url)!r}", "url")
    if "site" in entry and not _is_http_url(entry["site"].strip()):
        raise fail(f"expected an http(s) URL with a host, got {redact(entry['site'])!r}", "site")
    if kind not in KINDS:
        raise fail(f"expected one of {', '.join(KINDS)}, got {kind!r}", "kind")
    url, credentials = split_userinfo(url)
    if "password_env" in entry:
        credentials = _password_from_env(entry["password_env"], credentials, environ, fail)
    seen[name] = _find_line(lines, "name", after=start) or 0
    group, site = entry.get("group", "").strip() or None, entry.get("site", "").strip() or None
    return Source(name=name, url=url, kind=kind, credentials=credentials, group=group, site=site)


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "http://[::1/"
        return False


def _password_from_env(variable: str, in_url: Credentials | None, environ, fail) -> Credentials:
    """Returns the URL's user name with the password held in environment variable `variable`."""
    if in_url is None or not in_url.username:
        raise fail("needs a user name in the url, as https://user@host/...", "password_env")
    if in_url.password:
        raise fail("the url carries a password already: give it in one place", "password_env")
    password = environ.get(variable.strip())
    if not password:
        raise fail(f"environment variable {variable!r} is not set or empty", "password_env")
    return Credentials(in_url.username, password)


def _find_line(lines: list[str], key: str, after: int | None = 0) -> int | None:
    """Returns the 1-based line of `key = ...` (or of a header) at or after line `after`."""
    pattern = re.compile(rf"^\s*(\[+\s*)?[\"']?{re.escape(key.strip('[]'))}[\"']?\s*(=|\])")
    for number in range((after or 1), len(lines) + 1):
        if pattern.match(lines[number - 1]):
            return number
    return None


def _line_from_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
