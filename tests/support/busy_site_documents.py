"""The documents a BusySite (tests/support/busy_site.py) serves besides its post pages:
feeds in its paging style, sitemaps in its sitemap style, and robots.txt."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from newsflow.demo.site import Post
from tests.support.busy_site import FEED_PATHS, escape, query_int

FUTURE = datetime(2100, 1, 1).astimezone()
CHUNK = 10  # posts per urlset of an index
NOT_FOUND = (404, "text/plain", b"not found")


def document(site, newest_first: list[Post], path: str) -> tuple[int, str, bytes]:
    """Returns (status, content type, body) for a path that is not a post page."""
    bare, shape = urlsplit(path).path, site.shape
    if bare == "/robots.txt":
        return 200, "text/plain", robots_txt(site).encode()
    if bare == FEED_PATHS[shape.paging]:
        return feed(site, newest_first, path)
    if shape.sitemap != "none":
        found = sitemap(site, newest_first, bare)
        if found is not None:
            return 200, "application/xml", found.encode()
    return NOT_FOUND


def robots_txt(site) -> str:
    named = {"robots": "/sitemap-posts.xml", "news": "/news-sitemap.xml"}
    line = f"Sitemap: {site.base_url}{named[site.shape.sitemap]}\n" if (
        site.shape.sitemap in named) else ""  # fmt: skip
    rule = f"Disallow: {site.shape.disallow}\n" if site.shape.disallow else ""
    return f"User-agent: *\n{rule}Allow: /\n" + line


def feed(site, posts: list[Post], path: str) -> tuple[int, str, bytes]:
    """Returns the feed page path asks for, in the site's paging style."""
    shape, window = site.shape, site.shape.window
    number = 1 if shape.ignore_paging else _page_number(shape.paging, path, window)
    start = (number - 1) * window
    if number > 1 and start >= len(posts):
        return NOT_FOUND  # WordPress answers 404 past the last page
    shown = posts[start : start + window]
    if shape.reorder:
        shown = list(reversed(shown))
    more = start + window < len(posts)
    if shape.paging == "wordpress" or shape.paging == "none":
        return 200, "application/rss+xml; charset=utf-8", _rss(site, shown).encode()
    next_url = _next_link(site, number, window) if more and shape.next_links else None
    return 200, "application/atom+xml; charset=utf-8", _atom(site, shown, next_url).encode()


def _page_number(paging: str, path: str, window: int) -> int:
    if paging == "wordpress":
        return max(query_int(path, "paged", 1), 1)
    if paging == "rfc5005":
        return max(query_int(path, "page", 1), 1)
    if paging == "blogger":
        return max(query_int(path, "start-index", 1) - 1, 0) // window + 1
    return 1


def _next_link(site, number: int, window: int) -> str:
    if site.shape.loop and number >= 2:
        return site.feed_url  # back to the first page
    if site.shape.paging == "blogger":
        return f"{site.feed_url}?start-index={number * window + 1}&amp;max-results={window}"
    return f"{site.feed_url}?page={number + 1}"


def _date(post: Post) -> str:
    return post.published.isoformat()


def _rss(site, posts: list[Post]) -> str:
    generator = "<generator>https://wordpress.org/?v=6.4.2</generator>" if (
        site.shape.paging == "wordpress" and site.shape.generator) else ""  # fmt: skip
    items = "".join(
        f"<item><title>{escape(p.title)}</title><link>{site.url_of(p)}</link>"
        f"<guid isPermaLink='true'>{site.url_of(p)}</guid>"
        + (
            ""
            if site.shape.undated
            else f"<pubDate>{p.published:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
        )  # fmt: skip
        + "</item>\n"
        for p in posts
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n<rss version='2.0'><channel>"
        f"<title>{escape(site.name)}</title><link>{site.base_url}/</link>{generator}\n"
        f"{items}</channel></rss>"
    )


def _atom(site, posts: list[Post], next_url: str | None) -> str:
    generator = "<generator uri='http://www.blogger.com' version='7.00'>Blogger</generator>" if (
        site.shape.paging == "blogger") else ""  # fmt: skip
    link = f"<link rel='{site.shape.older_rel}' href='{next_url}'/>" if next_url else ""
    entries = "".join(
        f"<entry><id>tag:{site.name},{p.slug}</id><title>{escape(p.title)}</title>"
        + (
            ""
            if site.shape.undated
            else f"<published>{_date(p)}</published><updated>{_date(p)}</updated>"
        )  # fmt: skip
        + f"<link rel='alternate' href='{site.url_of(p)}'/></entry>\n"
        for p in posts
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<id>tag:{site.name}</id><title>{escape(site.name)}</title>{generator}"
        f"<link rel='self' href='{site.feed_url}'/>{link}\n{entries}</feed>"
    )


def sitemap(site, posts: list[Post], path: str) -> str | None:
    """Returns the sitemap at path in the site's sitemap style, None when there is none."""
    kind = site.shape.sitemap
    chunks = [posts[::-1][i : i + CHUNK] for i in range(0, len(posts), CHUNK)]  # oldest first
    if kind == "robots" and path == "/sitemap-posts.xml":
        return _urlset(site, posts)
    if kind == "plain" and path == "/sitemap.xml":
        return _urlset(site, posts)
    if kind == "news" and path == "/news-sitemap.xml":
        return _urlset(site, posts, news=True)
    if kind == "wp" and path.startswith("/wp-sitemap"):
        return _wp_sitemap(site, posts, path)
    if kind == "index" and path == "/sitemap.xml":
        return _index(site, chunks)
    if kind == "index" and path.startswith("/sitemap-") and path.endswith(".xml"):
        number = path.removeprefix("/sitemap-").removesuffix(".xml")
        if number.isdigit() and int(number) < len(chunks):
            return _urlset(site, chunks[int(number)])
    return None


def _lastmod(site, when: datetime) -> str:
    if site.shape.lastmod == "missing":
        return ""
    return f"<lastmod>{(FUTURE if site.shape.lastmod == 'future' else when).isoformat()}</lastmod>"


def _urlset(site, posts: list[Post], news: bool = False) -> str:
    ns = " xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'" if news else ""
    urls = "".join(
        f"<url><loc>{site.url_of(p)}</loc>"
        + (
            f"<news:news><news:publication><news:name>{escape(site.name)}</news:name>"
            "<news:language>en</news:language></news:publication>"
            f"<news:publication_date>{_date(p)}</news:publication_date>"
            f"<news:title>{escape(p.title)}</news:title></news:news>"
            if news
            else _lastmod(site, p.published)
        )
        + "</url>\n"
        for p in posts
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'{ns}>\n{urls}</urlset>"
    )


def _index(site, chunks: list[list[Post]]) -> str:
    old = "".join(
        f"<sitemap><loc>{site.base_url}/old-{i}.xml</loc>"
        f"<lastmod>2001-01-01T00:00:00+00:00</lastmod></sitemap>\n"
        for i in range(site.shape.index_padding)
    )
    children = "".join(
        f"<sitemap><loc>{site.base_url}/sitemap-{i}.xml</loc>"
        f"{_lastmod(site, max(p.published for p in chunk))}</sitemap>\n"
        for i, chunk in enumerate(chunks)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        f"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>\n{old}{children}"
        "</sitemapindex>"
    )


WP_CHILDREN = ("posts-post-1", "posts-page-1", "taxonomies-category-1", "users-1")


def _wp_sitemap(site, posts: list[Post], path: str) -> str | None:
    """Returns WordPress core's sitemaps: an index without lastmod, posts with lastmod,
    pages, categories and users without."""
    name = path.removeprefix("/wp-sitemap").removesuffix(".xml").lstrip("-")
    if name == "":
        children = "".join(f"<sitemap><loc>{site.base_url}/wp-sitemap-{c}.xml</loc></sitemap>\n"
                           for c in WP_CHILDREN)  # fmt: skip
        return (
            "<?xml version='1.0' encoding='UTF-8'?>\n<sitemapindex xmlns="
            f"'http://www.sitemaps.org/schemas/sitemap/0.9'>\n{children}</sitemapindex>"
        )
    if name == "posts-post-1":
        return _urlset(site, posts)
    others = {"posts-page-1": ["/about/"], "taxonomies-category-1": ["/category/local/"],
              "users-1": ["/author/desk/"]}  # fmt: skip
    if name not in others:
        return None
    urls = "".join(f"<url><loc>{site.base_url}{p}</loc></url>\n" for p in others[name])
    return ("<?xml version='1.0' encoding='UTF-8'?>\n<urlset xmlns="
            f"'http://www.sitemaps.org/schemas/sitemap/0.9'>\n{urls}</urlset>")  # fmt: skip
