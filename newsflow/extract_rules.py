"""Reads a source's `[sources.extract]` table: CSS selectors, each checked when the
sources file is loaded, so a typo is an error naming the file, line and key, not a night
of articles the rule silently missed."""

from __future__ import annotations

from collections.abc import Callable

from cssselect import HTMLTranslator, SelectorError

from newsflow.errors import ConfigError
from newsflow.models import ExtractRules

RULE_KEYS = ("body", "drop", "title", "author", "date")
_TRANSLATOR = HTMLTranslator()


def read_rules(raw: object, fail: Callable[[str, str], ConfigError]) -> ExtractRules:
    """Returns the rules of one source's extract table; `fail(message, key)` makes the
    error for a key (with its file and line)."""
    if not isinstance(raw, dict):
        raise fail(f"expected a table [sources.extract], got {type(raw).__name__}", "")
    for key in raw:
        if key not in RULE_KEYS:
            raise fail(f"unknown key, expected one of: {', '.join(RULE_KEYS)}", key)
    drop = raw.get("drop", [])
    drop = [drop] if isinstance(drop, str) else drop
    if not isinstance(drop, list) or not all(isinstance(d, str) for d in drop):
        raise fail(f"expected a selector or a list of selectors, got {drop!r}", "drop")
    for selector in drop:
        _check(selector, "drop", fail)
    single = {key: raw.get(key) for key in ("body", "title", "author", "date")}
    for key, selector in single.items():
        if selector is not None:
            if not isinstance(selector, str):
                raise fail(f"expected a CSS selector string, got {selector!r}", key)
            _check(selector, key, fail)
    return ExtractRules(drop=tuple(d.strip() for d in drop),
                        **{k: v.strip() for k, v in single.items() if v is not None})  # fmt: skip


def _check(selector: str, key: str, fail) -> None:
    if not selector.strip():
        raise fail("expected a CSS selector, got an empty string", key)
    try:
        _TRANSLATOR.css_to_xpath(selector)
    except SelectorError as exc:
        raise fail(f"not a valid CSS selector {selector!r}: {exc}", key) from None


def rules_by_source(sources) -> dict[str, ExtractRules]:
    """Returns the extraction rules of the sources that have some, by source name."""
    return {source.name: source.extract for source in sources if source.extract}
