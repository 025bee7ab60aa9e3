"""What feeds and news sitemaps declare besides links: categories, keywords, publication."""

from __future__ import annotations

from datetime import UTC, datetime

from fetchers.crawl import dedupe_entries
from fetchers.feeds import parse_feed
from fetchers.sitemaps import parse_sitemap

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://berita.example/2024/03/nato-brussel</loc>
    <news:news>
      <news:publication><news:name>Berita Contoh</news:name>
        <news:language>id</news:language></news:publication>
      <news:publication_date>2024-03-06T08:30:00+07:00</news:publication_date>
      <news:title>Stoltenberg di Brussel</news:title>
      <news:keywords>NATO, Rusia, Brussel, NATO</news:keywords>
    </news:news>
  </url>
  <url><loc>https://berita.example/tentang</loc><lastmod>2024-01-01</lastmod></url>
</urlset>"""

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>
<item><title>Post</title><link>https://blog.example/post</link>
<category>Politik</category><category domain="x">Eropa</category><category>Politik</category>
</item></channel></rss>"""

JSON_FEED = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J",
 "items": [{"id": "1", "url": "https://j.example/1", "tags": ["Kultur", " ", "Film"]}]}"""


def test_news_sitemap_fields_are_read():
    parsed = parse_sitemap(NEWS_SITEMAP, "https://berita.example/news-sitemap.xml")
    news, plain = parsed.urls
    assert news.title == "Stoltenberg di Brussel"
    assert news.published == datetime(2024, 3, 6, 1, 30, tzinfo=UTC)
    assert news.keywords == ("NATO", "Rusia", "Brussel")
    assert (news.language, news.publication) == ("id", "Berita Contoh")
    assert plain.keywords == () and plain.publication is None
    assert plain.updated == datetime(2024, 1, 1, tzinfo=UTC)


def test_feed_categories_are_read_from_rss_atom_and_json_feed():
    [entry] = parse_feed(RSS, "https://blog.example/feed").entries
    assert entry.categories == ("Politik", "Eropa")
    [item] = parse_feed(JSON_FEED, "https://j.example/feed.json").entries
    assert item.categories == ("Kultur", "Film")


def test_deduplicating_entries_keeps_what_they_declare():
    parsed = parse_sitemap(NEWS_SITEMAP, "https://berita.example/news-sitemap.xml")
    kept = dedupe_entries(list(parsed.urls))
    assert kept[0].keywords == ("NATO", "Rusia", "Brussel") and kept[0].publication
