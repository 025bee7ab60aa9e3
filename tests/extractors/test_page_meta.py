"""What pages declare: paywall flag, keywords, labels; and news sitemap fields filling
what the page lacks."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import html

from extractors import categories
from extractors.article import extract_article
from extractors.page_meta import declared_categories, declared_keywords, free_access
from newsflow.models import Article, FeedEntry

BODY = "<p>" + "Der Stadtrat hat am Montag neue Radwege beschlossen. " * 8 + "</p>"


def page(head: str = "", body: str = BODY, lang: str = "de") -> bytes:
    return (f"<html lang='{lang}'><head><title>Radwege</title>{head}</head><body><article>"
            f"<h1>Radwege</h1>{body}</article></body></html>").encode()  # fmt: skip


def ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


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


def test_category_tagger_makes_one_tag_per_label_whatever_its_case():
    article = Article(url="u", source="s", text="t", content_hash="h", fetched_at=datetime.now(UTC),
                      categories=("NATO", "Eropa"), tags=("nato", "Brussel  Summit"))  # fmt: skip
    tags = categories.tag(article, None)
    assert [(t.kind, t.value, t.code) for t in tags] == [
        ("category", "NATO", "nato"), ("category", "Eropa", "eropa"),
        ("category", "Brussel Summit", "brussel summit"),
    ]  # fmt: skip
