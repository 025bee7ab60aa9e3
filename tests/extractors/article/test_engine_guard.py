"""The text after the cleanup steps never ends far from trafilatura's own (engine_guard),
on small pages written here: a story wrapper taken for a comment section left only the
site's menu, where trafilatura alone keeps the story."""

from __future__ import annotations

from datetime import UTC, datetime

import trafilatura
from trafilatura.utils import load_html

from extractors.article.cleanup import drop_page_furniture
from extractors.article.engine_guard import guarded_text, holds_to_engine, reads_as_link_column
from extractors.article.extract import extract_article

MENU = [
    "Skip to content",
    "Subscribe",
    "Sign In",
    "Newsletter Signup",
    "Local news",
    "Sport",
    "Opinion",
    "Weather",
    "Obituaries",
    "Contact us",
]
STORY = [
    f"Paragraph {n} of the council story: the river bridge vote went on Tuesday evening, "
    f"with {n} members for the new plan and the rest against it after a long debate."
    for n in ("one", "two", "three", "four", "five", "six")
]
URL = "https://example.org/news/bridge-vote"


def _page(story_wrapper: str, headline_inside: bool = True) -> bytes:
    menu = "".join(f"<li><a href='/{n}'>{item}</a></li>" for n, item in enumerate(MENU))
    headline = "<h1>Bridge vote splits the council</h1>"
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    return f"""<html><head><title>Bridge vote</title></head><body>
        <nav><ul>{menu}</ul></nav>{"" if headline_inside else headline}
        <div class="{story_wrapper}"><article>{headline if headline_inside else ""}
        {paragraphs}</article></div>
        <div class="kommentare"><p>A reader's comment, long enough to be read as text.</p></div>
        </body></html>""".encode()


def _text(body: bytes) -> str:
    return extract_article(body, URL, source="s", fetched_at=datetime.now(UTC)).text


def test_a_wrapper_flagged_for_comments_that_holds_the_headline_stays():
    tree = load_html(_page("layout has-kommentare").decode())
    drop_page_furniture(tree)
    assert "Paragraph one" in tree.xpath("string(//body)")
    assert next(tree.iter("h1"), None) is not None


def test_the_story_is_kept_not_the_menu_when_the_wrapper_holds_the_headline():
    text = _text(_page("layout has-kommentare"))
    assert all(p in text for p in STORY)
    assert "Newsletter Signup" not in text and "A reader's comment" not in text


def test_a_menu_left_by_a_later_step_gives_way_to_trafilatura_alone():
    body = _page("layout has-kommentare", headline_inside=False)
    alone = trafilatura.bare_extraction(body, url=URL, with_metadata=False).text
    assert "Paragraph one" in alone  # what the engine alone keeps, the bar to meet
    text = _text(body)
    assert all(p in text for p in STORY)
    assert "Sign In" not in text


def test_a_menu_reads_as_a_link_column_and_a_story_does_not():
    assert reads_as_link_column("\n".join(MENU))
    assert not reads_as_link_column("\n".join(STORY))
    assert not reads_as_link_column("\n".join(MENU[:4]))  # too few lines to tell
    # A Japanese paragraph is one \w+ run: counted by characters, it is no menu item.
    japanese = "東京都は火曜日、新しい橋の建設計画を発表し、住民の意見を聞く会を開くと述べた。"
    assert not reads_as_link_column("\n".join([japanese] * 6))


def test_text_keeping_too_little_of_the_engine_gives_way_to_it():
    engine = "\n".join(STORY)
    assert guarded_text(STORY[0], engine) == engine
    trimmed = "\n".join(STORY[:4])  # furniture cut from the end: a right cut stands
    assert guarded_text(trimmed, engine) == trimmed


def test_text_that_replaces_the_engine_gives_way_to_it():
    engine = "\n".join(STORY)
    replaced = "\n".join([*MENU, "Follow us on every network we know of, today and always."])
    assert not holds_to_engine(replaced, engine)
    with_lead = "A standfirst above the story, as the page shows it in its header.\n" + engine
    assert guarded_text(with_lead, engine) == with_lead


def test_an_empty_engine_text_leaves_the_text_alone():
    assert guarded_text("Some text here", "") == "Some text here"
