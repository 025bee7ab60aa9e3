"""A source's furniture found from its other pages: lines and title parts that recur."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from extractors.article import extract_article
from extractors.furniture import (
    line_key,
    recurring_lines,
    recurring_title_parts,
    strip_recurring,
)
from newsflow.demo.site import blogger_site, post_path
from tests.support.posts import NATO_PARAGRAPHS, NATO_POST

SIGNATURE = "Ikuti blog ini di Instagram dan jangan lupa bagikan tulisan ini kepada teman-teman!"


def _blog_posts(count: int):
    """Posts of one blog: each a different story (rotated paragraphs), each signed alike."""
    posts = []
    for n in range(count):
        paragraphs = NATO_PARAGRAPHS[n:] + NATO_PARAGRAPHS[:n]
        posts.append(
            replace(
                NATO_POST,
                slug=f"post-{n}",
                title=f"Kabar {n}: {paragraphs[0][:40]}",
                published=NATO_POST.published + timedelta(days=n),
                paragraphs=(paragraphs[0] + f" Edisi {n}.", SIGNATURE),
            )
        )
    return posts


def test_a_line_on_most_pages_of_a_source_is_furniture_and_story_lines_are_not():
    posts = _blog_posts(4)
    site = blogger_site("Kabar Dunia", posts, "http://blog.example")
    texts = [
        extract_article(
            site.files[post_path(p)][1],
            "http://blog.example" + post_path(p),
            source="kabar-dunia",
            fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        ).text
        for p in posts
    ]
    assert all(SIGNATURE in text for text in texts)  # one page alone cannot tell

    furniture = recurring_lines(texts)

    assert furniture == {line_key(SIGNATURE)}
    cleaned = strip_recurring(texts[0], furniture)
    assert SIGNATURE not in cleaned
    assert cleaned == texts[0].replace(SIGNATURE, "").strip()


def test_too_few_pages_or_a_minority_of_pages_is_not_furniture():
    shared = "A sentence two stories happen to quote."
    assert recurring_lines([f"Story one.\n{shared}", f"Story two.\n{shared}"]) == frozenset()
    texts = [f"Story {n}." for n in range(10)] + [f"Story {n}.\n{shared}" for n in range(10, 13)]
    assert recurring_lines(texts) == frozenset()  # 3 pages of 13: a quote, not furniture
    assert recurring_lines(texts, min_share=0.2) == {line_key(shared)}


def test_the_same_text_fetched_twice_counts_once():
    text = "The only story.\nIts only other line."
    assert recurring_lines([text, text, text, "Another story."]) == frozenset()


def test_line_keys_ignore_case_spacing_and_list_marks():
    assert line_key("- Follow us  on Instagram") == line_key("follow us on instagram")
    assert line_key("Follow us on Instagram") != line_key("Follow us on Mastodon")
    assert line_key("   ") == ""


def test_title_parts_that_close_most_titles_name_the_site():
    titles = [
        "Rusia dan NATO bertemu | Kabar Dunia",
        "Harga minyak naik lagi | Kabar Dunia",
        "Banjir di Jakarta surut - Nasional | Kabar Dunia",
        "Tanpa nama situs sama sekali",
    ]
    assert recurring_title_parts(titles) == {"kabar dunia"}
    assert recurring_title_parts(titles[:2]) == frozenset()  # two titles: too few to say
