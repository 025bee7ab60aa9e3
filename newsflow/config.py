"""Reads and validates sources.toml: every mistake names the file, the line and the key."""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from newsflow.credentials import Credentials, redact, split_userinfo
from newsflow.errors import ConfigError
from newsflow.extract_rules import read_rules
from newsflow.models import ExtractRules, Settings, Source, SourcesConfig, StorageSettings
from newsflow.watches import read_watches

KINDS = ("auto", "feed", "page", "sitemap")
SOURCE_KEYS = {"name": str, "url": str, "kind": str, "password_env": str, "group": str, "site": str}
SOURCE_TABLES = ("extract",)  # [sources.extract]: newsflow.extract_rules
SETTING_TYPES = {f.name: f.type for f in dataclasses.fields(Settings)}
STORAGE_TYPES = {f.name: f.type for f in dataclasses.fields(StorageSettings)}
_PY_TYPES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}
# The range each number must lie in, bounds included (low None: above 0). nan and inf are
# never in range: a NaN timeout failed every source, an infinite one hung the night.
NUMBER_RANGES = {
    "per_host_delay_seconds": (0, 3600),
    "per_host_concurrency": (1, 64),
    "timeout_seconds": (None, 3600),
    "max_page_bytes": (1, 2_000_000_000),
    "max_redirects": (1, 30),
    "max_articles_per_source": (1, 1_000_000),
    "unhealthy_after_failures": (1, 1000),
    "extract_timeout_seconds": (None, 3600),
    "keep_snapshots_days": (0, 36_500),
    "backfill_max_pages": (0, 10_000),  # 0: no walk back
    "min_interval_minutes": (None, 525_600),
    "max_interval_days": (None, 3650),
}


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
        if key in NUMBER_RANGES:
            _check_range(path, f"storage.{key}", value, line)
        if key == "data_path" and not value:
            raise ConfigError(
                str(path), f"expected a folder or URL, got {value!r}", line=line,
                field=f"storage.{key}",
            )  # fmt: skip
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
        if key in NUMBER_RANGES:
            _check_range(path, f"settings.{key}", value, line)
        elif wanted in ("int", "float") and (value <= 0 or not math.isfinite(value)):
            raise ConfigError(
                str(path), f"expected a finite number above 0, got {value!r}", line=line,
                field=f"settings.{key}",
            )  # fmt: skip
        values[key] = float(value) if wanted == "float" else value
    settings = Settings(**values)
    if settings.pace_bounds.shortest > settings.pace_bounds.longest:
        raise ConfigError(
            str(path),
            f"expected at most max_interval_days ({settings.max_interval_days} days), "
            f"got {settings.min_interval_minutes} minutes",
            line=_find_line(lines, "min_interval_minutes"),
            field="settings.min_interval_minutes",
        )
    return settings


def _check_range(path: Path, field: str, value: float, line: int | None) -> None:
    """Raises ConfigError naming file, line and key unless `value` is finite and in range."""
    low, high = NUMBER_RANGES[field.split(".", 1)[1]]
    if math.isfinite(value) and (value > 0 if low is None else value >= low) and value <= high:
        return
    wanted = f"above 0 and at most {high:_}" if low is None else f"from {low} to {high:_}"
    raise ConfigError(
        str(path), f"expected a finite number {wanted}, got {value!r}", line=line, field=field
    )


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
        if key not in SOURCE_KEYS and key not in SOURCE_TABLES:
            raise fail(f"unknown key, expected one of: {', '.join(SOURCE_KEYS)}", key)
    rules = _rules(path, lines, entry.get("extract"), start, label)
    for key in ("name", "url"):
        if key not in entry:
            raise fail("missing, every source needs a name and a url", key)
    for key, value in entry.items():
        if key not in SOURCE_TABLES and not isinstance(value, str):
            raise fail(f"expected a string, got {type(value).__name__} {value!r}", key)
    name, url, kind = entry["name"].strip(), entry["url"].strip(), entry.get("kind", "auto")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise fail(f"expected letters, digits, '.', '_' or '-', got {name!r}", "name")
    if name in seen:
        raise fail(f"duplicate name {name!r}, first used on line {seen[name]}", "name")
    if not is_http_url(url):
        raise fail(f"expected an http(s) URL with a host, got {redact(url)!r}", "url")
    if "site" in entry and not is_http_url(entry["site"].strip()):
        raise fail(f"expected an http(s) URL with a host, got {redact(entry['site'])!r}", "site")
    if kind not in KINDS:
        raise fail(f"expected one of {', '.join(KINDS)}, got {kind!r}", "kind")
    url, credentials = split_userinfo(url)
    if "password_env" in entry:
        credentials = _password_from_env(entry["password_env"], credentials, environ, fail)
    seen[name] = _find_line(lines, "name", after=start) or 0
    group, site = entry.get("group", "").strip() or None, entry.get("site", "").strip() or None
    return Source(name=name, url=url, kind=kind, credentials=credentials, group=group, site=site,
                  extract=rules)  # fmt: skip


def _rules(path, lines, raw, start, label) -> ExtractRules | None:
    """Returns the source's [sources.extract] rules, or None where it has none."""
    if raw is None:
        return None
    table = _find_line(lines, "[sources.extract]", after=start) or start

    def fail(message: str, key: str) -> ConfigError:
        line = (_find_line(lines, key, after=table) if key else None) or table
        field = f"{label}.extract" + (f".{key}" if key else "")
        return ConfigError(str(path), message, line=line, field=field)

    return read_rules(raw, fail)


def is_http_url(url: str) -> bool:
    """Returns whether `url` is an http(s) URL with a host."""
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
