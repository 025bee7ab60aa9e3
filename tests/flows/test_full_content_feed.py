"""A full-content feed bounds the story from the first night: a blog made from the
corpus' WordPress template, whose RSS items carry each post (content:encoded) without the
signature its pages add, through a real night on 127.0.0.1 into a DuckDB file."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest

from newsflow.demo.site import SiteServer
from tests.support.flows import run_flow, write_sources
from tests.support.many_blogs import generated_post
from tests.support.template_site import template_site

pytestmark = pytest.mark.usefixtures("prefect_server")

SIGNATURE = "Thanks for reading! If this helped, share it with a friend and subscribe below."
TEMPLATE = "zulang.wordpress.com.genitalverstuemmelung.html"


@pytest.mark.parametrize("full_content", [False, True], ids=["teaser feed", "full feed"])
def test_the_feed_full_text_bounds_the_story_on_the_first_night(tmp_path, corpus_dir, full_content):
    page = (corpus_dir / "pages" / TEMPLATE).read_bytes()
    stories = [generated_post(8, n) for n in range(3)]
    posts = [replace(p, paragraphs=(*p.paragraphs, SIGNATURE)) for p in stories]
    full = {p.slug: p.paragraphs for p in stories} if full_content else None
    with SiteServer(lambda base: template_site(page, posts, base, "A blog", full)) as server:
        sources = write_sources(
            tmp_path / "sources.toml", [("blog", server.base_url + "/feed.xml", "feed")]
        )
        db = tmp_path / "news.duckdb"
        assert run_flow(sources, db).is_completed()
    with duckdb.connect(str(db), read_only=True) as con:
        texts = dict(con.execute("SELECT url, text FROM articles").fetchall())
    assert len(texts) == len(posts)
    for post in stories:
        text = next(t for url, t in texts.items() if url.endswith(f"/{post.slug}.html"))
        assert all(paragraph in text for paragraph in post.paragraphs)
        assert (SIGNATURE in text) is not full_content
