"""Feed discovery, feed guessing, article links and canonical URLs on real and small pages."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from fetchers.discovery import article_links, canonical_url, discover_feeds, guess_feed_urls


@pytest.fixture(scope="module")
def page(corpus_dir, pages_index):
    """Returns a function: corpus page name -> its bytes and the URL it was archived from."""
    urls = {item["file"]: item["url"] for item in pages_index}
    return lambda name: ((corpus_dir / "pages" / name).read_bytes(), urls[name])


# --- discover_feeds on real pages ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "feeds"),
    [
        # Blogger: Atom and RSS posts feeds; the post's comment feed is skipped.
        ("blog.python.org.html",
         ["http://blog.python.org/feeds/posts/default",
          "http://blog.python.org/feeds/posts/default?alt=rss"]),
        # WordPress: site feed kept; /comments/feed/ and the post's "Kommentar-Feed" skipped.
        ("0a962f6bcd5649f7a7e6effa338df80d.html", ["https://neunzehn72.de/feed/"]),
        # Polish WordPress: "Kanał z komentarzami" titles mark the comment feeds.
        ("Finowie_odkrywaj_wino_Res_Publica_Nowa.html",
         ["https://publica.pl/feed/", "https://publica.pl/feed"]),
        # Only a per-post comment feed is declared.
        ("Koncesjonowana_opozycja_-Leszek_Ja_d_ewski_-_Libert_.html", []),
        # application/json that is the WordPress REST API, plus a comments feed: nothing.
        ("youhadmeatgardening.com.lemon.html", []),
        # Protocol-relative hrefs take the page's scheme.
        ("backenmachtgluecklich.de.zitronenkuchen.html",
         ["https://www.backenmachtgluecklich.de/feed"]),
        ("24horas.cl-segundo.html",
         ["https://www.24horas.cl/politica/?widgetName=rssfeed&widgetId=2391765&getXmlFeed=true"]),
        ("football.ua.podolski.html",
         ["https://football.ua/rss2.ashx", "https://football.ua/rss2.ashx?c=author_newsi",
          "https://football.ua/rss2.ashx?c=top"]),
        ("d90b19386e2b48559082547016cbe5ec.html", ["https://www.sat1regional.de/feed/"]),
    ],
)  # fmt: skip
def test_discover_feeds_on_real_pages(name: str, feeds: list[str], page) -> None:
    assert discover_feeds(*page(name)) == feeds


def test_discover_feeds_keeps_document_order(page) -> None:
    feeds = discover_feeds(*page("Eurostat_Polska_z_najni_szym_bezrobociem_w_ca_ej_UE.html"))
    assert len(feeds) == 12
    assert feeds[:3] == [
        "https://dorzeczy.pl/feed",
        "https://dorzeczy.pl/feed/kraj",
        "https://dorzeczy.pl/feed/swiat",
    ]
    assert feeds[-1] == "https://dorzeczy.pl/feed/obserwator-mediow"


def test_no_corpus_page_yields_a_comment_feed(page, pages_index) -> None:
    found = [url for item in pages_index for url in discover_feeds(*page(item["file"]))]
    assert len(found) > 60
    assert not [url for url in found if "comments" in url or "/wp-json/" in url]


# --- discover_feeds on small handwritten HTML ----------------------------------------

HANDWRITTEN = b"""<!doctype html><html><head>
<base href="https://example.org/blog/">
<link rel="alternate" type="application/rss+xml" href="rss.xml">
<link rel="alternate" type="application/rss+xml" title="Commentary &raquo; Feed" href="/c.xml">
<link rel="Alternate nofollow" type="application/atom+xml; charset=utf-8" href="/atom.xml">
<link rel="alternate" type="application/feed+json" href="https://example.org/feed.json">
<link rel="alternate" type="application/json+oembed" href="/oembed?url=x">
<link rel="alternate" type="text/html" hreflang="de" href="/de/">
<link rel="stylesheet" type="application/rss+xml" href="/not-alternate.xml">
<link rel="alternate" type="application/rss+xml" title="Site &raquo; Comments Feed"
      href="/all-comments.xml">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="rss.xml">
<link rel="canonical" href="/blog/post-1">
<meta property="og:url" content="https://example.org/og">
</head><body><p>unclosed <div>
"""


def test_discover_feeds_on_handwritten_page() -> None:
    assert discover_feeds(HANDWRITTEN, "https://cdn.example.net/page") == [
        "https://example.org/blog/rss.xml",  # resolved against <base href>
        "https://example.org/c.xml",  # "Commentary" is not a comments feed
        "https://example.org/atom.xml",
        "https://example.org/feed.json",
    ]


@pytest.mark.parametrize(
    "html",
    [b"", b"   ", b"\x00\xff\xfe", b"<<<>>>", b"<html><head><link rel=alternate", b"\xef\xbb\xbf"],
)
def test_bad_html_never_raises(html: bytes) -> None:
    assert discover_feeds(html, "http://example.com/") == []
    assert article_links(html, "http://example.com/") == []
    assert canonical_url(html, "http://example.com/") is None


def test_unclosed_markup_still_yields_its_feed() -> None:
    html = b"<html><head><link rel=alternate type='application/rss+xml' href='/rss'><body><p>"
    assert discover_feeds(html, "http://example.com/a/b") == ["http://example.com/rss"]


# --- guess_feed_urls -----------------------------------------------------------------


def test_guess_without_html_puts_wordpress_first() -> None:
    assert guess_feed_urls("https://example.org/") == [
        "https://example.org/feed/",
        "https://example.org/rss.xml",
        "https://example.org/atom.xml",
        "https://example.org/index.xml",
        "https://example.org/feed.xml",
        "https://example.org/feeds/posts/default",
        "https://example.org/feeds/posts/default?alt=rss",
    ]


def test_guess_blogspot_host_puts_blogger_first() -> None:
    assert guess_feed_urls("https://foo.blogspot.com/")[:3] == [
        "https://foo.blogspot.com/feeds/posts/default",
        "https://foo.blogspot.com/feeds/posts/default?alt=rss",
        "https://foo.blogspot.com/feed/",
    ]


@pytest.mark.parametrize(
    ("name", "home", "first"),
    [
        # Blogger on its own domain, known by its generator tag.
        ("derpapierplanet.de.juni.html", "https://www.derpapierplanet.de/",
         "https://www.derpapierplanet.de/feeds/posts/default"),
        ("0a962f6bcd5649f7a7e6effa338df80d.html", "https://neunzehn72.de/",
         "https://neunzehn72.de/feed/"),
        # WordPress without a generator tag, known by its /wp-content/ paths.
        ("youhadmeatgardening.com.lemon.html", "https://youhadmeatgardening.com/",
         "https://youhadmeatgardening.com/feed/"),
        # Neither: the generic names come first.
        ("toptal.com.python.html", "https://www.toptal.com/", "https://www.toptal.com/rss.xml"),
    ],
)  # fmt: skip
def test_guess_ranks_by_platform_markup(name: str, home: str, first: str, page) -> None:
    html, _ = page(name)
    assert guess_feed_urls(home, html)[0] == first


def test_guess_tries_a_blog_directory_before_the_root() -> None:
    html = b'<link rel="stylesheet" href="/blog/wp-content/themes/x/style.css">'
    assert guess_feed_urls("https://example.org/blog/", html)[:3] == [
        "https://example.org/blog/feed/",
        "https://example.org/feed/",
        "https://example.org/blog/rss.xml",
    ]


def test_guess_uses_the_generators_own_feed_name() -> None:
    html = b'<html><head><meta name="generator" content="Hugo 0.121.1"></head></html>'
    assert guess_feed_urls("https://example.org/", html)[0] == "https://example.org/index.xml"


# --- article_links -------------------------------------------------------------------

_EXCLUDED_SEGMENTS = {"tag", "category", "label", "search", "author", "feed", "comments", "page"}


def test_article_links_on_a_blogger_page(page) -> None:
    links = article_links(*page("blog.python.org.html"))
    assert "http://blog.python.org/2016/12/python-2713-released.html" in links
    assert "http://blog.python.org/2017/08/" not in links  # a month archive, not an article
    assert not [link for link in links if "showComment" in link or "#" in link]
    assert {urlsplit(link).hostname for link in links} == {"blog.python.org"}


def test_article_links_on_a_wordpress_page_with_comments(page) -> None:
    links = article_links(*page("zulang.wordpress.com.genitalverstuemmelung.html"))
    assert "https://zulang.wordpress.com/2014/04/08/das-f-wort-teil-2/" in links
    assert not [link for link in links if "like_comment" in link or "replytocom" in link]


def test_article_links_on_dated_news_paths(page) -> None:
    links = article_links(*page("xinhuanet.com.c_1125597921.html"))
    assert links[0] == "http://www.xinhuanet.com/politics/2020-02/19/c_1125598009.htm"
    assert "http://www.xinhuanet.com/local/2020-02/19/c_1125597921.htm" not in links  # itself


def test_article_links_resolve_against_base_href(page) -> None:
    links = article_links(*page("regards.fr.enquetes.html"))
    assert any(
        link.startswith("http://www.regards.fr/politique/article/affaire-benalla") for link in links
    )
    assert not [link for link in links if "/politique/article/politique/" in link]
    assert not [link for link in links if "/mot/" in link]  # SPIP keyword pages


def test_article_links_skip_legal_pages_and_author_pages(page) -> None:
    links = article_links(*page("aoc.media.archaisme.html"))
    assert links == []  # only /auteur/ pages and the terms of sale link out


def test_article_links_limit_and_order(page) -> None:
    html, url = page("dailymail.co.uk.food.html")
    everything = article_links(html, url, limit=10_000)
    assert len(everything) > 200
    assert article_links(html, url) == everything[:200]
    assert article_links(html, url, limit=5) == everything[:5]
    assert len(set(everything)) == len(everything)


def test_no_corpus_page_yields_listing_or_asset_links(page, pages_index) -> None:
    for item in pages_index:
        for link in article_links(*page(item["file"])):
            parts = urlsplit(link)
            assert not _EXCLUDED_SEGMENTS.intersection(parts.path.lower().split("/")), link
            assert not parts.fragment, link
            assert not parts.path.lower().endswith((".jpg", ".png", ".css", ".js", ".pdf")), link


def test_article_links_on_handwritten_page() -> None:
    html = b"""<html><body>
      <a href="/2024/05/my-first-post.html">Blogger post</a>
      <a href="/2024/05/13/wordpress-style-post/">WordPress post</a>
      <a href="/2024/05/13/wordpress-style-post/#comments">its comments</a>
      <a href="/2024/05/13/wordpress-style-post/#respond">reply</a>
      <a href="https://www.example.org/news/a-long-headline-about-something-new">www alias</a>
      <a href="/search/label/python">label</a>
      <a href="/tag/some-long-tag-name-here/">tag</a>
      <a href="/category/news/another-long-category/">category</a>
      <a href="/author/jane-doe-the-writer/">author</a>
      <a href="/page/2/">next page</a>
      <a href="/2024/05/">archive</a>
      <a href="/wp-content/uploads/2024/05/a-big-photo-of-things.jpg">image</a>
      <a href="/about">about</a>
      <a href="/privacy-policy-and-cookie-settings">privacy</a>
      <a href="https://other.example.com/2024/05/elsewhere-post.html">other site</a>
      <a href="mailto:me@example.org">mail</a>
      <a href="/2024/05/my-first-post.html?share=twitter">share</a>
      <a href="/2024/05/my-first-post.html">duplicate</a>
    </body></html>"""
    assert article_links(html, "https://example.org/") == [
        "https://example.org/2024/05/my-first-post.html",
        "https://example.org/2024/05/13/wordpress-style-post/",
        "https://www.example.org/news/a-long-headline-about-something-new",
    ]


# --- canonical_url -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("d90b19386e2b48559082547016cbe5ec.html",
         "https://www.sat1regional.de/newsticker/verhaertete-fronten-nach-tumulten-bei-luckes-vorlesung/"),
        ("bumsbutzener-gumpfen.blogspot.com.tach-auch.html",
         "http://bumsbutzener-gumpfen.blogspot.com/2020/04/tach-auch.html"),
        # No <link rel=canonical>: og:url is used.
        ("Rosjanie_sugeruj_natychmiastowe_odci_cie_Polski_od_gazu_-_Energetyka24.html",
         "https://www.energetyka24.com/rosjanie-sugeruja-natychmiastowe-odciecie-polski-od-gazu"),
        ("archive.org.he.xinhuanet.com.25340717.html", None),
    ],
)  # fmt: skip
def test_canonical_url_on_real_pages(name: str, canonical: str | None, page) -> None:
    assert canonical_url(*page(name)) == canonical


def test_canonical_url_prefers_link_then_og_url() -> None:
    assert canonical_url(HANDWRITTEN, "https://x.test/") == "https://example.org/blog/post-1"
    og_only = b'<head><meta property="og:url" content="/story/1"></head>'
    assert canonical_url(og_only, "https://news.example/a?b=c") == "https://news.example/story/1"
