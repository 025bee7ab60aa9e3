"""Which bodies pass as pages when the server's content type does not say HTML."""

from __future__ import annotations

import pytest

from fetchers.content import acceptable


@pytest.mark.parametrize(
    "body",
    [
        b"<!-- auth - false --><!doctype html><html><body><p>story</p></body></html>",
        b"\xef\xbb\xbf<!DOCTYPE html><html><body><p>story</p></body></html>",
        b"\n  <html lang='de'><body><p>story</p></body></html>",
        b"<script>var a = 1;</script><html><body><p>story</p></body></html>",
    ],
)
def test_html_served_without_a_type_is_a_page(body):
    # The WHATWG sniffing patterns: a leading comment, BOM or <script> is still HTML.
    assert acceptable("page", "application/octet-stream", body)
    assert acceptable("page", "", body)


@pytest.mark.parametrize(
    "body", [b"%PDF-1.7 ...", b"\x89PNG\r\n\x1a\n", b"<?xml version='1.0'?><rss/>", b"plain words"]
)
def test_other_bodies_served_without_a_type_are_not_pages(body):
    assert not acceptable("page", "application/octet-stream", body)
