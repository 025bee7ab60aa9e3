"""A small Blogger-style blog served on 127.0.0.1: the demo's source, and the tests'.

The pages carry what real Blogger pages carry around a post (navigation, share buttons,
labels, sidebar, and the "No comments: / Post a Comment" widget) so extraction is
tested against the furniture it must strip.
"""

from __future__ import annotations

import email.utils
import hashlib
import html
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Post:
    slug: str
    title: str
    author: str
    published: datetime
    paragraphs: tuple[str, ...]
    labels: tuple[str, ...] = ()
    lang: str = "id"


@dataclass
class Site:
    """Files by path: (content type, body). Mutable, so a test can change a post."""

    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def post_path(post: Post) -> str:
    return f"/{post.published:%Y/%m}/{post.slug}.html"


def blogger_site(blog_title: str, posts: list[Post], base_url: str, lang: str = "id") -> Site:
    """Returns a Blogger-style blog: home page, one page per post, Atom feed, robots.txt."""
    site = Site()
    for post in posts:
        site.files[post_path(post)] = (
            "text/html; charset=UTF-8",
            _post_page(blog_title, post, base_url).encode(),
        )
    site.files["/"] = (
        "text/html; charset=UTF-8",
        _home(blog_title, posts, base_url, lang).encode(),
    )
    site.files["/feeds/posts/default"] = (
        "application/atom+xml; charset=UTF-8",
        _atom(blog_title, posts, base_url).encode(),
    )
    site.files["/robots.txt"] = ("text/plain", b"User-agent: *\nDisallow: /search\nAllow: /\n")
    return site


def _head(title: str, blog_title: str, base_url: str, canonical: str, lang: str) -> str:
    return f"""<!DOCTYPE html>
<html class='v2' dir='ltr' lang='{lang}' xmlns='http://www.w3.org/1999/xhtml'>
<head>
<meta content='text/html; charset=UTF-8' http-equiv='Content-Type'/>
<meta content='blogger' name='generator'/>
<title>{html.escape(title)}</title>
<link rel="alternate" type="application/atom+xml" title="{blog_title} - Atom"
 href="{base_url}/feeds/posts/default" />
<link rel="alternate" type="application/rss+xml" title="{blog_title} - RSS"
 href="{base_url}/feeds/posts/default?alt=rss" />
<link rel='canonical' href='{canonical}'/>
<meta content='{html.escape(title)}' property='og:title'/>
<meta content='{blog_title}' property='og:site_name'/>
</head>
<body>
<div class='navbar'><a href='https://www.blogger.com/'>Blogger</a> Buat Blog Login</div>
<header><h1 class='title'><a href='{base_url}/'>{blog_title}</a></h1>
<nav><a href='{base_url}/'>Beranda</a> <a href='{base_url}/search/label/Dunia'>Dunia</a></nav>
</header>
"""


def _sidebar(blog_title: str, posts: list[Post], base_url: str) -> str:
    items = "".join(
        f"<li><a href='{base_url}{post_path(p)}'>{html.escape(p.title)}</a></li>" for p in posts
    )
    return f"""<div class='sidebar'><div class='widget PopularPosts'><h2>Popular Posts</h2>
<ul>{items}</ul></div>
<div class='widget BlogArchive'><h2>Blog Archive</h2></div>
<div class='widget Label'><h2>Labels</h2><a href='{base_url}/search/label/Dunia'>Dunia</a></div>
</div>
<footer><div class='blog-feeds'>Subscribe to: <a href='{base_url}/feeds/posts/default'>Posts
 (Atom)</a></div><p>Copyright {blog_title}. Powered by Blogger.</p></footer>
</body></html>"""


def _post_page(blog_title: str, post: Post, base_url: str) -> str:
    url = base_url + post_path(post)
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in post.paragraphs)
    labels = ", ".join(
        f"<a href='{base_url}/search/label/{html.escape(label)}' rel='tag'>{html.escape(label)}</a>"
        for label in post.labels
    )
    return (
        _head(post.title, blog_title, base_url, url, post.lang)
        + f"""
<div class='main-inner'><div class='date-outer'>
<h2 class='date-header'><span>{post.published:%A, %d %B %Y}</span></h2>
<div class='post-outer'><div class='post hentry' itemscope itemtype='http://schema.org/BlogPosting'>
<h3 class='post-title entry-title' itemprop='name'>{html.escape(post.title)}</h3>
<div class='post-body entry-content' id='post-body-{post.slug}' itemprop='articleBody'>
{body}</div>
<div class='post-footer'>
<span class='post-author vcard'>Posted by <span class='fn' itemprop='author'
 itemscope itemtype='http://schema.org/Person'><span itemprop='name'>{html.escape(post.author)}
</span></span></span>
<span class='post-timestamp'>at <a class='timestamp-link' href='{url}' rel='bookmark'>
<abbr class='published' itemprop='datePublished' title='{post.published.isoformat()}'>
{post.published:%H:%M}</abbr></a></span>
<div class='post-share-buttons'><a class='share-button' href='#'>Email This</a>
<a class='share-button' href='#'>BlogThis!</a><a class='share-button' href='#'>Share to X</a>
<a class='share-button' href='#'>Share to Facebook</a></div>
<span class='post-labels'>Labels: {labels}</span>
</div></div>
<div class='comments' id='comments'><a name='comments'></a><h4>No comments:</h4>
<div id='Blog1_comments-block-wrapper'><dl class='avatar-comment-indent' id='comments-block'>
</dl></div>
<p class='comment-footer'><a href='https://www.blogger.com/comment/fullpage/post/1/{post.slug}'
 onclick=''>Post a Comment</a></p></div>
</div></div>
<div class='blog-pager' id='blog-pager'><a class='home-link' href='{base_url}/'>Home</a></div>
<div class='post-feeds'>Subscribe to: <a href='{url}#comments'>Post Comments (Atom)</a></div>
</div>
"""
        + _sidebar(blog_title, [post], base_url)
    )


def _home(blog_title: str, posts: list[Post], base_url: str, lang: str) -> str:
    teasers = "".join(
        f"<div class='post-outer'><h3 class='post-title'><a href='{base_url}{post_path(p)}'>"
        f"{html.escape(p.title)}</a></h3><p>{html.escape(p.paragraphs[0][:160])}...</p>"
        f"<a href='{base_url}{post_path(p)}'>Read more</a></div>"
        for p in posts
    )
    return (
        _head(blog_title, blog_title, base_url, base_url + "/", lang)
        + f"<div class='main-inner'>{teasers}</div>"
        + _sidebar(blog_title, posts, base_url)
    )


def _atom(blog_title: str, posts: list[Post], base_url: str) -> str:
    entries = "".join(
        f"""<entry><id>tag:blogger.com,1999:blog-1.post-{p.slug}</id>
<published>{p.published.isoformat()}</published><updated>{p.published.isoformat()}</updated>
{
            "".join(
                f"<category scheme='http://www.blogger.com/atom/ns#' term='{html.escape(label)}'/>"
                for label in p.labels
            )
        }
<title type='text'>{html.escape(p.title)}</title>
<content type='html'>{
            html.escape("".join(f"<p>{html.escape(x)}</p>" for x in p.paragraphs))
        }</content>
<link rel='alternate' type='text/html' href='{base_url}{post_path(p)}' title='{
            html.escape(p.title)
        }'/>
<author><name>{html.escape(p.author)}</name></author></entry>
"""
        for p in posts
    )
    updated = max((p.published for p in posts), default=None)
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom'><id>tag:blogger.com,1999:blog-1</id>
<updated>{updated.isoformat() if updated else ""}</updated>
<title type='text'>{html.escape(blog_title)}</title>
<link rel='alternate' type='text/html' href='{base_url}/'/>
<link rel='self' type='application/atom+xml' href='{base_url}/feeds/posts/default'/>
{entries}</feed>"""


class SiteServer:
    """Serves a Site on 127.0.0.1 with ETag/Last-Modified validators; records every request.

    Use as a context manager; `base_url` is known only once started, so the site is
    given as a function of the base URL.
    """

    def __init__(self, build_site):
        self._build = build_site
        self.requests: list[tuple[str, str, dict]] = []  # (method, path, headers)
        self.timed: list[tuple[float, str]] = []  # (time.monotonic(), path) of each request
        self.site = Site()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.site = build_site(self.base_url)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SiteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                server.requests.append(("GET", self.path, dict(self.headers)))
                server.timed.append((time.monotonic(), self.path))
                files = server.site.files
                found = files.get(self.path) or files.get(self.path.split("?")[0])
                if found is None:
                    self.send_error(404)
                    return
                content_type, body = found
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                modified = email.utils.formatdate(0, usegmt=True)
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", modified)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep test and demo output quiet
                pass

        return Handler
