"""Turns fetched HTML bytes into an Article: main text without boilerplate, plus metadata."""

from __future__ import annotations

import hashlib
import html
import logging
import re
from datetime import datetime
from urllib.parse import urljoin

import trafilatura
from htmldate import find_date
from trafilatura.utils import load_html

from extractors.article.byline import visible_byline
from extractors.article.cleanup import drop_page_furniture, source_blocks, strip_furniture
from extractors.article.dates import Published, as_stated, published
from extractors.article.decode import decode_html
from extractors.article.element_classes import fast_element_classes
from extractors.article.engine_guard import guarded_text, reads_as_link_column
from extractors.article.feed_text import within_feed_text
from extractors.article.furniture import page_lines, strip_recurring, trim_title
from extractors.article.headline import choose_headline
from extractors.article.invisible import keep_meaningful_invisibles
from extractors.article.page_meta import PageMeta, read_page_meta
from extractors.article.platforms import (
    StoryHint,
    shown_lead,
    story_hint,
    within_marked_body,
    within_story_element,
)
from extractors.article.source_rules import drop_ruled, ruled_date, ruled_story, ruled_text
from extractors.article.state_scripts import state_story_html
from extractors.article.version import EXTRACTOR_VERSION  # noqa: F401 (the version of this module)
from newsflow.charset import looks_binary
from newsflow.errors import ExtractError
from newsflow.models import Article, ExtractRules, FeedEntry, SourceFurniture

log = logging.getLogger(__name__)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
keep_meaningful_invisibles()  # trafilatura would strip ZWNJ, ZWJ and bidi marks from words
fast_element_classes()  # the same element classes, looked up in C: ~5% of a page's CPU

# Below this share of the page's own story hint, fast mode has stopped at a fragment.
RECALL_RESCUE_SHARE = 0.5
# Under this many characters of main text the DOM may show only a teaser while the
# framework's state scripts hold the story (extractors.article.state_scripts); that story
# replaces the DOM's text where it is STATE_RESCUE_FACTOR times longer.
STATE_RESCUE_CHARS = 200
STATE_RESCUE_FACTOR = 2

# Comment widgets that sometimes survive as the last lines of a post (Blogger's
# "No comments: / Post a Comment", WordPress's "Leave a Reply"), in the languages we see.
_WIDGET_LINE = re.compile(
    r"^\s*(\d+\s+)?(no comments?|\d+ comments?|post a comment|leave a (reply|comment)"
    r"|tidak ada komentar|posting komentar|\d+ komentar|kirim komentar|tinggalkan balasan"
    r"|keine kommentare|kommentar veröffentlichen|einen kommentar (hinterlassen|schreiben)"
    r"|schreibe einen kommentar|aucun commentaire|publier un commentaire|laisser un commentaire"
    r"|sin comentarios|publicar un comentario|deja un comentario|deixe um comentário"
    r"|brak komentarzy|dodaj komentarz)\s*:?\s*$",
    re.IGNORECASE,
)


def extract_article(
    body: bytes,
    url: str,
    *,
    source: str,
    fetched_at: datetime,
    content_type: str = "",
    entry: FeedEntry | None = None,
    furniture: SourceFurniture | None = None,
    rules: ExtractRules | None = None,
) -> Article:
    """Returns the article in `body`; raises ExtractError when there is no readable text.

    `furniture`: what the source's other pages showed to recur (extractors.article.furniture);
    `rules`: the source's own selectors (extractors.article.source_rules), applied first."""
    if _looks_binary(body):
        raise ExtractError(url, "binary content, not HTML")
    text_html, encoding = decode_html(body, content_type)
    # trafilatura's own parser: it drops HTML comments and processing instructions, which
    # lxml's default keeps and which then split or hide paragraphs from its extraction.
    tree = load_html(text_html)
    if tree is None:
        raise ExtractError(url, "unparsable HTML")
    rules = rules or ExtractRules()
    drop_ruled(tree, rules)
    # Read before the furniture goes: labels, keywords and the paywall flag are in it.
    meta = read_page_meta(tree)
    # Before comment sections go: a date search, where one runs, sees the page as served
    # (as trafilatura's metadata did).
    when = _ruled_published(tree, rules) or published(meta.published, tree, url, entry)
    drop_page_furniture(tree)
    story = ruled_story(tree, rules)  # the user's story element, where the rule finds one
    hint = story_hint(tree) if story is None else None
    doc, hint = _dom_or_state_text(tree if story is None else story, tree, url, hint)
    headline = ruled_text(tree, rules.title) or choose_headline(
        meta, url, entry=entry, furniture=furniture
    )
    ruled_author = ruled_text(tree, rules.author)
    authors = (ruled_author,) if ruled_author else _authors(meta, tree)
    text = _story_text(doc.text, tree, meta, hint, headline=headline, authors=authors,
                       feed_text=entry.content if entry else None)  # fmt: skip
    # Counted before the source's furniture goes, so the memory keeps seeing it; the
    # headline's parts as chosen: where they recur, the choice kept the site's name.
    lines = page_lines(text, headline)
    text, headline = strip_recurring(text, furniture), trim_title(headline, furniture)
    # The steps above together may not keep much less than trafilatura's text, nor swap it.
    text = guarded_text(text, strip_comment_widgets(doc.text))
    if story is None and reads_as_link_column(text):  # a menu: furniture may have cut the story
        text = _engine_alone(text_html, url) or text
    if not text:
        raise ExtractError(url, "main text is only a comment widget")
    return Article(
        url=url,
        source=source,
        text=text,
        content_hash=content_hash(text),
        fetched_at=fetched_at,
        canonical_url=_canonical(meta, url),
        title=headline,
        author="; ".join(authors) or None,
        published_at=when.at,
        published_offset_minutes=when.offset_minutes,
        language=meta.language or (entry.language if entry else None),
        site_name=(meta.site_names[0] if meta.site_names else None)
        or (entry.publication if entry else None),
        description=meta.description,
        categories=_categories(meta, entry),
        tags=meta.tags,
        image=meta.image,
        feed_url=entry.feed_url if entry else None,
        entry_updated=(entry.updated or entry.published) if entry else None,
        encoding=encoding,
        keywords_declared=meta.keywords or (entry.keywords if entry else ()),
        free_access=meta.free_access,
        lines=lines,
    )


def _story_text(
    found: str,
    tree,
    meta: PageMeta,
    hint: StoryHint | None,
    *,
    headline: str | None,
    authors: tuple[str, ...],
    feed_text: str | None = None,
) -> str:
    """Returns trafilatura's text without furniture, bounded by the post body, with its lead."""
    text = strip_furniture(
        strip_comment_widgets(found),
        source_blocks(tree),
        headlines=tuple(h for h in (headline, meta.og_title, meta.title_tag, *meta.h1s) if h),
        authors=authors,
    )
    # A platform's post body, where trafilatura agrees with it, bounds the story: what
    # lies before or after it (an excerpt, a signature, a share bar) is not the post.
    marked = hint.text if hint and hint.marked else None
    bounded = within_marked_body(text, marked) if marked else None
    if hint and hint.container:  # no marker: the paragraphs' element bounds it
        bounded = within_story_element(text, hint.container)
    text = bounded if bounded is not None else text
    # A feed entry's full text bounds it too (extractors.article.feed_text).
    text = within_feed_text(text, feed_text) or text
    lead = shown_lead(tree, meta.description) if text else None
    # The standfirst sits above the post body, so it is added even where the body bounds
    # the text (dropping it lost expected sentences on the corpus and news-multi).
    if lead and _fold(lead) not in _fold(text):
        text = f"{lead}\n{text}"
    return text


def _main_text(tree, url: str, hint: StoryHint | None):
    """Returns trafilatura's document for the page, its text checked against the page's hint.

    fast: no second opinion from readability/justext, which on news pages more often adds
    boilerplate than story and costs a third more CPU. But fast mode sometimes stops at the
    first small block (a standfirst) of a long story: when its text is well under what the
    page marks as the story (or holds under one parent as paragraphs), the full cascade runs.
    """
    doc = _bare_extraction(tree, url, fast=True)
    found = len(doc.text or "") if doc else 0
    if hint and found < RECALL_RESCUE_SHARE * len(hint.text):
        full = _bare_extraction(tree, url, fast=False)
        if full is not None and len(full.text or "") > found:
            doc = full
    if doc is None or not (doc.text or "").strip():
        raise ExtractError(url, "no main text found")
    return doc


def _dom_or_state_text(element, tree, url: str, hint: StoryHint | None):
    """Returns the main text's document and the hint that goes with it: the DOM's, else,
    where it finds none or a teaser, the state scripts' story's (with no hint: the page's
    markers are about a DOM that does not hold it). Raises ExtractError when neither has."""
    try:
        doc = _main_text(element, url, hint)
    except ExtractError:
        doc = None
    found = len(doc.text) if doc else 0
    if found >= STATE_RESCUE_CHARS:
        return doc, hint
    state = state_story_html(tree, url)
    rescued = _bare_extraction(load_html(state), url, fast=False) if state else None
    if rescued is not None and len(rescued.text or "") > STATE_RESCUE_FACTOR * found:
        log.info("%s: story read from the page's state scripts", url)
        return rescued, None
    if doc is None:
        raise ExtractError(url, "no main text found")
    return doc, hint


def _engine_alone(text_html: str, url: str) -> str | None:
    """Returns trafilatura's text of the page as served (nothing removed before it, full
    cascade), unless that too is a column of menu lines; None then or when it finds none."""
    doc = _bare_extraction(load_html(text_html), url, fast=False)
    text = strip_comment_widgets(doc.text or "") if doc else ""
    return text if text and not reads_as_link_column(text) else None


def _bare_extraction(tree, url: str, fast: bool):
    return trafilatura.bare_extraction(
        tree, url=url, include_comments=False, with_metadata=False, include_tables=True, fast=fast
    )


def _authors(meta: PageMeta, tree) -> tuple[str, ...]:
    """Returns the authors the page states, else those of its visible byline."""
    if meta.authors:
        return meta.authors
    # The byline search costs ~3 ms a page: only where the page states none.
    return tuple(a.strip() for a in (visible_byline(tree) or "").split(";") if a.strip())


def _fold(text: str) -> str:
    return " ".join(text.lower().split())


def _categories(meta: PageMeta, entry: FeedEntry | None):
    """Returns the page's section and labels, then the feed's: each once, whatever its case."""
    found = [*((meta.section,) if meta.section else ()), *meta.labels]
    found += entry.categories if entry else ()
    unique: dict[str, str] = {}
    for label in found:
        if label.strip():
            unique.setdefault(label.strip().casefold(), label.strip())
    return tuple(unique.values())


def strip_comment_widgets(text: str) -> str:
    """Returns text without trailing comment-widget lines ("No comments:", "Post a Comment")."""
    lines = text.strip().splitlines()
    while lines and (_WIDGET_LINE.match(lines[-1]) or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines).strip()


def content_hash(text: str) -> str:
    """Returns a hash of the text that ignores whitespace differences."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:32]


def _looks_binary(body: bytes) -> bool:
    # By the share of control bytes, not one NUL: real pages carry stray ones.
    return looks_binary(body)


def _canonical(meta: PageMeta, url: str) -> str | None:
    return urljoin(url, meta.canonical) or None if meta.canonical is not None else None


def _ruled_published(tree, rules: ExtractRules) -> Published | None:
    """Returns the date the source's `date` selector points at: an ISO date as stated, else
    one read from the element's text ("5 December 2026") as htmldate reads a page's."""
    stated = ruled_date(tree, rules)
    if not stated:
        return None
    if not _ISO_DATE.match(stated):
        stated = find_date(f"<html><body><p>{html.escape(stated)}</p></body></html>",
                           original_date=True)  # fmt: skip
    found = as_stated(stated)
    return found if found.at else None
