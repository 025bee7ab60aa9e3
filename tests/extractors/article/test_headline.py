"""The headline chosen among the places a page states it, cut free of the site name, and
the page metadata it is chosen from (JSON-LD, <meta>, <h1>)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from trafilatura.utils import load_html

from extractors.article.extract import extract_article
from extractors.article.furniture import line_key
from extractors.article.headline import choose_headline, strip_site_name
from extractors.article.page_meta import PageMeta, read_page_meta
from newsflow.models import FeedEntry, SourceFurniture


def _page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}<p>{'Story text. ' * 40}</p></body></html>"


def _meta(head: str = "", body: str = "") -> PageMeta:
    return read_page_meta(load_html(_page(head, body)))


LD = """<script type="application/ld+json">{
  "@context": "https://schema.org", "@type": "NewsArticle",
  "headline": "Ministers agree on a new budget &amp; tax plan",
  "datePublished": "2024-08-04T23:30:00+02:00",
  "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "Max Roe"}],
  "publisher": {"@type": "Organization", "name": "Daily Example"}}</script>"""


def test_json_ld_headline_wins_and_is_unescaped():
    meta = _meta(
        LD + "<title>Budget deal | Daily Example</title>"
        '<meta property="og:title" content="Budget: a deal at last">',
        "<h1>Ministers agree on a new budget &amp; tax plan</h1>",
    )
    assert choose_headline(meta) == "Ministers agree on a new budget & tax plan"
    assert meta.authors == ("Jane Doe", "Max Roe")
    assert meta.published == "2024-08-04T23:30:00+02:00"
    assert "Daily Example" in meta.site_names


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Floods recede in the north | Daily Example", "Floods recede in the north"),
        ("Daily Example - Floods recede in the north", "Floods recede in the north"),
        ("Floods recede in the north – Daily Example.com", "Floods recede in the north"),
        ("東京で大雨：デイリー例", "東京で大雨"),
        ("Floods: the north recovers", "Floods: the north recovers"),  # no site part: kept
    ],
)
def test_site_name_is_cut_from_either_end(title, expected):
    sites = {"dailyexample", "デイリー例"}
    assert strip_site_name(title, sites) == expected


def test_without_json_ld_the_h1_another_source_repeats_is_the_headline():
    meta = _meta(
        '<meta property="og:site_name" content="Daily Example">'
        "<title>Floods recede in the north | Daily Example</title>",
        "<h1>Daily Example</h1><h1>Floods recede in the north</h1><h1>Sport in brief</h1>",
    )
    assert choose_headline(meta) == "Floods recede in the north"


def test_a_blog_name_in_the_h1_is_not_the_headline():
    # Blogger themes: the blog's name in <h1>, the post's title in <h3> and og:title.
    meta = _meta(
        '<meta property="og:site_name" content="Kabar Dunia">'
        '<meta property="og:title" content="Rusia dan NATO Bertemu di Brussel">'
        "<title>Kabar Dunia: Rusia dan NATO Bertemu di Brussel</title>",
        "<h1>Kabar Dunia</h1><h3>Rusia dan NATO Bertemu di Brussel</h3>",
    )
    assert choose_headline(meta) == "Rusia dan NATO Bertemu di Brussel"


def test_a_kicker_another_source_leaves_out_is_dropped():
    meta = _meta(
        '<meta property="og:title" content="Drusen fordern Teilhabe statt Schutzgarantien">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline":'
        ' "Minderheit in Syrien - Drusen fordern Teilhabe statt Schutzgarantien"}</script>'
    )
    assert choose_headline(meta) == "Drusen fordern Teilhabe statt Schutzgarantien"


def test_only_a_title_tag_still_gives_a_headline_and_none_gives_none():
    assert choose_headline(_meta("<title>Just a title</title>")) == "Just a title"
    assert choose_headline(_meta()) is None


def test_broken_json_ld_and_a_url_as_author_are_ignored():
    meta = _meta(
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
        '<meta name="author" content="https://example.org/staff/jane">'
        '<meta property="article:published_time" content="2024-01-02T03:04:05Z">'
    )
    assert meta.ld_headline is None
    assert meta.authors == ()
    assert meta.published == "2024-01-02T03:04:05Z"


def test_graph_json_ld_and_rel_tag_links_are_read():
    meta = _meta(
        '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"},'
        ' {"@type": "BlogPosting", "headline": "A post", "author": "Ann Lee"}]}</script>',
        '<a rel="tag" href="/t/nato">NATO</a><a rel="tag" href="/t/rusia">Rusia</a>',
    )
    assert (meta.ld_headline, meta.authors) == ("A post", ("Ann Lee",))
    assert meta.tags == ("NATO", "Rusia")


def _ld(headline: str) -> str:
    return (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        f'"{headline}"}}</script>'
    )


def test_a_kicker_og_title_keeps_is_kept():
    # The kicker is glued into the <h1> and <title> but left out of JSON-LD: og:title,
    # the line an editor writes to stand alone, keeps it, so it belongs to the headline.
    meta = _meta(
        _ld("Der 9. Juli naht: Gewerkschaften demonstrieren Einheit") + '<meta property="og:title"'
        ' content="Nationale Demo / Der 9. Juli naht: Gewerkschaften demonstrieren Einheit">'
        "<title>Nationale Demo Der 9. Juli naht: Gewerkschaften demonstrieren Einheit</title>",
        "<h1><span>Nationale Demo</span>Der 9. Juli naht: Gewerkschaften demonstrieren"
        " Einheit</h1>",
    )
    assert choose_headline(meta) == (
        "Nationale Demo / Der 9. Juli naht: Gewerkschaften demonstrieren Einheit"
    )


def test_a_kicker_json_ld_and_og_title_agree_on_is_kept_though_the_h1_leaves_it_out():
    meta = _meta(
        _ld("Rückbau von Atomkraftwerk - Kühltürme von AKW Gundremmingen gesprengt")
        + '<meta property="og:title"'
        ' content="Rückbau von Atomkraftwerk - Kühltürme von AKW Gundremmingen gesprengt">',
        "<h1>Kühltürme von AKW Gundremmingen gesprengt</h1>",
    )
    assert choose_headline(meta) == (
        "Rückbau von Atomkraftwerk - Kühltürme von AKW Gundremmingen gesprengt"
    )


def test_an_escaped_json_ld_headline_is_worded_as_og_title_states_it():
    # "&#8216;" in JSON-LD: a template escaped the rendered title (quotes curled, a dash
    # for the colon); og:title holds the same words as the editor typed them.
    meta = _meta(
        _ld("R&uuml;ckbau - Strava unveils &#8216;family&#8217; plan")
        + '<meta property="og:site_name" content="TechNews">'
        '<meta property="og:title" content="Rückbau: Strava unveils \'family\' plan | TechNews">',
        "<h1>Rückbau - Strava unveils ‘family’ plan</h1>",
    )
    assert meta.ld_headline.startswith("R&uuml;ckbau")
    assert choose_headline(meta) == "Rückbau: Strava unveils 'family' plan"


def test_a_plain_json_ld_headline_keeps_its_own_wording():
    meta = _meta(
        _ld("Doing What’s Right, Not What’s Easy")
        + '<meta property="og:title" content="Doing What\'s Right, Not What\'s Easy">'
    )
    assert choose_headline(meta) == "Doing What’s Right, Not What’s Easy"


def test_og_title_does_not_reword_the_h1_when_there_is_no_json_ld():
    # A site-wide prefix in og:title and <title> ("Pétition : ") is not the h1's kicker.
    head = '<meta property="og:title" content="Pétition : Non à la fermeture du choeur">'
    meta = _meta(head + "<title>Pétition : Non à la fermeture du choeur</title>",
                 "<h1>Non à la fermeture du choeur</h1>")  # fmt: skip
    assert choose_headline(meta) == "Non à la fermeture du choeur"


def test_what_follows_the_site_name_in_a_title_is_cut_with_it():
    sites = {"journelles"}
    title = "Christmas Gift Guide | Journelles | Jetzt entdecken!"
    assert strip_site_name(title, sites) == "Christmas Gift Guide"
    assert strip_site_name("Journelles | Gift Guide | Journelles", sites) == "Gift Guide"


def test_a_site_name_og_title_puts_in_front_is_not_taken_for_a_kicker():
    meta = _meta(
        _ld("Floods recede in the north after a week") + '<meta property="og:title"'
        ' content="Northern Echo: Floods recede in the north after a week">',
        "<h1>Floods recede in the north after a week</h1>",
    )
    assert choose_headline(meta) == "Floods recede in the north after a week"


# Blogger's own template as it serves a post: the blog's name in a home-linking <h1>, the
# post's title in an <h3 class='post-title entry-title'>, <title> "Blog: Post", og:title
# the post's title, and no og:site_name.
BLOGGER_POST = """<html><head><title>Kabar Dunia: Rusia dan NATO Bertemu di Brussel</title>
<meta content='Rusia dan NATO Bertemu di Brussel' property='og:title'/></head><body>
<header><h1 class='title'><a href='https://kabar.example/'>Kabar Dunia</a></h1></header>
<div class='post hentry'><h3 class='post-title entry-title'>Rusia dan NATO Bertemu di Brussel</h3>
<div class='post-body entry-content'><p>{text}</p></div></div></body></html>"""


def test_a_blogger_post_is_titled_by_its_post_not_its_blog():
    page = BLOGGER_POST.format(text="Pejabat Rusia dan NATO bertemu di Brussel. " * 30)
    article = extract_article(
        page.encode(), "https://kabar.example/2022/01/rusia.html", source="kabar",
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC), content_type="text/html",
    )  # fmt: skip
    assert article.title == "Rusia dan NATO Bertemu di Brussel"


def test_an_h1_linking_home_is_the_site_name_even_where_the_title_repeats_it():
    meta = _meta(
        "<title>Notes from Nowhere: A walk in the hills</title>",
        "<h1><a href='/'>Notes from Nowhere</a></h1><h2>A walk in the hills</h2>",
    )
    assert meta.home_h1s == ("Notes from Nowhere",)
    assert choose_headline(meta) == "A walk in the hills"


def test_post_title_markup_is_read_before_a_bare_h1():
    meta = _meta(
        "<title>Holiday notes: Ten days in Lisbon</title>"
        "<meta property='og:title' content='Ten days in Lisbon'>",
        "<h1>Holiday notes</h1><article><h2 class='entry-title'>Ten days in Lisbon</h2></article>",
    )
    assert choose_headline(meta) == "Ten days in Lisbon"


def test_an_h1_the_source_repeats_on_every_page_is_its_name():
    meta = _meta("<title>The Weekly Ledger | A budget at last</title>", "<h1>Weekly Ledger</h1>")
    remembered = SourceFurniture(title_starts=frozenset({line_key("Weekly Ledger")}))
    assert choose_headline(meta) == "Weekly Ledger"  # the page alone cannot tell
    assert choose_headline(meta, furniture=remembered) == "A budget at last"


def test_the_feed_names_the_site_and_titles_the_entry():
    meta = _meta("<title>Daily Planet</title>", "<h1>Daily Planet</h1>")
    entry = FeedEntry(
        url="https://planet.example/a", feed_url="https://planet.example/feed",
        title="Storm closes the harbour", publication="Daily Planet",
    )  # fmt: skip
    assert choose_headline(meta, entry=entry) == "Storm closes the harbour"


@pytest.mark.parametrize("title", ["https://planet.example/a.html", "/corpus/a-post.html"])
def test_a_feed_entry_titled_with_its_address_titles_nothing(title):
    meta = _meta("<title>Storm closes the harbour - Daily Planet</title>", "<p>Text</p>")
    entry = FeedEntry(
        url="https://planet.example/a", feed_url="https://planet.example/feed", title=title,
        publication="Daily Planet",
    )  # fmt: skip
    assert choose_headline(meta, entry=entry) == "Storm closes the harbour"


def test_an_application_name_that_is_the_page_s_title_names_no_site():
    title = "The man whose duvet nearly killed him: How this medical mystery was solved"
    meta = _meta(
        f"<title>{title}</title><meta property='og:title' content='{title}'>"
        f"<meta name='application-name' content='{title}'>"
        "<meta property='og:site_name' content='MSN'>",
        f"<h1>{title}</h1>",
    )
    assert choose_headline(meta, "https://www.msn.com/en-gb/health/a") == title
