"""Binary content is judged by its share of control bytes: a page with stray NULs is a page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extractors.article.extract import extract_article
from newsflow.charset import looks_binary
from newsflow.demo.site import Site, SiteServer
from tests.support.fetching import fetch

STORY = (
    "The harbour authority said on Monday that the new ferry line would open in spring, "
    "linking the island's two largest towns for the first time in thirty years."
)
# A CMS that pads fields with NULs: three stray NULs in the first kilobyte.
PAGE = (
    b"<!DOCTYPE html><html lang='en'><head><title>Ferry\x00</title>"
    b"<meta name='generator' content='cms\x00\x00'></head><body><article><h1>Ferry</h1>"
    + b"".join(b"<p>%d. %s</p>" % (n, STORY.encode()) for n in range(4))
    + b"</article></body></html>"
)


def test_a_page_with_stray_nul_bytes_is_fetched_and_extracted():
    site = Site({"/ferry.html": ("text/html; charset=utf-8", PAGE)})
    with SiteServer(lambda base: site) as server:
        result = fetch(server.base_url + "/ferry.html")

    assert result.outcome == "ok", result.error
    article = extract_article(
        result.body, result.url, source="s", fetched_at=datetime.now(UTC),
        content_type=result.content_type,
    )  # fmt: skip
    assert f"0. {STORY}" in article.text and f"3. {STORY}" in article.text
    assert "\x00" not in article.text and "\ufffd" not in article.text


@pytest.mark.parametrize(
    ("body", "binary"),
    [
        (PAGE, False),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, True),
        (bytes(range(256)) * 8, True),  # random-ish: 11% control bytes
        (b"<html>" + b"\x00" * 300 + b"x" * 3000, True),  # NUL padding: 7% of the head
        ("<html><body>é</body></html>".encode("utf-16-le"), False),  # UTF-16, no BOM
    ],
)
def test_binary_is_judged_by_proportion(body, binary):
    assert looks_binary(body) is binary
