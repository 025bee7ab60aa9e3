"""What a page declares about itself besides its text: paywall, keywords, labels.

- `free_access`: schema.org's `isAccessibleForFree` in the page's JSON-LD (Google's
  paywalled-content markup), True / False, None when the page does not say.
- `declared_keywords`: `<meta name="news_keywords">`, `<meta name="keywords">`, or the
  JSON-LD `keywords`.
- `declared_categories`: the post's labels and tags as the page links them
  (`rel="tag"`, WordPress's `rel="category tag"`, Blogger's post labels) and
  `article:section` / `article:tag` meta.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_MAX_JSON_LD = 500_000  # bytes of one script parsed at most
_SPLIT = re.compile(r"\s*[,;]\s*")


def json_ld_objects(tree) -> Iterator[dict]:
    """Yields every JSON object in the page's JSON-LD scripts, nested ones included."""
    for script in tree.xpath('//script[contains(@type, "ld+json")]'):
        raw = (script.text or "").strip()
        if not raw or len(raw) > _MAX_JSON_LD:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        yield from _objects(data, depth=0)


def _objects(value: Any, depth: int) -> Iterator[dict]:
    if depth > 8:
        return
    if isinstance(value, list):
        for item in value:
            yield from _objects(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "hasPart", "mainEntity", "mainEntityOfPage"):
            if key in value:
                yield from _objects(value[key], depth + 1)


def free_access(tree) -> bool | None:
    """Returns the page's JSON-LD isAccessibleForFree: True, False, or None (unknown)."""
    for obj in json_ld_objects(tree):
        value = obj.get("isAccessibleForFree")
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
    return None


def declared_keywords(tree) -> tuple[str, ...]:
    """Returns the keywords the page declares in its meta tags or JSON-LD, in order."""
    metas = {m.get("name", "").strip().lower(): m.get("content") or "" for m in
             tree.xpath("//meta[@name and @content]")}  # fmt: skip
    for name in ("news_keywords", "keywords"):
        if metas.get(name, "").strip():
            return _unique(_SPLIT.split(metas[name]))
    for obj in json_ld_objects(tree):
        value = obj.get("keywords")
        if isinstance(value, str) and value.strip():
            return _unique(_SPLIT.split(value))
        if isinstance(value, list):
            return _unique(v for v in value if isinstance(v, str))
    return ()


def declared_categories(tree) -> tuple[str, ...]:
    """Returns the labels, tags and sections the page gives the post, in order."""
    links = tree.xpath(
        '//a[contains(concat(" ", normalize-space(@rel), " "), " tag ")]'
        ' | //*[contains(@class, "post-labels")]//a'
    )
    meta = tree.xpath('//meta[@property="article:section" or @property="article:tag"]/@content')
    return _unique([a.text_content() for a in links] + list(meta))


def _unique(values) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        label = " ".join(str(value).split())
        if label and len(label) <= 100:
            seen.setdefault(label.casefold(), label)
    return tuple(seen.values())
