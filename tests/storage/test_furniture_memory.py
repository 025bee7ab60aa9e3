"""Each source's memory of recurring lines, on every backend: distinct pages counted once,
furniture found by count and share, and the memory bounded."""

from __future__ import annotations

from datetime import UTC, datetime

from extractors.article.furniture import MIN_PAGES, MIN_SHARE, line_key, page_lines
from storage import furniture as memory
from storage.furniture import load_furniture, remember_lines

NOW = datetime(2026, 11, 29, tzinfo=UTC)
FOOTER = "Follow this blog on Instagram"


def _pages(source: str, numbers, footer: str = FOOTER, title_end: str = "Kabar Dunia"):
    return [
        (
            source,
            f"http://{source}.example/{n}",
            page_lines(f"Story {n}.\n{footer}", f"{n} | {title_end}"),
        )
        for n in numbers
    ]


def _furniture(con):
    return load_furniture(con, MIN_PAGES, MIN_SHARE)


def test_a_line_on_most_distinct_pages_is_the_source_furniture(backend):
    with backend.connect() as con:
        assert remember_lines(con, _pages("blog", range(2)), NOW) == 2
        assert _furniture(con) == {}  # two pages: a shared quote, as far as anyone can tell
        assert remember_lines(con, _pages("blog", range(2, 4)), NOW) == 2
        assert remember_lines(con, _pages("other", range(2)), NOW) == 2
        found = _furniture(con)
    assert set(found) == {"blog"}  # the other source has shown it on two pages only
    assert found["blog"].lines == {line_key(FOOTER)}
    assert found["blog"].title_ends == {line_key("kabar dunia")}
    assert found["blog"].title_starts == frozenset()


def test_a_page_counts_once_whether_fetched_again_or_copied(backend):
    story = page_lines(f"The same story.\n{FOOTER}", None)
    copies = [("blog", f"http://blog.example/copy-{n}", story) for n in range(5)]
    updated = [
        ("blog", "http://blog.example/1", page_lines(f"Version {n}.\n{FOOTER}", None))
        for n in range(5)
    ]
    with backend.connect() as con:
        assert remember_lines(con, copies, NOW) == 1
        assert remember_lines(con, updated, NOW) == 1
        assert remember_lines(con, updated, NOW) == 0
        assert _furniture(con) == {}  # 2 distinct pages, however many URLs and versions
        [(pages,)] = con.execute("SELECT count(*) FROM furniture_pages").fetchall()
    assert pages == 2


def test_a_line_on_a_minority_of_pages_is_not_furniture(backend):
    quoted = [
        ("blog", f"http://blog.example/q{n}", page_lines(f"Quote {n}.\nA shared quote.", None))
        for n in range(3)
    ]
    with backend.connect() as con:
        remember_lines(con, _pages("blog", range(4), footer="Old footer"), NOW)
        remember_lines(con, quoted, NOW)
        remember_lines(con, _pages("blog", range(4, 10), footer="Old footer"), NOW)
        lines = _furniture(con)["blog"].lines
    assert line_key("Old footer") in lines
    assert line_key("A shared quote.") not in lines  # 3 of the 9 pages since it appeared


def test_a_new_footer_is_learnt_from_the_pages_since_it_appeared(backend):
    with backend.connect() as con:
        remember_lines(con, _pages("blog", range(20), footer="Old footer"), NOW)
        remember_lines(con, _pages("blog", range(20, 23), footer="New footer"), NOW)
        lines = _furniture(con)["blog"].lines
    assert line_key("New footer") in lines  # 3 of the 3 pages since, not 3 of 23


def test_the_memory_forgets_what_its_last_pages_did_not_show(backend, monkeypatch):
    monkeypatch.setattr(memory, "PAGE_WINDOW", 5)
    with backend.connect() as con:
        remember_lines(con, _pages("blog", range(10), footer="Old footer"), NOW)
        remember_lines(con, _pages("blog", range(10, 16), footer="New footer"), NOW)
        keys = {k for (k,) in con.execute("SELECT key FROM furniture_lines").fetchall()}
        [(pages, first)] = con.execute(
            "SELECT count(*), min(page_no) FROM furniture_pages"
        ).fetchall()
        found = _furniture(con)["blog"].lines
    assert line_key("Old footer") not in keys and line_key("Story 0.") not in keys
    assert line_key("Story 15.") in keys
    assert (pages, first) == (5, 12)  # pages 12-16 of 16
    assert found == {line_key("New footer")}


def test_near_copies_of_a_story_do_not_make_its_sentences_furniture(backend):
    story = [f"Sentence {n} of the one story that is reposted." for n in range(12)]
    copies = [
        (
            "blog",
            f"http://blog.example/copy-{n}",
            page_lines("\n".join([*story, f"Copy {n}."]), None),
        )
        for n in range(4)
    ]
    with backend.connect() as con:
        remember_lines(con, _pages("blog", range(6)), NOW)
        assert remember_lines(con, copies, NOW) == 1  # the first copy; the others add a line
        remember_lines(con, _pages("blog", range(6, 8)), NOW)
        found = _furniture(con)["blog"].lines
    assert found == {line_key(FOOTER)}


def test_short_posts_whose_lines_are_mostly_furniture_still_teach_it(backend):
    labels = ["Share this", "Labels: photo", "Newer post", "Older post"]
    captions = [f"A photo of the harbour at dawn, day {n}, from the pier." for n in range(4)]
    posts = [
        ("blog", f"http://blog.example/p{n}", page_lines("\n".join([caption, *labels]), None))
        for n, caption in enumerate(captions)
    ]
    with backend.connect() as con:
        assert remember_lines(con, posts, NOW) == 4
        found = _furniture(con)["blog"].lines
    assert found == set(map(line_key, labels))
