"""What pages declare: paywall flag, keywords, labels; and news sitemap fields filling
what the page lacks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import html

from extractors.article.extract import extract_article
from extractors.article.page_meta import read_page_meta, sniffed_language
from newsflow.models import FeedEntry

BODY = "<p>" + "Der Stadtrat hat am Montag neue Radwege beschlossen. " * 8 + "</p>"


def page(head: str = "", body: str = BODY, lang: str = "de") -> bytes:
    return (f"<html lang='{lang}'><head><title>Radwege</title>{head}</head><body><article>"
            f"<h1>Radwege</h1>{body}</article></body></html>").encode()  # fmt: skip


def ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


def free_access(tree) -> bool | None:
    return read_page_meta(tree).free_access


def declared_keywords(tree) -> tuple[str, ...]:
    return read_page_meta(tree).keywords


def declared_categories(tree) -> tuple[str, ...]:
    return read_page_meta(tree).labels


def test_free_access_true_false_and_unknown():
    assert free_access(html.fromstring(page(ld('{"isAccessibleForFree": false}')))) is False
    assert free_access(html.fromstring(page(ld('{"isAccessibleForFree": "True"}')))) is True
    nested = ld(
        '{"@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle",'
        ' "isAccessibleForFree": "false", "hasPart": {"cssSelector": ".paywall"}}]}'
    )
    assert free_access(html.fromstring(page(nested))) is False
    assert free_access(html.fromstring(page())) is None
    assert free_access(html.fromstring(page(ld("{not json")))) is None


def test_declared_keywords_from_meta_or_json_ld():
    meta = '<meta name="news_keywords" content="Radwege, Stadtrat; Verkehr">'
    assert declared_keywords(html.fromstring(page(meta))) == ("Radwege", "Stadtrat", "Verkehr")
    assert declared_keywords(html.fromstring(page(ld('{"keywords": ["A", "b", "a"]}')))) == (
        "A", "b",
    )  # fmt: skip
    assert declared_keywords(html.fromstring(page())) == ()


def test_declared_categories_from_tag_links_labels_and_meta():
    body = BODY + (
        "<a href='/tag/verkehr' rel='tag'>Verkehr</a>"
        "<a href='/category/stadt' rel='category tag'>Stadt</a>"
        "<span class='post-labels'>Labels: <a href='/search/label/Radwege'>Radwege</a></span>"
        "<a href='/search/label/Sidebar'>Sidebar</a>"
    )
    head = '<meta property="article:section" content="Lokales">'
    found = declared_categories(html.fromstring(page(head, body)))
    assert found == ("Verkehr", "Stadt", "Radwege", "Lokales")


def test_article_keeps_paywall_flag_and_fills_from_a_news_sitemap_entry():
    entry = FeedEntry(
        url="https://zeitung.example/radwege", feed_url="https://zeitung.example/news.xml",
        title="Neue Radwege", published=datetime(2024, 3, 4, tzinfo=UTC),
        keywords=("Radwege", "Stadtrat"), language="de", publication="Stadtzeitung",
        categories=("Lokales",),
    )  # fmt: skip
    body = page(ld('{"isAccessibleForFree": false}'), lang="")
    article = extract_article(
        body, entry.url, source="zeitung", fetched_at=datetime.now(UTC), entry=entry
    )
    assert article.free_access is False
    assert article.keywords_declared == ("Radwege", "Stadtrat")
    assert article.language == "de"  # the page declares none; the sitemap does
    assert article.site_name == "Stadtzeitung"
    assert article.published_at == datetime(2024, 3, 4, tzinfo=UTC)
    assert "Lokales" in article.categories


def test_the_page_wins_over_the_news_sitemap():
    entry = FeedEntry(url="https://z.example/a", feed_url="https://z.example/n.xml",
                      keywords=("Sitemap",), language="fr")  # fmt: skip
    body = page('<meta name="keywords" content="Seite">', lang="de")
    article = extract_article(body, entry.url, source="z", fetched_at=datetime.now(UTC),
                              entry=entry)  # fmt: skip
    assert article.keywords_declared == ("Seite",) and article.language == "de"


def test_one_json_ld_reading_gives_headline_and_paywall_flag():
    # A template's raw newline inside a string, and a type with parameters: still read.
    script = (
        '<script type="application/ld+json; charset=utf-8">{"@type": "NewsArticle",'
        ' "headline": "Neue\nRadwege", "isAccessibleForFree": "False",'
        ' "keywords": "Rad, Weg"}</script>'
    )
    meta = read_page_meta(html.fromstring(page(script)))
    assert (meta.ld_headline, meta.free_access, meta.keywords) == (
        "Neue Radwege", False, ("Rad", "Weg"),
    )  # fmt: skip


def test_a_live_blogs_large_json_ld_is_read_a_data_dump_is_not():
    updates = ", ".join(f'{{"@type": "BlogPosting", "text": "{"x" * 900}"}}' for _ in range(1000))
    live = f'{{"@type": "LiveBlogPosting", "headline": "Live", "liveBlogUpdate": [{updates}]}}'
    assert read_page_meta(html.fromstring(page(ld(live)))).ld_headline == "Live"
    dump = live.replace("x" * 900, "x" * 2500)
    assert read_page_meta(html.fromstring(page(ld(dump)))).ld_headline is None


@pytest.mark.parametrize(
    ("lang", "code"),
    [("pl", "pl"), ("pl-PL", "pl"), ("pl_PL", "pl"), ("PL", "pl"), ("polski", None), ("", None)],
)
def test_the_declared_language_reads_alike_before_and_after_decoding(lang, code):
    body = page(lang=lang)
    assert sniffed_language(body) == code
    assert read_page_meta(html.fromstring(body)).language == code


def test_content_language_meta_speaks_where_the_html_element_does_not():
    head = '<meta http-equiv="content-language" content="de-AT">'
    body = page(head, lang="").replace(b" lang=''", b"")
    assert read_page_meta(html.fromstring(body)).language == "de"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<h3 class='post-title entry-title'>Post</h3>", "Post"),
        ("<div class='post-title-wrap'>Wrapper</div><h2 class='entry-title'>Post</h2>", "Post"),
        ("<h1>Blog</h1><article><h1>Post</h1></article>", "Post"),
        ("<h1 class='post-titles'>Blog</h1><p>no post title here</p>", None),
        ("<article><h1>Post</h1></article><h3 class='post-title'>Next post</h3>", "Post"),
    ],
)
def test_the_post_title_is_the_first_whole_class_name_or_article_h1(body, expected):
    tree = html.fromstring(f"<html><body>{body}</body></html>")
    assert read_page_meta(tree).post_title == expected
