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
    authors: tuple[str, ...] = ()  # JSON-LD's, else the <meta> author's
    published: str | None = None  # JSON-LD datePublished, else article:published_time
    description: str | None = None
    image: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()


def read_page_meta(tree) -> PageMeta:
    """Returns the headline candidates, site names and metadata the page states."""
    article = _ld_article(tree)
    metas = _metas(tree)
    publisher = article.get("publisher") if isinstance(article.get("publisher"), dict) else {}
    site_names = (metas.get("og:site_name"), metas.get("application-name"), publisher.get("name"))
    return PageMeta(
        title_tag=_clean(tree.findtext(".//head/title")),
        og_title=metas.get("og:title"),
        twitter_title=metas.get("twitter:title"),
        ld_headline=_clean(article.get("headline")),
        h1s=tuple(t for h in tree.iter("h1") if (t := _clean(h.text_content()))),
        site_names=tuple(dict.fromkeys(n for n in map(_clean, site_names) if n)),
        authors=_authors(article.get("author")) or _meta_authors(metas),
        published=_clean(article.get("datePublished")) or _first(metas, _DATE_METAS),
        description=metas.get("og:description") or metas.get("description"),
        image=metas.get("og:image") or metas.get("twitter:image"),
        section=metas.get("article:section"),
        tags=_tags(tree),
    )


# <meta> names publishers use for the author and the publication time.
_AUTHOR_METAS = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
_DATE_METAS = ("article:published_time", "og:published_time", "datepublished", "dc.date")


def _metas(tree) -> dict[str, str]:
    """Returns each <meta> name or property (lower-cased) with its first non-empty content."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        content = _clean(element.get("content"))
        if key and content:
            found.setdefault(key.lower(), content)
    return found


def _first(metas: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((metas[k] for k in keys if k in metas), None)


def _meta_authors(metas: dict[str, str]) -> tuple[str, ...]:
    name = _first(metas, _AUTHOR_METAS)
    # article:author is often the author's page, some sites give an e-mail address:
    # neither is a name.
    return (name,) if name and "://" not in name and "@" not in name else ()


def _tags(tree) -> tuple[str, ...]:
    """Returns the tags the page links with rel="tag" (Blogger labels, WordPress tags)."""
    found = (_clean(a.text_content()) for a in tree.iter("a") if a.get("rel") == "tag")
    return tuple(dict.fromkeys(t for t in found if t))


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
