"""Chooses the article's headline among the places a page states it, without the site name.

`<title>` and `og:title` usually carry the site's name ("Headline | Site", "Site - Headline")
and sometimes a section; the JSON-LD `headline` and the `<h1>` usually do not, but a page
may hold several `<h1>`s (logo, teasers) and JSON-LD is sometimes stale or absent. So each
candidate is first cut free of the site names the page itself states, then the most trusted
source speaks (JSON-LD, an <h1> another source repeats, og:title, twitter:title, <title>),
and og:title settles the JSON-LD headline's kicker and wording where both state it.

Majority votes between the sources were measured and lost to this order: where JSON-LD
and og:title state different headlines (an SEO and a social variant), the other sources
copy one or the other by the site's templates, and neither side is right more often.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

from extractors.article.furniture import line_key
from extractors.article.page_meta import PageMeta
from newsflow.models import FeedEntry, SourceFurniture

# Separators publishers put between headline, section and site name, in any script.
_SEPARATOR = re.compile(r"\s+[|\-–—:·•*»/]{1,2}\s+|\s*[｜|：]\s*|\s+::\s+")
# Sources in order of trust: the first three rarely carry the site's name. The feed
# entry's title is the feed's own and has no site name, but feeds shorten and reword.
_SOURCES = ("ld", "h1", "og", "twitter", "feed", "title")
# Where a kicker ends and the headline starts: "Kicker: ", "Kicker - ", "Kicker / ".
_KICKER = re.compile(r"[:|/·»]\s+|\s+[\-–—]\s+")
# A leading part closed by a colon ("Blog name: Post title").
_NAME_COLON = re.compile(r"([^:]{2,80}?):\s+")
# A feed entry titled with an address ("https://…/post.html", "/2024/05/post"): some
# generators put the link where an entry has no title; it names no story.
_ADDRESS = re.compile(r"\s*(\w+://|/)\S*\s*")
# A character reference left in a JSON-LD string ("&#8216;", "&uuml;").
_ESCAPED = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)


def choose_headline(
    meta: PageMeta,
    url: str = "",
    *,
    entry: FeedEntry | None = None,
    furniture: SourceFurniture | None = None,
) -> str | None:
    """Returns the page's headline without site name or section, or None when none is stated.

    `entry`: the feed entry that led to the page (its title, its feed's name); `furniture`:
    the source's memory, whose recurring title parts are the site's name too."""
    sites = _site_keys(meta, url, entry)
    names = _site_titles(meta, sites, furniture)
    candidates = {
        source: strip_site_name(text, names)
        for source, text in _candidates(meta, names, entry).items()
        if text and _key(text) not in names
    }
    if not candidates:
        return None
    source = next(s for s in _SOURCES if s in candidates)
    chosen, og = candidates[source], candidates.get("og")
    if source != "ld" or not og:
        return chosen  # the <h1> is the headline as shown: og:title does not reword it
    return og if _og_words_it(chosen, og, meta) else chosen


def _og_words_it(chosen: str, og: str, meta: PageMeta) -> bool:
    """Tells whether og:title states the JSON-LD headline and its wording is to be given.

    A kicker (a topic line set above the headline, "Kicker: Headline") is glued into the
    <title>, JSON-LD and <h1> or left out of them by the site's templates alike; og:title
    is the one line an editor writes to stand alone on a share card, so whether the
    kicker belongs to the headline is read there. A JSON-LD headline that still holds
    character references was escaped by a template from the rendered page (curled quotes,
    dashes for colons): og:title gives the same words as the editor typed them.
    """
    if _key(chosen) == _key(og):
        return _ESCAPED.search(meta.ld_headline or "") is not None
    if _kicked(chosen, og):
        return True  # og:title leaves the kicker out
    # og:title adds one: kept where the <h1> shows it with the headline, as a site's
    # name put in front of og:title is not.
    return _kicked(og, chosen) and any(_key(h1) == _key(og) for h1 in meta.h1s)


def _kicked(longer: str, shorter: str) -> bool:
    """Tells whether `longer` is `shorter` with a kicker in front ("Kicker: Shorter")."""
    key = _key(shorter)
    return len(shorter.split()) >= 3 and any(
        _key(longer[m.end() :]) == key for m in _KICKER.finditer(longer)
    )


def _candidates(meta: PageMeta, names: set[str], entry: FeedEntry | None) -> dict[str, str | None]:
    feed_title = entry.title if entry and not _ADDRESS.fullmatch(entry.title or "") else None
    return {
        "ld": html.unescape(meta.ld_headline) if meta.ld_headline else None,
        "h1": _best_h1(meta, names, feed_title),
        "og": meta.og_title,
        "twitter": meta.twitter_title,
        "feed": feed_title,
        "title": meta.title_tag,
    }


def _site_titles(meta: PageMeta, sites: set[str], furniture: SourceFurniture | None) -> set[str]:
    """Returns the keys of what names the site, not a story: its names, the <h1>s that link
    to its home page, and <h1>s its memory saw open or close most of its titles."""
    recurring = (furniture.title_starts | furniture.title_ends) if furniture else frozenset()
    named = {_key(h) for h in meta.home_h1s}
    named |= {_key(h) for h in meta.h1s if line_key(h) in recurring}
    return (sites | named) - {""}


def _best_h1(meta: PageMeta, sites: set[str], feed_title: str | None = None) -> str | None:
    """Returns the <h1> another source repeats; an unconfirmed one only when none speaks.

    Blog themes put the blog's name in the <h1> and the post's title in an <h2>/<h3>;
    news pages put teasers' headlines in more <h1>s. An <h1> no other source repeats is
    as likely one of those as the headline. The blog platforms' post-title markup is read
    first, on the same terms (news templates use the same classes for a kicker line).
    """
    titled = (meta.post_title,) if meta.post_title else ()
    h1s = [h for h in (*titled, *meta.h1s) if _key(h) not in sites]
    stated = (meta.ld_headline, meta.og_title, meta.title_tag, feed_title)
    others = [_fold(t) for t in stated if t]
    for h1 in h1s:
        if any(_fold(h1) in other for other in others):
            return h1
    if meta.ld_headline or meta.og_title or not h1s:
        return None
    return max(h1s, key=len)


def strip_site_name(text: str, sites: set[str]) -> str:
    """Returns `text` without the parts that name the site: leading ones, and the first one
    after the headline with all that follows it ("Headline | Site | Tagline")."""
    kept = text.strip()
    # Blogger's "Blog name: Post title": a colon only separates where the site is named.
    named_first = _NAME_COLON.match(kept)
    if named_first and _is_site(named_first.group(1), sites) and kept[named_first.end() :]:
        kept = kept[named_first.end() :]
    # Spans of the original string, not the parts: the headline keeps its own punctuation.
    spans = _part_spans(kept)
    while len(spans) > 1 and _is_site(kept[slice(*spans[0])], sites):
        spans.pop(0)
    named = (i for i, span in enumerate(spans) if i and _is_site(kept[slice(*span)], sites))
    spans = spans[: next(named, len(spans))]
    return kept[spans[0][0] : spans[-1][1]].strip()


def _part_spans(text: str) -> list[tuple[int, int]]:
    """Returns where each part between the separators starts and ends."""
    spans, start = [], 0
    for separator in _SEPARATOR.finditer(text):
        spans.append((start, separator.start()))
        start = separator.end()
    return [*spans, (start, len(text))]


def _is_site(part: str, sites: set[str]) -> bool:
    key = _key(part)
    return bool(key) and any(
        key == s or (len(s) > 3 and s in key and len(key) < 2 * len(s)) for s in sites
    )


def _site_keys(meta: PageMeta, url: str, entry: FeedEntry | None = None) -> set[str]:
    feed_names = (entry.publication,) if entry and entry.publication else ()
    keys = {_key(name) for name in (*meta.site_names, *feed_names)}
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host and not host.endswith(".invalid"):
        keys |= {_key(host), _key(host.rsplit(".", 1)[0])}
    return {k for k in keys if k}


def _key(text: str) -> str:
    """Returns text folded to letters and digits only, so "Golem.de" matches "golem de"."""
    return re.sub(r"[\W_]+", "", _fold(text))


def _fold(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())
