"""A blog made from a real page's template: each post's page is the corpus page with its
title, post body and description replaced by the post's; an RSS feed lists the posts.

Whatever the template puts around its post body (navigation, sidebars, share bars,
comment forms) is then on every page, as on a real blog built from it.
"""

from __future__ import annotations

import copy
import html
from email.utils import format_datetime

import lxml.html

from newsflow.demo.site import Post, Site

_HAS_CLASS = "//*[contains(concat(' ', normalize-space(@class), ' '), ' {} ')]"
BODY = " | ".join(_HAS_CLASS.format(c) for c in ("post-body", "entry-content"))
TITLES = " | ".join(_HAS_CLASS.format(c) for c in ("entry-title", "post-title"))


def template_site(
    template: bytes,
    posts: list[Post],
    base_url: str,
    blog_title: str,
    full_posts: dict | None = None,
    og_title: str = "{title}",
) -> Site:
    """Returns the blog: one page per post at /posts/SLUG.html, and /feed.xml; the feed
    carries `full_posts[slug]` (paragraphs) as an item's content:encoded; the pages'
    og:title is `og_title` with the post's title in it (themes add the site's name)."""
    site = Site()
    tree = lxml.html.fromstring(template)
    for post in posts:
        page = _page(tree, post, blog_title, og_title)
        site.files[f"/posts/{post.slug}.html"] = ("text/html; charset=utf-8", page)
    site.files["/feed.xml"] = (
        "application/rss+xml",
        _rss(base_url, posts, blog_title, full_posts or {}),
    )
    site.files["/robots.txt"] = ("text/plain", b"User-agent: *\nAllow: /\n")
    return site


def _page(template, post: Post, blog_title: str, og_title: str) -> bytes:
    tree = copy.deepcopy(template)
    body = tree.xpath(BODY)[0]
    for child in list(body):
        body.remove(child)
    body.text = None
    for paragraph in post.paragraphs:
        body.append(lxml.html.fromstring(f"<p>{html.escape(paragraph)}</p>"))
    for element in tree.xpath(TITLES):
        for child in list(element):
            element.remove(child)
        element.text = post.title
    for title in tree.xpath("//title"):
        title.text = f"{post.title} | {blog_title}"
    for meta in tree.xpath("//meta[@property='og:title' or @name='twitter:title']"):
        meta.set("content", og_title.format(title=post.title))
    for meta in tree.xpath("//meta[@name='description' or @property='og:description']"):
        meta.set("content", post.paragraphs[0][:150])
    # The template's own address would make every post a copy of its one page.
    for link in tree.xpath("//link[@rel='canonical'] | //meta[@property='og:url']"):
        link.getparent().remove(link)
    return b"<!DOCTYPE html>\n" + lxml.html.tostring(tree, encoding="utf-8")


def _rss(base_url: str, posts: list[Post], blog_title: str, full_posts: dict) -> bytes:
    items = "".join(
        f"<item><title>{html.escape(p.title)}</title><link>{base_url}/posts/{p.slug}.html</link>"
        f"<guid>{base_url}/posts/{p.slug}.html</guid>"
        f"<pubDate>{format_datetime(p.published)}</pubDate>{_content(full_posts.get(p.slug))}"
        "</item>"
        for p in posts
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{html.escape(blog_title)}</title><link>{base_url}/</link>{items}"
        "</channel></rss>"
    ).encode()


def _content(paragraphs) -> str:
    if not paragraphs:
        return ""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"<content:encoded>{html.escape(body)}</content:encoded>"
