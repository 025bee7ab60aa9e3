"""A feed entry's full text tells where the page's story starts and ends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from extractors.article.extract import extract_article
from extractors.article.feed_text import within_feed_text
from fetchers.feed_items import MAX_CONTENT_CHARS, full_text
from fetchers.feeds import parse_feed
from newsflow.demo.site import blogger_site, post_path
from newsflow.models import FeedEntry
from tests.support.many_blogs import generated_post

SIGNATURE = "Thanks for reading! If this helped, share it with a friend and subscribe below."
POST = generated_post(3, 1)
STORY = "\n".join(POST.paragraphs)


def _extract(content: str | None):
    post = replace(POST, paragraphs=(*POST.paragraphs, SIGNATURE))
    site = blogger_site("A blog", [post], "http://blog.example", lang="en")
    url = "http://blog.example" + post_path(post)
    entry = FeedEntry(url, "http://blog.example/feed", content=content)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    page = site.files[post_path(post)][1]
    return extract_article(page, url, source="blog", fetched_at=when, entry=entry).text


def test_a_full_content_feed_bounds_the_story():
    assert SIGNATURE in _extract(None)  # the page alone keeps the signature
    assert _extract(STORY) == STORY


def test_an_excerpt_or_another_text_in_the_feed_leaves_the_text_as_it_is():
    whole = _extract(None)
    assert _extract(POST.paragraphs[0]) == whole  # the first paragraph only: an excerpt
    assert _extract(STORY[: len(STORY) - 40] + " […]") == whole
    assert _extract("\n".join(generated_post(4, 2).paragraphs)) == whole


def test_lines_outside_the_feed_text_at_either_end_go_and_inner_ones_stay():
    text = "Menu\nFirst line.\nA line the feed lacks, inside.\nLast line.\nShare this"
    feed = "First line.\nLast line."
    assert within_feed_text(text, feed) is None  # the feed's text is well under the page's
    feed = "First line. A line the feed has, inside, and a long one too.\nLast line."
    text = f"Menu\n{feed.splitlines()[0]}\nAn inner line.\nLast line.\nShare this"
    assert within_feed_text(text, feed) == f"{feed.splitlines()[0]}\nAn inner line.\nLast line."


def test_the_feed_entry_carries_its_full_content_bounded():
    rss = (
        b'<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules'
        b'/content/"><channel><title>t</title><item><link>http://x.example/a</link>'
        b"<description>A teaser</description><content:encoded><![CDATA[<p>One <b>line</b>."
        b"</p><p>Two.</p>]]></content:encoded></item><item><link>http://x.example/b</link>"
        b"<description>A teaser only</description></item></channel></rss>"
    )
    first, second = parse_feed(rss, "http://x.example/feed").entries
    assert first.content == "One line.\nTwo."
    assert second.content is None  # a summary is not the post
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<entry><id>1</id><link href="http://x.example/a"/><content type="html">'
        b"&lt;p&gt;Uno.&lt;/p&gt;&lt;p&gt;Dos.&lt;/p&gt;</content></entry></feed>"
    )
    assert parse_feed(atom, "http://x.example/feed").entries[0].content == "Uno.\nDos."
    assert len(full_text("<p>" + "x" * MAX_CONTENT_CHARS + "</p>")) == MAX_CONTENT_CHARS
    assert full_text("<p>" + "x" * (MAX_CONTENT_CHARS + 1) + "</p>") is None  # never cut
    assert full_text("Plain\n text", is_html=False) == "Plain\ntext"


def test_a_last_line_the_feed_words_a_little_differently_stays():
    story = [*generated_post(5, 1).paragraphs, "It passed by seven votes to two after a debate."]
    feed = "\n".join([*story[:-1], story[-1].replace("seven", "7")])
    text = "\n".join(["Home", *story, "Thanks for reading! Subscribe below."])
    assert within_feed_text(text, feed) == "\n".join(story)
    assert within_feed_text(text.replace("seven", "three"), feed).endswith(
        "three votes to two after a debate."
    )
