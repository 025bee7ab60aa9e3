"""What each fault server endpoint must end as: the fault test's table, bench/faults' too."""

from __future__ import annotations

# Fault server path -> the outcome its page fetch must end with, in `fetches`.
FAULTS = {
    "/status/404": "gone",
    "/status/410": "gone",
    "/status/500": "http_error",
    "/status/403": "http_error",
    "/throttle": "http_error",
    "/redirect/chain/9": "too_many_redirects",
    "/redirect/loop-a": "redirect_loop",
    "/redirect/to?url=ftp://example.org/x": "blocked_private",
    "/slow": "timeout",
    "/hang": "timeout",
    "/reset": "reset",
    "/close": "reset",
    "/truncated": "truncated",
    "/huge": "too_large",
    "/huge-declared": "too_large",
    "/gzip-bomb": "too_large",
    "/bad-gzip": "decode_error",
    "/empty": "empty",
    "/private/x": "robots_denied",
    **dict.fromkeys(
        ["/pdf", "/pdf-as-html", "/png", "/binary", "/html-binary", "/feed.xml", "/feed-octet",
         "/headers", "/robots.txt"],
        "bad_content",
    ),
}  # fmt: skip
# Misbehaviour the fetcher rides out (retries, redirects, encodings): these end as articles.
SURVIVED = [
    "/ok", "/conditional", "/flaky-503", "/redirect/chain/3", "/sleep?s=0.2", "/gzip-ok",
    "/deflate-raw", "/no-type-html", "/legacy/cp1251", "/legacy/sjis",
]  # fmt: skip
