"""The source's memory of recurring lines, end to end: two real nights over blogs on
127.0.0.1 (the demo's Blogger template, and Blogger and WordPress templates from the
corpus), a real Prefect server and DuckDB file. A signature every post carries in its
body is kept on the first night (one page cannot tell it from the story) and is gone
from the second night's posts, whose every story line stays."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from extractors.article.furniture import line_key
from newsflow.demo.site import SiteServer, blogger_site
from storage.db import connect
from tests.support.flows import run_flow, write_sources
from tests.support.many_blogs import generated_post
from tests.support.template_site import template_site

pytestmark = pytest.mark.usefixtures("prefect_server")

SIGNATURE = "Thanks for reading! If this helped, share it with a friend and subscribe below."
TEMPLATES = {  # corpus page: the blog platform its template comes from
    "zulang.wordpress.com.genitalverstuemmelung.html": "WordPress",
    "weinlachgummis.blogspot.com.rezi.html": "Blogger",
}


def _posts(count: int):
    return [
        replace(p, paragraphs=(*p.paragraphs, SIGNATURE))
        for p in (generated_post(7, n) for n in range(count))
    ]


def _articles(db, column: str = "text") -> dict[str, str]:
    with connect(db, read_only=True) as con:
        return dict(con.execute(f"SELECT url, {column} FROM articles").fetchall())


def _two_nights(tmp_path, server, build, kind: str, path: str, db: str | None = None):
    """Runs night 1 over 4 posts, night 2 after 2 more; returns the articles after each."""
    sources = write_sources(tmp_path / "sources.toml", [("blog", server.base_url + path, kind)])
    db = db or str(tmp_path / "news.duckdb")
    posts = _posts(6)
    server.site = build(posts[:4])
    assert run_flow(sources, db).is_completed()
    first = _articles(db)
    server.site = build(posts)
    assert run_flow(sources, db).is_completed()
    return posts, first, _articles(db), db


def _assert_learnt(posts, first, second, db):
    assert len(first) == 4 and all(SIGNATURE in text for text in first.values())
    new = {url: text for url, text in second.items() if url not in first}
    assert len(new) == 2
    for url, text in new.items():
        post = next(p for p in posts if url.endswith(f"{p.slug}.html"))
        assert SIGNATURE not in text
        for paragraph in post.paragraphs[:-1]:
            assert paragraph in text, (url, paragraph)
    assert {url: second[url] for url in first} == first  # night 1's articles as stored
    with connect(db, read_only=True) as con:
        counted = con.execute(
            "SELECT pages FROM furniture_lines WHERE source = 'blog' AND key = ?",
            [line_key(SIGNATURE)],
        ).fetchall()
    assert counted == [(6,)]  # still counted on the pages it was stripped from


@pytest.mark.parametrize("backend", ["file", "ducklake-sqlite"])
def test_demo_blog_signature_is_learnt_on_night_one_and_stripped_on_night_two(tmp_path, backend):
    from flows.reextract import reextract

    db = str(tmp_path / "news.duckdb") if backend == "file" else None
    db = db or f"ducklake:sqlite:{tmp_path / 'catalog.sqlite'}"
    with SiteServer(lambda base: blogger_site("Kabar Dunia", [], base, lang="en")) as server:

        def build(posts):
            return blogger_site("Kabar Dunia", posts, server.base_url, lang="en")

        posts, first, second, db = _two_nights(tmp_path, server, build, "auto", "/", db)
        _assert_learnt(posts, first, second, db)
        requests = len(server.requests)
        # Re-extraction from the stored HTML strips the furniture from night 1's pages too.
        assert asyncio.run(reextract(db, everything=True, return_state=True)).is_completed()
    assert len(server.requests) == requests
    again = _articles(db)
    for url, text in first.items():
        assert again[url] == text.replace(SIGNATURE, "").strip()


@pytest.mark.parametrize("template", TEMPLATES, ids=TEMPLATES.values())
def test_blog_from_a_corpus_template_loses_its_signature_on_night_two(
    tmp_path, corpus_dir, template
):
    page = (corpus_dir / "pages" / template).read_bytes()
    theme_title = "Kabar - {title} | A blog"  # og:title with a section and the site's name
    with SiteServer(lambda base: template_site(page, [], base, "A blog")) as server:

        def build(posts):
            return template_site(page, posts, server.base_url, "A blog", og_title=theme_title)

        posts, first, second, db = _two_nights(tmp_path, server, build, "feed", "/feed.xml")
    _assert_learnt(posts, first, second, db)
    # Whether night 1 chose the headline clean or took the theme's title whole (the memory
    # then counts its parts), night 2's headlines are the posts' own.
    titles = _articles(db, "title")
    for post in posts[4:]:
        assert next(t for u, t in titles.items() if u.endswith(f"/{post.slug}.html")) == post.title
