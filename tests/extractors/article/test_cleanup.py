"""Line-level furniture cleanup after trafilatura, and the page's own story hints
(platform post bodies, leads), on small pages written here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import trafilatura
from trafilatura.utils import load_html

from extractors.article.cleanup import (
    drop_page_furniture,
    furniture_reason,
    source_blocks,
    strip_furniture,
)
from extractors.article.extract import extract_article
from extractors.article.platforms import marked_body, shown_lead, story_hint, within_marked_body

STORY = [
    "The council voted on Tuesday to close the old bridge to cars from next spring, after "
    "engineers found cracks in two of its supporting piers during a routine inspection.",
    "Cyclists and pedestrians will still be able to cross while a replacement is designed, "
    "the mayor said, adding that the work would be paid for from the transport budget.",
    "Shop owners on both banks said they feared losing customers during the closure.",
]

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def _tree(body: str):
    return load_html(f"<html><head><title>t</title></head><body>{body}</body></html>")


@pytest.mark.parametrize(
    "line",
    [
        "Read more: Council to review river crossings",
        "Lesen Sie auch: Brücke gesperrt",
        "À lire aussi : le pont fermé",
        "Czytaj więcej: most zamknięty",
        "Photo: Jane Doe/AFP",
        "(Credit: City archive)",
        "Foto: dpa",
        "Sign up for our daily newsletter",
        "Follow Example News on Twitter and Facebook",
        "© 2024 Example News. All rights reserved.",
        "Il vous reste 57% de cet article à lire.",
        "Additional reporting by John Roe",
        "18.05.2026 | 2:03 min",
        "12:45",
    ],
)
def test_furniture_lines_in_many_languages_are_dropped(line):
    assert furniture_reason(line, {}) is not None


@pytest.mark.parametrize(
    "line",
    [
        *STORY,
        "More than 2,500 civilians have been killed this year, the report said.",
        "Photo shows the damage to the northern pier.",
        "Source code for the inspection software was published on Monday.",
        "Anyone with information is asked to get in touch with the police.",
        "Readers who subscribe to the paper's print edition will get the map.",
    ],
)
def test_story_lines_are_kept(line):
    assert furniture_reason(line, {}) is None


def test_lines_from_links_figures_and_bylines_are_dropped_by_where_they_come_from():
    tree = _tree(
        "<article><h1>Old bridge to close to cars</h1>"
        + "".join(f"<p>{p}</p>" for p in STORY[:2])
        + "<figure><img src='b.jpg'><figcaption>The bridge seen from the east bank"
        "</figcaption></figure>"
        f"<p>{STORY[2]}</p>"
        "<ul><li><a href='/a'>Council approves a new cycle lane along the river</a></li>"
        "<li><a href='/b'>Market hall to reopen after two years of repairs</a></li></ul>"
        "</article>"
    )
    text = "\n".join(
        [
            "Old bridge to close to cars",
            "By Jane Doe",
            *STORY[:2],
            "The bridge seen from the east bank",
            STORY[2],
            "- Council approves a new cycle lane along the river",
            "- Market hall to reopen after two years of repairs",
        ]
    )
    cleaned = strip_furniture(
        text, source_blocks(tree), headlines=("Old bridge to close to cars",), authors=("Jane Doe",)
    )
    assert cleaned == "\n".join(STORY)


def test_a_short_link_inside_the_story_is_kept():
    # Stories link what they name; only a link that reads as a headline is a teaser.
    tree = _tree(f"<p>{STORY[0]}</p><p><a href='/report'>The engineers' report</a></p>")
    text = f"{STORY[0]}\nThe engineers' report\n{STORY[1]}"
    assert strip_furniture(text, source_blocks(tree)) == text


def test_cleanup_that_would_drop_most_of_the_text_keeps_it_whole():
    text = "Read more: one\nRead more: two\nA short story."
    assert strip_furniture(text, {}) == text


def test_a_story_does_not_end_on_a_colon():
    text = f"{STORY[0]}\n{STORY[1]}\nParticipating blogs:"
    assert strip_furniture(text, {}) == f"{STORY[0]}\n{STORY[1]}"


def test_comment_sections_named_in_other_languages_are_removed_from_the_page():
    tree = _tree(
        f"<div class='entry'><p>{STORY[0]}</p></div>"
        "<div class='kommentare'><div class='kommentar-item'>Toller Artikel!</div></div>"
        "<section id='commentaires'><p>Merci pour cet article.</p></section>"
        "<div class='kommentar-spalte'><p>Ein Meinungsbeitrag bleibt.</p></div>"
    )
    assert drop_page_furniture(tree) == 2
    text = " ".join(tree.text_content().split())
    assert "Toller Artikel" not in text and "Merci" not in text
    assert STORY[0] in text and "Ein Meinungsbeitrag bleibt." in text


@pytest.mark.parametrize(
    "name", ["KOMMENTARE", "Kommentare", "yorumlar", "reacties", "комментарии", "comentarios"]
)
def test_comment_sections_are_known_by_name_in_any_case(name):
    tree = _tree(f"<p>{STORY[0]}</p><div id='{name}'><p>Toller Artikel!</p></div>")
    assert drop_page_furniture(tree) == 1
    assert "Toller Artikel" not in tree.text_content()


def test_fact_and_info_boxes_are_removed_from_the_page():
    tree = _tree(
        f"<article><h1>Bridge to close</h1><p>{STORY[0]}</p>"
        "<div class='metro-factbox'><p>The bridge in numbers: 140 years old.</p></div>"
        f"<p>{STORY[1]}</p>"
        "<amedia-factbox class='fact-box border'><p>Fakta om broen.</p></amedia-factbox>"
        "<div class='c-infoBox c-infoBox--inTabs'><p>What to know about the vote.</p></div>"
        "<div class='lightbox'><p>A photo gallery caption stays.</p></div>"
        f"<p>{STORY[2]}</p></article>"
    )
    assert drop_page_furniture(tree) == 3
    text = " ".join(tree.text_content().split())
    assert all(p in text for p in STORY) and "A photo gallery caption stays." in text
    assert not any(s in text for s in ("in numbers", "Fakta om", "What to know"))


@pytest.mark.parametrize(
    "body",
    [  # a wrapper named for a box that holds the headline, or most of the page: layout
        f"<div class='infobox-layout'><h1>Bridge to close</h1><p>{STORY[0]}</p></div>",
        f"<div class='factbox'><p>{STORY[0]}</p><p>{STORY[1]}</p></div><p>{STORY[2]}</p>",
    ],
)
def test_a_box_that_holds_the_headline_or_most_of_the_page_stays(body):
    tree = _tree(body)
    assert drop_page_furniture(tree) == 0
    assert STORY[0] in " ".join(tree.text_content().split())


def test_a_fact_box_inside_the_story_is_not_stored():
    box = "Timeline: the bridge opened in 1884 and was last repaired in 1962 after a flood."
    body = (
        "<html><head><title>Bridge to close</title></head><body><article>"
        f"<h1>Bridge to close</h1><p>{STORY[0]}</p><p>{STORY[1]}</p>"
        f"<div class='article-factbox'><h3>Key facts</h3><p>{box}</p></div>"
        f"<p>{STORY[2]}</p></article></body></html>"
    ).encode()
    alone = trafilatura.bare_extraction(body, with_metadata=False).text
    assert box in alone  # trafilatura keeps the box's paragraph as the story's
    text = extract_article(body, "https://example.org/a", source="s", fetched_at=NOW).text
    assert all(p in text for p in STORY)
    assert box not in text and "Key facts" not in text


def test_a_single_platform_post_body_is_the_story_hint_several_are_not():
    one = _tree(f"<div class='post-body entry-content'><p>{STORY[0]}</p></div><p>Sidebar</p>")
    assert marked_body(one) is not None
    assert story_hint(one).marked and STORY[0] in story_hint(one).text
    index = _tree("".join(f"<div class='post-body'><p>{s}</p></div>" for s in STORY))
    assert marked_body(index) is None  # an index of excerpts names no single story
    hint = story_hint(index)
    assert hint is not None and not hint.marked  # the densest paragraph group instead


def test_lines_outside_the_post_body_are_cut_where_trafilatura_agrees_with_it():
    marked = " ".join(STORY)
    text = "\n".join(["Posted in: News", *STORY, "Share this post with your friends today"])
    assert within_marked_body(text, marked) == "\n".join(STORY)
    unrelated = "\n".join(["Another page's text entirely, " * 4, STORY[2]])
    assert within_marked_body(unrelated, marked) is None  # mostly outside: marker not trusted


def test_the_lead_is_the_description_the_page_also_shows():
    description = "Engineers found cracks in two piers; cars will be banned from next spring."
    tree = _tree(f"<header><p class='standfirst'>{description}</p></header><p>{STORY[0]}</p>")
    assert shown_lead(tree, description) == description
    hidden = _tree(f"<p>{STORY[0]}</p>")
    assert shown_lead(hidden, description) is None  # declared only, never shown: not a lead
    assert shown_lead(tree, "Short slogan") is None
