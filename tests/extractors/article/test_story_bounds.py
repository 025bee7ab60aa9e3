"""Where the story starts and ends: the headline repeated above it goes (with its kicker),
and on a page without platform markup the element that holds its paragraphs bounds the end
of trafilatura's text. Small pages written here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extractors.article.cleanup import furniture_reason, strip_furniture
from extractors.article.extract import extract_article
from extractors.article.platforms import within_story_element

NOW = datetime(2026, 11, 29, tzinfo=UTC)
STORY = [
    "The council voted on Tuesday to close the old bridge to cars from next spring, after "
    "engineers found cracks in two of its supporting piers during a routine inspection.",
    "Cyclists and pedestrians will still be able to cross while a replacement is designed, "
    "the mayor said, adding that the work would be paid for from the transport budget.",
    "Shop owners on both banks said they feared losing customers during the closure, and "
    "asked the council for a reduction in business rates until the new bridge opens.",
    "The replacement is expected to take three years to build and will carry two lanes of "
    "traffic, a cycle path and a wider pavement on each side of the river.",
]
# After the story, in a box of its own: a press release's boilerplate, an author's note.
ABOUT = (
    "Riverside Engineering is a global provider of bridge inspection services, with offices "
    "in twelve countries and around 1,300 employees. Its shares are listed in Zurich."
)
BIO = "Jane Doe covers transport and city politics and has reported from the town hall since 2015."


def _page(after: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    return (
        "<html><head><title>Old bridge to close</title></head><body><main><article>"
        "<h1>Old bridge to close to cars</h1>"
        f"<div class='story'>{paragraphs}</div>{after}"
        "</article></main></body></html>"
    ).encode()


def _text(body: bytes) -> str:
    url = "http://news.example/bridge"
    return extract_article(body, url, source="news", fetched_at=NOW, content_type="text/html").text


def test_boxes_after_the_story_and_outside_its_element_are_cut():
    boxes = f"<div class='about'><p>{ABOUT}</p></div><div class='bio'><p>{BIO}</p></div>"
    text = _text(_page(boxes))
    assert text.splitlines() == STORY


def test_the_story_keeps_its_own_last_paragraph_lists_and_subheadings():
    inside = "<h2>What happens next</h2><ul><li>Consultation opens in May for six weeks.</li></ul>"
    page = _page("").replace(b"</div>", inside.encode() + b"</div>", 1)
    text = _text(page)
    assert text.startswith(STORY[0]) and text.endswith("Consultation opens in May for six weeks.")


def test_within_story_element_cuts_the_end_and_the_labels_above_only_where_it_holds_the_text():
    container = " ".join(STORY[1:])
    standfirst = "A standfirst above the story, outside its element, is a sentence of the story."
    text = "\n".join(["Updated 5:45 AM by Jane Doe", standfirst, *STORY[1:], ABOUT])
    assert within_story_element(text, container) == "\n".join([standfirst, *STORY[1:]])
    assert within_story_element("\n".join([ABOUT, BIO, STORY[1]]), container) is None


def test_a_byline_and_date_above_the_story_and_outside_its_element_go():
    page = _page("").replace(
        b"<div class='story'>", b"<p>By Jane Doe | 5:45 AM</p><div class='story'>"
    )
    assert _text(page).splitlines() == STORY


HEADLINE = "Old bridge to close to cars from next spring"


@pytest.mark.parametrize(
    "top",
    [
        ["Transport", HEADLINE],  # a kicker on its own line above the headline
        ["Old bridge to close to cars from next spring"],
        ["Old bridge : to close to cars from next spr\u00ading"],  # punctuated, hyphenated
        ["Transport: Old bridge to close to cars from next spring"],  # kicker glued on
    ],
)
def test_the_headline_repeated_at_the_top_goes_with_its_kicker(top):
    assert strip_furniture("\n".join([*top, *STORY]), {}, headlines=(HEADLINE,)) == "\n".join(STORY)


def test_after_a_standfirst_only_the_headline_itself_goes_not_a_subheading_extending_it():
    subheading = "Why the old bridge to close to cars from next spring matters"
    text = "\n".join([STORY[0], HEADLINE, STORY[1], subheading, STORY[2]])
    kept = strip_furniture(text, {}, headlines=(HEADLINE,)).splitlines()
    assert kept == [STORY[0], STORY[1], subheading, STORY[2]]


CAPTION = "Pictured from left, the mayor and two engineers on the old bridge last week."


def test_a_caption_sharing_a_small_box_with_its_image_goes_without_a_figure():
    box = f"<div><span><img src='b.jpg'></span><p>{CAPTION}</p></div>"
    page = _page("").replace(b"</p><p>Cyclists", f"</p>{box}<p>Cyclists".encode(), 1)
    assert CAPTION.encode() in page
    assert _text(page).splitlines() == STORY


@pytest.mark.parametrize("box", ["blockquote", "li"])
def test_text_beside_an_image_in_a_quote_or_list_item_is_the_story(box):
    inner = f"<{box}><p><img src='portrait.jpg'></p><p>“{CAPTION}”</p></{box}>"
    outer = f"<ul>{inner}</ul>" if box == "li" else inner
    page = _page("").replace(b"</p><p>Cyclists", f"</p>{outer}<p>Cyclists".encode(), 1)
    assert CAPTION in _text(page)


@pytest.mark.parametrize(
    "line",
    [
        "– alle Bilder von Eileen Jordan –",
        "All photos by Jane Doe",
        "Photos courtesy of the city archive",
        "To reach the reporter behind this story, contact jane@news.example.",
        "This project was produced with support from the Civic Fund.",
        "This article was originally published by Example Weekly.",
        'Dieser Artikel ist zuerst bei "Beispiel" erschienen.',
        "Titelbild: Jane Doe on Unsplash",
        "Hol dir jetzt meinen gratis Newsletter! Du kannst mir auch auf Facebook folgen.",
        "Folgt mir gerne auf Instagram. Da gibt es die meisten aktuellen Fotos.",
        "Are you a tenant? We want to hear from you! Send us your questions.",
        "Get the magazine every month. 12 issues for £11.99. Click here for more information.",
        '[button link="https://news.example/tips" type="big"] Send us your tip[/button]',
    ],
)
def test_credit_contact_and_republication_lines_are_furniture(line):
    assert furniture_reason(line, {}) == "prompt"


@pytest.mark.parametrize(
    "line",
    ["The photos by Jane Doe were shown in court.", "This project was a failure, he said."],
)
def test_story_lines_about_photos_and_projects_are_kept(line):
    assert furniture_reason(line, {}) is None


def test_ornament_lines_and_a_closing_note_about_the_author_go():
    bio = (
        "Jane Doe, doctor of history and a reporter at Example News, teaches journalism at "
        "the city university and writes about transport, housing and local politics."
    )
    text = "\n".join(["*", *STORY, "—", bio])
    assert strip_furniture(text, {}, authors=("Jane Doe",)) == "\n".join(STORY)


def test_a_paid_post_label_goes_above_the_story_only():
    label = "WERBUNG für Plantur Farbshampoo"
    assert furniture_reason(label, {}, where="head") == "ad label"
    assert furniture_reason("Werbung für Zigaretten ist seit 2007 verboten.", {}) is None


@pytest.mark.parametrize("line", ["Quote im Header: @someone", "Illustration: @jane.doe"])
def test_a_credit_to_a_social_handle_goes(line):
    assert furniture_reason(line, {}) == "credit"


def test_a_recipes_nutrition_disclaimer_goes():
    line = "Nutrition information is an estimate and has been calculated automatically"
    assert furniture_reason(line, {}) == "prompt"


def test_caption_lines_typed_below_an_image_go():
    # Blogger's editor: the image in a centred block, the caption in the next short blocks.
    image = "<div class='separator'><a href='b.jpg'><img src='b.jpg'></a></div>"
    typed = "<div>The old bridge</div><div>Seen from the north bank at dawn</div>"
    paragraphs = "".join(f"<div>{p}</div>" for p in STORY)
    page = (
        "<html><body><h1>Old bridge to close to cars</h1>"
        f"<div class='post-body entry-content'><div>{image}{typed}{paragraphs}</div></div>"
        "</body></html>"
    ).encode()
    assert _text(page).splitlines() == STORY


def test_a_pop_up_card_nested_in_a_name_leaves_the_sentence():
    card = (
        "<span class='card'><span><img src='p.jpg'><a href='/people/jane'>Jane Roe</a>"
        "<a href='/a/1'>Council delays vote on the ferry</a> <a href='/a/2'>Mayor's budget "
        "passes</a></span></span>"
    )
    sentence = (
        f"The plan was backed by councillor <span><a href='/people/jane'>Jane Roe</a>{card}"
        "</span>, who chairs the transport committee and has argued for it since May."
    )
    page = _page("").replace(
        b"<div class='story'>", f"<div class='story'><p>{sentence}</p>".encode()
    )
    text = _text(page)
    assert text.splitlines()[0] == (
        "The plan was backed by councillor Jane Roe, who chairs the transport committee and "
        "has argued for it since May."
    )
    assert "ferry" not in text


def test_an_image_with_one_link_inside_a_sentence_is_left_alone():
    sentence = (
        "The council published <span><a href='/r.pdf'><img src='i.png'> the engineers' "
        "report</a></span> on Tuesday, with photographs of the two cracked piers."
    )
    page = _page("").replace(
        b"<div class='story'>", f"<div class='story'><p>{sentence}</p>".encode()
    )
    assert "the engineers' report on Tuesday" in _text(page)


def test_lines_out_of_the_elements_order_are_still_found_in_it():
    # Lines are looked for from the previous one's place first; one found earlier in the
    # element (a pull quote repeated, lines reordered) must still count as inside.
    element = "First paragraph of the story. Second paragraph. Third paragraph, the last."
    text = "First paragraph of the story.\nThird paragraph, the last.\nSecond paragraph."
    assert within_story_element(text + "\nSubscribe to our newsletter", element) == text
