"""Where a site keeps its feeds and articles, read from its HTML and its platform's habits.

Pure functions on bytes: nothing here fetches. `discover_feeds` reads the page's own
`<link rel="alternate">` declarations; `guess_feed_urls` lists the conventional feed
locations to try when there are none; `article_links` is the last resort for sites
without any feed; `canonical_url` is the URL a page says it should be known by.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

log = logging.getLogger(__name__)

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}
)
# Blogger per-post and site comment feeds, WordPress comment feeds (pretty and query form).
_COMMENT_FEED_URL = re.compile(
    r"/comments/(?:feed|default)\b|/feeds/comments/|[?&]feed=comments-|/comments/?$", re.I
)
# WordPress titles them "<site> » <post> Comments Feed" in the site's language; plural and
# compound forms only, so "Commentary" or French "Comment ..." (how) stay site feeds.
_COMMENT_FEED_TITLE = re.compile(
    r"comments|commentaires|kommentar-?feed|kommentare|komentarz|comentarios|comentários|"
    r"commenti|reacties|комментари|评论|コメント",
    re.I,
)
_BLOGGER_HOST = re.compile(r"(?:^|\.)blogspot\.[a-z.]+$")
_BLOGGER_MARKUP = (b"blogger.com/static/", b"www.blogger.com/feeds/", b"/feeds/posts/default")
_WORDPRESS_MARKUP = (b"/wp-content/", b"/wp-includes/", b"/wp-json/")
BLOGGER_FEEDS = ("feeds/posts/default", "feeds/posts/default?alt=rss")
WORDPRESS_FEEDS = ("feed/",)
GENERIC_FEEDS = ("rss.xml", "atom.xml", "index.xml", "feed.xml")
# Static-site and CMS generators whose default feed is one of the generic names.
_GENERATOR_FEEDS = {"hugo": "index.xml", "jekyll": "feed.xml", "drupal": "rss.xml", "ghost": "rss/"}

_DATED_PATH = re.compile(r"/(?:19|20)\d{2}[/-](?:0?[1-9]|1[0-2])(?:[/-](?:0?[1-9]|[12]\d|3[01]))?/")
# Listing, account and plumbing sections (in the languages of our sources), not articles.
_NOT_ARTICLE_SEGMENTS = frozenset(
    {"tag", "tags", "category", "categories", "label", "search", "author", "page", "feed",
     "feeds", "comment", "comments", "login", "wp-login.php", "wp-admin", "wp-content",
     "wp-includes", "wp-json", "share", "cdn-cgi", "amp", "topic", "topics", "topicos",
     "series", "autor", "auteur", "autore", "schlagwort", "stichwort", "kategorie",
     "categoria", "categorie", "rubrik", "etiqueta", "mot", "archive", "archives", "archiv"}
)  # fmt: skip
# Words of legal and service pages whose slugs are as long as a headline's.
_SERVICE_WORDS = frozenset(
    {"privacy", "datenschutz", "datenschutzerklaerung", "impressum", "imprint", "terms",
     "conditions", "cookie", "cookies", "confidentialite", "contact", "kontakt", "about",
     "newsletter", "subscribe", "abonnement", "agb", "generales", "disclaimer"}
)  # fmt: skip
_ASSET_SUFFIX = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|json|xml|rss|pdf|zip|gz|mp3|mp4|m4a|webm|woff2?)$",
    re.I,
)
# Comment permalinks (Blogger showComment, WordPress replytocom/like_comment) and actions.
_NON_ARTICLE_QUERY = re.compile(
    r"(?:^|&)(?:replytocom|like_comment|showcomment|_wpnonce|share|action|s|cat|tag|feed)=", re.I
)
_COMMENT_FRAGMENT = re.compile(r"^(?:comment|respond|reply|disqus)", re.I)
_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|php|aspx?)$", re.I)


def discover_feeds(html: bytes, base_url: str) -> list[str]:
    """Return the absolute URLs of the page's declared feeds, in document order.

    Comment feeds (Blogger `/feeds/.../comments/default`, WordPress `/comments/feed/` and
    per-post "Comments Feed" links) and the WordPress REST API's JSON links are skipped.
    """
    doc = parse_html(html, base_url)
    if doc is None:
        return []
    base, found = document_base(doc, base_url), []
    for link in doc.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        mime = (link.get("type") or "").split(";")[0].strip().lower()
        url = absolute_http_url(link.get("href"), base)
        if "alternate" not in rels or mime not in FEED_TYPES or url is None or url in found:
            continue
        if _is_comment_feed(url, link.get("title") or "") or "/wp-json/" in url:
            continue
        found.append(url)
    log.debug("page %s declares %d feeds", base_url, len(found))
    return found


def _is_comment_feed(url: str, title: str) -> bool:
    """Return whether a declared feed carries comments rather than posts."""
    return bool(_COMMENT_FEED_URL.search(url) or _COMMENT_FEED_TITLE.search(title))


def guess_feed_urls(home_url: str, html: bytes | None = None) -> list[str]:
    """Return conventional feed URLs for a site, most likely first given its platform."""
    doc = parse_html(html, home_url) if html else None
    generator = " ".join(doc.xpath("//meta[@name='generator']/@content")) if doc is not None else ""
    platform = _platform(home_url, generator.lower(), html or b"")
    if platform == "blogger":
        order = (BLOGGER_FEEDS, WORDPRESS_FEEDS, GENERIC_FEEDS)
    elif platform == "wordpress":
        order = (WORDPRESS_FEEDS, GENERIC_FEEDS, BLOGGER_FEEDS)
    elif html:  # a page without WordPress or Blogger traces
        order = (_generic_for(generator), WORDPRESS_FEEDS, BLOGGER_FEEDS)
    else:  # nothing known: WordPress runs the largest share of blogs
        order = (WORDPRESS_FEEDS, GENERIC_FEEDS, BLOGGER_FEEDS)
    guesses: list[str] = []
    for path in (path for group in order for path in group):
        for base in _site_bases(home_url):
            if (url := urljoin(base, path)) not in guesses:
                guesses.append(url)
    return guesses


def _platform(home_url: str, generator: str, raw: bytes) -> str:
    """Return "blogger", "wordpress" or "" from the host, generator tag and markup."""
    host = (urlsplit(home_url).hostname or "").lower()
    if _BLOGGER_HOST.search(host) or "blogger" in generator or _has(raw, _BLOGGER_MARKUP):
        return "blogger"
    # Plugins often remove the generator tag, but not the /wp-content/ paths.
    if host.endswith(".wordpress.com") or "wordpress" in generator:
        return "wordpress"
    return "wordpress" if _has(raw, _WORDPRESS_MARKUP) else ""


def _has(raw: bytes, markers: tuple[bytes, ...]) -> bool:
    """Return whether any marker occurs in the raw HTML."""
    return any(marker in raw for marker in markers)


def _generic_for(generator: str) -> tuple[str, ...]:
    """Return the generic feed names with the generator's own default first."""
    first = [name for key, name in _GENERATOR_FEEDS.items() if key in generator.lower()]
    return tuple(dict.fromkeys([*first, *GENERIC_FEEDS]))


def _site_bases(home_url: str) -> list[str]:
    """Return a one-segment home directory such as /blog/ (where WordPress and others are
    often installed), then the site root; deeper paths are pages, not installations."""
    parts = urlsplit(home_url)
    root = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) == 1 and "." not in segments[0] and not _is_long_slug(segments[0]):
        return [urljoin(root, segments[0] + "/"), root]
    return [root]


def article_links(html: bytes, base_url: str, limit: int = 200) -> list[str]:
    """Return same-site links that look like articles, de-duplicated, in document order."""
    doc = parse_html(html, base_url)
    if doc is None:
        return []
    base, site = document_base(doc, base_url), _site(base_url)
    page = urlsplit(base_url)._replace(fragment="").geturl()
    found: dict[str, None] = {}  # an ordered set
    for anchor in doc.iter("a"):
        url = _article_url(anchor.get("href"), base, site)
        if url and url != page:
            found.setdefault(url)
            if len(found) >= limit:
                break
    return list(found)


def _article_url(href: str | None, base: str, site: str) -> str | None:
    """Return the link without its fragment when it points at an article of the site."""
    url = absolute_http_url(href, base)
    if url is None:
        return None
    parts = urlsplit(url)
    if _COMMENT_FRAGMENT.match(parts.fragment) or _site(url) != site:
        return None
    segments = [s.lower() for s in parts.path.split("/") if s]
    if not segments or _NOT_ARTICLE_SEGMENTS.intersection(segments):
        return None
    if _ASSET_SUFFIX.search(parts.path) or _NON_ARTICLE_QUERY.search(parts.query):
        return None
    dated = _DATED_PATH.search(parts.path + "/") and re.search(r"[^\W\d_]", segments[-1])
    if not (dated or _is_long_slug(segments[-1])):  # a bare /2024/05/ is an archive listing
        return None
    return parts._replace(fragment="").geturl()


def _is_long_slug(segment: str) -> bool:
    """Return whether a path segment reads like a headline slug, not a section name."""
    words = [w for w in re.split(r"[-_+,]|%20", _PAGE_SUFFIX.sub("", segment)) if w]
    service = len(_SERVICE_WORDS.intersection(w.lower() for w in words))
    if service >= 2 or (service and len(words) <= 4):
        return False
    return len(words) >= 5 or (len(words) >= 3 and len("-".join(words)) >= 20)


def _site(url: str) -> str:
    """Return the host without a leading www., so www.example.org and example.org match."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def canonical_url(html: bytes, base_url: str) -> str | None:
    """Return the page's `<link rel=canonical>` URL, else its `og:url`, else None."""
    doc = parse_html(html, base_url)
    if doc is None:
        return None
    base = document_base(doc, base_url)
    canonicals = (
        link.get("href")
        for link in doc.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    )
    og_urls = (
        meta.get("content")
        for meta in doc.iter("meta")
        if (meta.get("property") or meta.get("name") or "").lower() == "og:url"
    )
    absolute = (absolute_http_url(candidate, base) for candidate in (*canonicals, *og_urls))
    return next(filter(None, absolute), None)


def parse_html(html: bytes | None, url: str = "") -> lxml.html.HtmlElement | None:
    """Return the parsed document, or None for empty or unparseable input."""
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html, parser=_html_parser(html))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        log.info("cannot parse HTML of %s: %s", url, exc)
        return None


def _html_parser(html: bytes) -> lxml.html.HTMLParser:
    """Return a parser that reads undeclared UTF-8 as UTF-8 (libxml2 would assume Latin-1)."""
    if re.search(rb"<meta[^>]+charset", html[:4096], re.I):
        return lxml.html.HTMLParser()
    try:
        html.decode("utf-8")
    except UnicodeDecodeError:
        return lxml.html.HTMLParser()
    return lxml.html.HTMLParser(encoding="utf-8")


def document_base(doc: lxml.html.HtmlElement, url: str) -> str:
    """Return the URL relative links resolve against: `<base href>` if present, else `url`."""
    for base in doc.iter("base"):
        if href := absolute_http_url(base.get("href"), url):
            return href
    return url


def absolute_http_url(candidate: object, base: str) -> str | None:
    """Return `candidate` resolved against `base` if it is an http(s) URL with a host, else None."""
    if not isinstance(candidate, str) or not candidate.strip():
        return None
    try:
        resolved = urljoin(base, candidate.strip())
        parts = urlsplit(resolved)
        return resolved if parts.scheme in ("http", "https") and parts.hostname else None
    except ValueError:  # e.g. an invalid IPv6 literal in the host
        return None
