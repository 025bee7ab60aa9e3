"""Chooses when the article was published, and the UTC offset the publisher stated for it.

The instant alone loses the publisher's day: "2024-03-06T00:30+09:00" is March 5th in UTC,
while a reader in Tokyo (and the page) says March 6th. So the offset the page, the feed or
the sitemap wrote is kept beside the instant, NULL where none was written (a date without
a time, or a feed whose parser hands the instant over in UTC).

Which date: the feed's or sitemap's entry states a full timestamp for this very URL, so it
stands. Else the page's JSON-LD or <meta>; only where neither states one is a date guessed
from the page (htmldate, ~45 ms a page). A date in the URL's path ("/2024/03/06/") is the
one the CMS filed the story under when it was published: a page date more than a day away
from it is another date of the page (an update, a related story, an archive's), and the
URL's day is taken instead.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from htmldate import find_date

from newsflow.models import FeedEntry

log = logging.getLogger(__name__)

# A full date as a path segment or segments: /2024/03/06/, /2024-03-06/, /2024/3/6/.
_URL_DATE = re.compile(
    r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
)
# More than this away from the URL's day, a page's date is another date of the page; a
# day either way is the time zone between the CMS's clock and the page's.
MAX_DAYS_FROM_URL = 1


@dataclass(frozen=True, slots=True)
class Published:
    """When the article was published, and the offset its publisher stated (minutes east
    of UTC), None where none was stated."""

    at: datetime | None = None
    offset_minutes: int | None = None


def published(stated: str | None, tree, url: str, entry: FeedEntry | None) -> Published:
    """Returns the article's publication instant and stated offset (module docstring)."""
    page = _parsed_date(stated)
    if entry and entry.published:
        return Published(entry.published, _entry_offset(page, entry.published))
    page = page or _parsed_date(_guessed_date(tree, url))
    filed = url_date(url)
    if page and filed and abs((_local_day(page) - filed).days) > MAX_DAYS_FROM_URL:
        log.debug("page date %s is not the URL's day %s: %s", page, filed, url)
        return Published(datetime(filed.year, filed.month, filed.day, tzinfo=UTC), None)
    return Published(page, _offset(page))


def as_stated(value: str | None) -> Published:
    """Returns the instant an ISO date string states, with its offset where it states one."""
    when = _parsed_date(value)
    return Published(when, _offset(when))


def url_date(url: str) -> date | None:
    """Returns the date a URL's path files the page under ("/2024/03/06/"), if any."""
    match = _URL_DATE.search(url.split("?", 1)[0])
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:  # 2024/02/31
        return None


def _local_day(when: datetime) -> date:
    return when.date()  # in the offset the date was written with: the publisher's day


def _entry_offset(page: datetime | None, entry_at: datetime) -> int | None:
    """Returns the offset the page states, else a non-zero one the entry kept: feedparser
    hands every feed date over in UTC, so an entry's zero offset may not be the feed's."""
    if (stated := _offset(page)) is not None:
        return stated
    return _offset(entry_at) or None


def _offset(when: datetime | None) -> int | None:
    """Returns the offset `when` was written with, None where it was assumed UTC."""
    if when is None or when.tzinfo is None or when.tzinfo is _ASSUMED:
        return None
    offset = when.utcoffset()
    return int(offset / timedelta(minutes=1)) if offset is not None else None


# The zone given to a date written without one: UTC, but not stated by the publisher
# (told apart from a stated "Z" or "+00:00" by identity).
_ASSUMED = timezone(timedelta(0), "UTC, assumed")


def _parsed_date(value: str | None) -> datetime | None:
    try:
        when = datetime.fromisoformat(value) if value else None
    except ValueError:
        log.debug("unparsable page date %r", value)
        return None
    return when if when is None or when.tzinfo else when.replace(tzinfo=_ASSUMED)


def _guessed_date(tree, url: str) -> str | None:
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    return find_date(tree, url=url, original_date=True, extensive_search=True, max_date=today)
