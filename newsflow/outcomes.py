"""What became of one fetch: the one vocabulary of `fetches.outcome`.

Fetching, retries, planning, storage, the run report and README's list all use these
values; `Outcome.transient` says which are worth another try later the same night.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """The value of `fetches.outcome` (and `feeds.last_outcome`)."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    GONE = "gone"  # 404/410: not asked again
    HTTP_ERROR = "http_error"
    SERVER_ERROR = "server_error"  # a 5xx while retries remain; stored as http_error
    TIMEOUT = "timeout"
    CONNECT_ERROR = "connect_error"
    RESET = "reset"
    TRUNCATED = "truncated"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    REDIRECT_LOOP = "redirect_loop"
    ROBOTS_DENIED = "robots_denied"
    BLOCKED_PRIVATE = "blocked_private"
    BAD_URL = "bad_url"
    BAD_CONTENT = "bad_content"
    EMPTY = "empty"
    DECODE_ERROR = "decode_error"
    NOT_A_FEED = "not_a_feed"
    NOT_A_SITEMAP = "not_a_sitemap"
    EXTRACT_ERROR = "extract_error"
    INTERNAL_ERROR = "internal_error"

    @property
    def transient(self) -> bool:
        """True when the same request may well work on a second try."""
        return self in _TRANSIENT

    @property
    def as_stored(self) -> Outcome:
        """The outcome a `fetches` row records for this one once retries are spent: a 5xx
        is then an http_error like the others."""
        return Outcome.HTTP_ERROR if self is Outcome.SERVER_ERROR else self

    @property
    def answered(self) -> bool:
        """True when the server answered usefully: the body is new, or ours is current."""
        return self in (Outcome.OK, Outcome.NOT_MODIFIED)


_TRANSIENT = frozenset(
    {Outcome.TIMEOUT, Outcome.CONNECT_ERROR, Outcome.RESET, Outcome.TRUNCATED,
     Outcome.SERVER_ERROR}
)  # fmt: skip
