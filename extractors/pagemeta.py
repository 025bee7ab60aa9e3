"""Reads what a page states about its article: headline candidates, site names, JSON-LD.

Publishers state the headline in up to five places (`<title>`, `og:title`,
`twitter:title`, JSON-LD `headline`, the `<h1>`), the site's name in `og:site_name`,
`application-name` and the JSON-LD publisher, and author and date in JSON-LD. This
module only collects them; headline.py and article.py decide.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)

# schema.org types whose headline/author/date are the page's own story.
_ARTICLE_TYPES = re.compile(
    r"(News|Blog|Scholarly|Tech|Satirical|Report|Analysis|Opinion|Reportage|Review|Background)?"
    r"(Article|Posting|Post)$|^(LiveBlogPosting|Report|Review)$"
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What the page's markup says of its article, each as written there (trimmed)."""

    title_tag: str | None = None
    og_title: str | None = None
    twitter_title: str | None = None
    ld_headline: str | None = None
    h1s: tuple[str, ...] = ()
    site_names: tuple[str, ...] = ()
    ld_authors: tuple[str, ...] = ()
    ld_published: str | None = None
    description: str | None = None


def read_page_meta(tree) -> PageMeta:
    """Returns the headline candidates, site names and JSON-LD facts found in `tree`."""
    article = _ld_article(tree)
    publisher = article.get("publisher") if isinstance(article.get("publisher"), dict) else {}
    site_names = [_meta(tree, "og:site_name"), _meta(tree, "application-name")]
    site_names.append(_clean(publisher.get("name")))
    return PageMeta(
        title_tag=_clean(tree.findtext(".//head/title")),
        og_title=_meta(tree, "og:title"),
        twitter_title=_meta(tree, "twitter:title"),
        ld_headline=_clean(article.get("headline")),
        h1s=tuple(t for h in tree.iter("h1") if (t := _clean(h.text_content()))),
        site_names=tuple(dict.fromkeys(n for n in site_names if n)),
        ld_authors=_authors(article.get("author")),
        ld_published=_clean(article.get("datePublished")),
        description=_meta(tree, "og:description") or _meta(tree, "description"),
    )


def _meta(tree, name: str) -> str | None:
    for element in tree.iterfind(".//meta"):
        wanted = name in (element.get("property"), element.get("name"))
        if wanted and (found := _clean(element.get("content"))):
            return found
    return None


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    return _SPACES.sub(" ", value).strip() or None


def _ld_article(tree) -> dict:
    """Returns the first JSON-LD object typed as an article, or {}."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue  # broken JSON-LD is common; the other sources still speak
        for node in _nodes(data):
            if any(_ARTICLE_TYPES.search(t) for t in _types(node)):
                return node
    return {}


def _nodes(data):
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        yield from _nodes(data.get("@graph") or [])
        if isinstance(data.get("mainEntity"), dict):
            yield data["mainEntity"]


def _types(node: dict) -> list[str]:
    kind = node.get("@type") or []
    return [t for t in ([kind] if isinstance(kind, str) else kind) if isinstance(t, str)]


def _authors(value) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):  # some sites give every name a list
            name = " ".join(n for n in name if isinstance(n, str))
        if cleaned := _clean(name):
            names.append(cleaned)
    return tuple(dict.fromkeys(names))
