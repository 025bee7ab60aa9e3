"""A source's furniture, known from its other pages, stripped from the next page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from extractors.article.extract import extract_article
from extractors.article.furniture import line_key, page_lines, strip_recurring, trim_title
from newsflow.demo.site import blogger_site, post_path
from newsflow.models import SourceFurniture
from tests.support.posts import NATO_PARAGRAPHS, NATO_POST

SIGNATURE = "Ikuti blog ini di Instagram dan jangan lupa bagikan tulisan ini kepada teman-teman!"
LABEL = "Baca juga"


def _post(n: int):
    """A post of the blog: its own story, signed and labelled like every other post."""
    paragraphs = NATO_PARAGRAPHS[n:] + NATO_PARAGRAPHS[:n]
    return replace(
        NATO_POST,
        slug=f"post-{n}",
        title=f"Kabar {n}: {paragraphs[0][:40]}",
        published=NATO_POST.published + timedelta(days=n),
        paragraphs=(paragraphs[0], LABEL, paragraphs[1], SIGNATURE),
    )


def _extract(post, furniture=None):
    site = blogger_site("Kabar Dunia", [post], "http://blog.example")
    return extract_article(
        site.files[post_path(post)][1],
        "http://blog.example" + post_path(post),
        source="kabar-dunia",
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        furniture=furniture,
    )


def test_the_source_furniture_goes_and_the_story_stays():
    post = _post(3)
    alone = _extract(post)
    assert SIGNATURE in alone.text and LABEL in alone.text.splitlines()  # one page cannot tell
    known = SourceFurniture(lines=frozenset({line_key(SIGNATURE), line_key(LABEL)}))

    article = _extract(post, known)

    assert article.text.splitlines() == [post.paragraphs[0], post.paragraphs[2]]
    assert article.content_hash != alone.content_hash
    # What the memory counts is the page before its furniture went: it keeps seeing it.
    assert article.lines == alone.lines
    assert {line_key(SIGNATURE), line_key(LABEL)} <= set(article.lines.lines)


def test_the_title_parts_the_source_repeats_are_cut_from_the_headline():
    post = replace(_post(2), title="Lokal - Harga minyak naik lagi | Kota Kita")
    assert _extract(post).title == post.title  # one page cannot tell
    known = SourceFurniture(
        title_starts=frozenset({line_key("lokal")}), title_ends=frozenset({line_key("kota kita")})
    )
    article = _extract(post, known)
    assert article.title == "Harga minyak naik lagi"
    assert (article.lines.title_start, article.lines.title_end) == (
        line_key("Lokal"),
        line_key("Kota Kita"),
    )


def test_without_a_memory_the_text_is_what_it_was():
    post = _post(1)
    assert _extract(post).text == _extract(post, SourceFurniture()).text
    assert SIGNATURE in _extract(post, None).text


def test_a_recurring_sentence_inside_the_story_is_kept():
    quote = "Stoltenberg berkata: pintu NATO tetap terbuka bagi siapa pun yang ingin masuk."
    story = f"First line of the story.\n{quote}\nLast line of the story."
    known = SourceFurniture(lines=frozenset({line_key(quote), line_key("share this")}))
    assert strip_recurring(f"{story}\nShare this", known) == story


def test_recurring_lines_go_from_both_ends_and_labels_from_anywhere():
    text = "Menu\nHome\nThe story begins.\nAdvertisement\nIt goes on, and ends.\nFollow us on X!"
    known = SourceFurniture(
        lines=frozenset(map(line_key, ("menu", "HOME", "Advertisement", "Follow us on X!")))
    )
    assert strip_recurring(text, known) == "The story begins.\nIt goes on, and ends."


def test_a_page_that_would_be_mostly_stripped_is_kept_whole():
    text = "A line the source repeats on every page, a long one.\nShort story."
    known = SourceFurniture(lines=frozenset({line_key(text.splitlines()[0])}))
    assert strip_recurring(text, known) == text


def test_page_lines_fold_case_and_spacing_and_copies_hash_alike():
    one = page_lines("The story.\n- Follow us  on Instagram", "Story | Kabar Dunia")
    two = page_lines("the STORY.\nfollow us on instagram", "Another | Kabar  dunia")
    assert one.lines == two.lines and one.page_hash == two.page_hash
    assert one.title_end == two.title_end == line_key("kabar dunia")
    assert one.title_start != two.title_start
    assert page_lines("Another story.", None).page_hash != one.page_hash
    assert page_lines("x", "A title without parts").title_end is None
    assert line_key("   ") == ""


def test_page_lines_are_bounded_to_the_ends_of_a_long_text():
    lines = page_lines("\n".join(f"Line {n}." for n in range(1000)), None).lines
    assert len(lines) == 200
    assert line_key("Line 0.") in lines and line_key("Line 999.") in lines
    assert line_key("Line 500.") not in lines


def test_the_title_parts_most_titles_share_are_cut_from_the_headline():
    known = SourceFurniture(
        title_starts=frozenset({line_key("Dunia")}), title_ends=frozenset({line_key("Kabar Dunia")})
    )
    assert trim_title("Dunia - Rusia dan NATO bertemu | Kabar Dunia", known) == (
        "Rusia dan NATO bertemu"
    )
    assert trim_title("Rusia dan NATO bertemu", known) == "Rusia dan NATO bertemu"
    assert trim_title("Kabar Dunia", known) == "Kabar Dunia"  # never the whole title
    assert trim_title("Harga minyak | Pasar", known) == "Harga minyak | Pasar"
    assert trim_title(None, known) is None
