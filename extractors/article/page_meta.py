"""Reads what a page states about itself besides its text, each fact in one place.

Publishers state the headline in up to five places (`<title>`, `og:title`,
`twitter:title`, JSON-LD `headline`, the `<h1>`), the site's name in `og:site_name`,
`application-name` and the JSON-LD publisher, author and date in JSON-LD or `<meta>`.
Besides: the paywall flag (schema.org's `isAccessibleForFree`, Google's paywalled-content
markup), the declared keywords (`news_keywords`, `keywords`, JSON-LD `keywords`), the
post's labels and tags (`rel="tag"` links, WordPress's `rel="category tag"`, Blogger's
post labels, `article:section` / `article:tag`), the canonical URL and the language.

Each JSON-LD script is parsed once, the `<meta>` tags read once. This module only
collects; headline.py and article.py decide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

# schema.org types whose headline/author/date are the page's own story.
_ARTICLE_TYPES = re.compile(
    r"(News|Blog|Scholarly|Tech|Satirical|Report|Analysis|Opinion|Reportage|Review|Background)?"
    r"(Article|Posting|Post)$|^(LiveBlogPosting|Report|Review)$"
)
# Characters of one JSON-LD script parsed at most: a live blog's carries every update
# (840 kB on a tabloid's, with the headline); past this it is a data dump, not metadata.
_MAX_JSON_LD = 2_000_000
_MAX_DEPTH = 8  # of nested JSON-LD objects walked
_NESTED = ("@graph", "hasPart", "mainEntity", "mainEntityOfPage")
_SPACES = re.compile(r"\s+")
_SPLIT = re.compile(r"\s*[,;]\s*")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
# <meta> names publishers use for the author and the publication time.
_AUTHOR_METAS = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
_DATE_METAS = ("article:published_time", "og:published_time", "datepublished", "dc.date")
_LABEL_METAS = (("property", "article:section"), ("property", "article:tag"))
_LANGUAGE_METAS = (("http-equiv", "content-language"), ("property", "og:locale"))
# Asked of the rel and class attributes, not of every element: 40% less.
_LABEL_LINKS = etree.XPath(
    '//a/@rel[contains(concat(" ", normalize-space(.), " "), " tag ")]/..'
    ' | //@class[contains(., "post-labels")]/..//a'
)

# Where Blogger, WordPress, Ghost and Substack themes put a post's title: the first one is
# the page's post (a list or a sidebar of others comes after it). The XPath's contains() is
# a cheap superset (asked of the class attributes, not of every element: a third of the
# cost); _POST_TITLE_CLASSES then takes whole class names only.
_POST_TITLE = etree.XPath(
    '//@class[contains(., "post-title") or contains(., "entry-title")]/.. | //article//h1'
)
_POST_TITLE_CLASSES = frozenset({"post-title", "entry-title"})


_MetaTags = tuple[dict[str, str], ...]  # each <meta>'s attributes, in page order


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What the page's markup says of its article, each as written there (trimmed)."""

    title_tag: str | None = None
    og_title: str | None = None
    twitter_title: str | None = None
    ld_headline: str | None = None
    h1s: tuple[str, ...] = ()
    home_h1s: tuple[str, ...] = ()  # <h1>s whose link goes to the site's home page
    post_title: str | None = None  # blog platforms' post-title markup (_POST_TITLE)
    site_names: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()  # JSON-LD's, else the <meta> author's
    published: str | None = None  # JSON-LD datePublished, else article:published_time
    description: str | None = None
    image: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()  # rel="tag" links (Blogger labels, WordPress tags)
    labels: tuple[str, ...] = ()  # tag and category links, post labels, section and tag metas
    keywords: tuple[str, ...] = ()
    free_access: bool | None = None  # isAccessibleForFree; None: the page does not say
    language: str | None = None  # a bare code ("en-GB" -> "en")
    canonical: str | None = None  # as written: relative to the page's URL or not


def read_page_meta(tree) -> PageMeta:
    """Returns the headline candidates, site names and metadata the page states."""
    ld = tuple(json_ld_objects(tree))
    article = next((node for node in ld if _is_article(node)), {})
    meta_tags = tuple(dict(element.attrib) for element in tree.iter("meta"))
    metas = _first_contents(meta_tags)
    return PageMeta(
        title_tag=_clean(tree.findtext(".//head/title")),
        og_title=metas.get("og:title"),
        twitter_title=metas.get("twitter:title"),
        ld_headline=_clean(article.get("headline")),
        h1s=tuple(t for h in tree.iter("h1") if (t := _clean(h.text_content()))),
        home_h1s=_home_h1s(tree),
        post_title=_post_title(tree),
        site_names=_site_names(metas, article),
        authors=_authors(article.get("author")) or _meta_authors(metas),
        published=_clean(article.get("datePublished")) or _first(metas, _DATE_METAS),
        description=metas.get("og:description") or metas.get("description"),
        image=metas.get("og:image") or metas.get("twitter:image"),
        section=metas.get("article:section"),
        tags=_tags(tree),
        labels=_labels(tree, meta_tags),
        keywords=_keywords(meta_tags, ld),
        free_access=_free_access(ld),
        language=_language(tree, meta_tags),
        canonical=_canonical(tree, meta_tags),
    )


def _post_title(tree) -> str | None:
    for element in _POST_TITLE(tree):  # in document order
        classes = (element.get("class") or "").split()
        in_article = element.tag == "h1" and any(True for _ in element.iterancestors("article"))
        if in_article or _POST_TITLE_CLASSES.intersection(classes):
            return _clean(element.text_content())
    return None


def _home_h1s(tree) -> tuple[str, ...]:
    """Returns the <h1>s that link to the site's home page: a blog's or site's name."""
    found = []
    for h1 in tree.iter("h1"):
        links = [a.get("href") or "" for a in h1.iter("a")]
        if links and all(_is_home(href) for href in links) and (text := _clean(h1.text_content())):
            found.append(text)
    return tuple(found)


def _is_home(href: str) -> bool:
    parts = urlsplit(href.strip())
    return (
        parts.path in ("", "/", "./", "/index.html")
        and not parts.query
        and (bool(parts.netloc) or parts.path != "")
    )


def language_code(declared: str | None, *, strict: bool = True) -> str | None:
    """Returns a declared language's primary subtag lower-cased ("en-GB", "pt_BR" -> "en",
    "pt"), or None when it is no code: strict, two or three ASCII letters; else any letters."""
    code = (declared or "").strip().lower().replace("_", "-").split("-")[0]
    if strict:
        return code if _LANGUAGE_CODE.fullmatch(code) else None
    return code if code.isalpha() else None


_HTML_LANG = re.compile(rb"""<html\b[^>]*?\slang\s*=\s*["']?\s*([^"'\s>]+)""", re.I)
_META_LANG = re.compile(
    rb"""<meta[^>]+http-equiv\s*=\s*["']?content-language["']?[^>]+content\s*=\s*["']?"""
    rb"""\s*([^"'\s>]+)""",
    re.I,
)


def sniffed_language(body: bytes) -> str | None:
    """Returns the language code the undecoded page declares (`<html lang>`, Content-Language
    meta): before the page is text, to guess its charset from."""
    head = body[:8192]
    for match in (_HTML_LANG.search(head), _META_LANG.search(head)):
        if match and (code := language_code(match.group(1).decode("latin-1"))):
            return code
    return None


def json_ld_objects(tree) -> Iterator[dict]:
    """Yields every JSON object in the page's JSON-LD scripts, nested ones included."""
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or ""):
            continue
        raw = (script.text or "").strip()
        if not raw or len(raw) > _MAX_JSON_LD:
            continue
        try:
            # Not strict: templates leave raw newlines and tabs in strings.
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue  # broken JSON-LD is common; the other sources still speak
        yield from _objects(data, depth=0)


def _objects(value: Any, depth: int) -> Iterator[dict]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _objects(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in _NESTED:
            if key in value:
                yield from _objects(value[key], depth + 1)


def _is_article(node: dict) -> bool:
    kind = node.get("@type") or []
    kinds = [kind] if isinstance(kind, str) else kind
    return any(isinstance(t, str) and _ARTICLE_TYPES.search(t) for t in kinds)


def _first_contents(meta_tags: _MetaTags) -> dict[str, str]:
    """Returns each <meta> name or property (lower-cased) with its first non-empty content."""
    found: dict[str, str] = {}
    for tag in meta_tags:
        key = tag.get("property") or tag.get("name") or tag.get("itemprop") or ""
        content = _clean(tag.get("content"))
        if key and content:
            found.setdefault(key.lower(), content)
    return found


def _first(metas: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((metas[k] for k in keys if k in metas), None)


def _site_names(metas: dict[str, str], article: dict) -> tuple[str, ...]:
    publisher = article.get("publisher") if isinstance(article.get("publisher"), dict) else {}
    names = (metas.get("og:site_name"), metas.get("application-name"), publisher.get("name"))
    # Some templates fill application-name (a pinned web app's name) with the page's own
    # title: a "site name" that is the page's og:title names the page.
    page_title = _clean(metas.get("og:title"))
    return tuple(dict.fromkeys(n for n in map(_clean, names) if n and n != page_title))


def _meta_authors(metas: dict[str, str]) -> tuple[str, ...]:
    name = _first(metas, _AUTHOR_METAS)
    # article:author is often the author's page, some sites give an e-mail address:
    # neither is a name.
    return (name,) if name and "://" not in name and "@" not in name else ()


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


def _tags(tree) -> tuple[str, ...]:
    """Returns the tags the page links with rel="tag" (Blogger labels, WordPress tags)."""
    found = (_clean(a.text_content()) for a in tree.iter("a") if a.get("rel") == "tag")
    return tuple(dict.fromkeys(t for t in found if t))


def _labels(tree, meta_tags: _MetaTags) -> tuple[str, ...]:
    """Returns the labels, tags and sections the page gives the post, in order."""
    links = [a.text_content() for a in _LABEL_LINKS(tree)]
    return _unique(links + _contents(meta_tags, _LABEL_METAS))


def _contents(meta_tags: _MetaTags, wanted: tuple[tuple[str, str], ...]) -> list[str]:
    """Returns the content, as written, of each <meta> with one of the `wanted` (attribute,
    value) pairs, in page order."""
    return [
        tag["content"]
        for tag in meta_tags
        if "content" in tag and any(tag.get(attribute) == value for attribute, value in wanted)
    ]


def _keywords(meta_tags: _MetaTags, ld: tuple[dict, ...]) -> tuple[str, ...]:
    """Returns the keywords the page declares in its meta tags or JSON-LD, in order."""
    # By `name` only, the last stated counting (each fact's rule as it was measured).
    named = {
        t["name"].strip().lower(): t["content"]
        for t in meta_tags
        if {"name", "content"} <= t.keys()
    }
    for name in ("news_keywords", "keywords"):
        if named.get(name, "").strip():
            return _unique(_SPLIT.split(named[name]))
    for node in ld:
        value = node.get("keywords")
        if isinstance(value, str) and value.strip():
            return _unique(_SPLIT.split(value))
        if isinstance(value, list):
            return _unique(v for v in value if isinstance(v, str))
    return ()


def _free_access(ld: tuple[dict, ...]) -> bool | None:
    for node in ld:
        value = node.get("isAccessibleForFree")
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
    return None


def _language(tree, meta_tags: _MetaTags) -> str | None:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    stated = _contents(meta_tags, _LANGUAGE_METAS) if not lang else ()
    return language_code(lang or next(iter(stated), None))


def _canonical(tree, meta_tags: _MetaTags) -> str | None:
    found = [
        href
        for link in tree.iter("link")
        if link.get("rel") == "canonical" and (href := link.get("href")) is not None
    ]
    found = found or _contents(meta_tags, (("property", "og:url"),))
    return found[0].strip() if found else None


def _unique(values) -> tuple[str, ...]:
    """Returns each label once, whatever its case, spaces collapsed, none over 100 chars."""
    seen: dict[str, str] = {}
    for value in values:
        label = " ".join(str(value).split())
        if label and len(label) <= 100:
            seen.setdefault(label.casefold(), label)
    return tuple(seen.values())


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    return _SPACES.sub(" ", value).strip() or None
