"""normalize_url and host_of: one key per article, one politeness unit per host."""

from __future__ import annotations

import pytest

from fetchers.urls import host_of, normalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM:80/a/b?x=1#frag", "http://example.com/a/b?x=1"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/p", "https://example.com:8443/p"),
        ("http://example.com./p", "http://example.com/p"),
        (
            "https://blog.example/2024/05/post.html?utm_source=rss&utm_medium=feed&id=7"
            "&fbclid=abc&gclid=x&mc_cid=1&mc_eid=2&igshid=3&yclid=4&_ga=5&ref_src=tw&spm=a.b",
            "https://blog.example/2024/05/post.html?id=7",
        ),
        ("https://x.blogspot.com/2024/01/a.html?m=1", "https://x.blogspot.com/2024/01/a.html"),
        ("https://x.example/a?m=2&b=1", "https://x.example/a?m=2&b=1"),  # only m=1 is Blogger's
        ("https://x.example/a?z=1&a=2&UTM_Campaign=q", "https://x.example/a?z=1&a=2"),
        ("https://x.example/s?q=a+b&r=c%20d", "https://x.example/s?q=a+b&r=c%20d"),  # as written
        ("https://x.example/s?flag&&k=", "https://x.example/s?flag&k="),
        ("https://x.example/%7euser/%c3%a9", "https://x.example/~user/%C3%A9"),
        ("https://x.example/a b/é", "https://x.example/a%20b/%C3%A9"),
        ("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"),
        ("https://Bücher.example/", "https://xn--bcher-kva.example/"),
        ("https://user:pw@Example.com/", "https://example.com/"),  # a password is no key
        ("  https://example.com/p  ", "https://example.com/p"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("/b?utm_source=x", "https://Example.com/a/", "https://example.com/b"),
        ("c.html#top", "https://example.com/a/b.html", "https://example.com/a/c.html"),
        ("//cdn.example/x", "https://example.com/", "https://cdn.example/x"),
        ("https://other.example/", "https://example.com/", "https://other.example/"),
    ],
)
def test_normalize_url_resolves_against_base(url: str, base: str, expected: str) -> None:
    assert normalize_url(url, base) == expected


def test_normalize_url_is_idempotent() -> None:
    once = normalize_url("HTTPS://Ex.com:443/%7ea/b c?utm_x=1&q=é#f")
    assert normalize_url(once) == once


def test_normalize_url_keeps_a_malformed_port_instead_of_raising() -> None:
    assert normalize_url("http://Example.com:port/x") == "http://example.com:port/x"


def test_normalize_url_leaves_non_hierarchical_urls_alone() -> None:
    assert normalize_url("mailto:Someone@Example.com") == "mailto:Someone@Example.com"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://News.Example.com/a", "news.example.com"),
        ("http://example.com:80/", "example.com"),
        ("https://example.com:443/", "example.com"),
        ("http://example.com:8080/", "example.com:8080"),
        ("http://127.0.0.1:5000/x", "127.0.0.1:5000"),
        ("http://[::1]:8000/", "[::1]:8000"),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host
