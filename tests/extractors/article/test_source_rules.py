"""A source's own selectors (extractors.article.source_rules) come before the general
methods: on a small page written here, each rule changes what the article holds."""

from __future__ import annotations

from datetime import UTC, datetime

from extractors.article.extract import extract_article
from newsflow.models import ExtractRules

STORY = [
    "The council voted on Tuesday to close the old bridge to cars from next spring, after "
    "engineers found cracks in two of its supporting piers during a routine inspection.",
    "Cyclists and pedestrians will still be able to cross while a replacement is designed, "
    "the mayor said, adding that the work would be paid for from the transport budget.",
]
TEASER = (
    "Elsewhere in the region, a second bridge reopened after a summer of repairs that "
    "cost far more than the council had planned for in its budget."
)
PAGE = f"""<html><head><title>Site name</title></head><body>
<h1>Site name</h1>
<div class="col"><h2 class="story-title">Bridge to close to cars</h2>
<p class="who">Ann Reporter</p><p class="when">5 December 2026</p>
<div class="story">{"".join(f"<p>{p}</p>" for p in STORY)}
<div class="also"><p>{TEASER}</p></div></div></div>
</body></html>""".encode()


def _article(rules: ExtractRules | None):
    return extract_article(
        PAGE, "https://example.org/2026/bridge", source="s", fetched_at=datetime.now(UTC),
        rules=rules,
    )  # fmt: skip


def test_the_rules_name_the_story_title_author_and_date():
    rules = ExtractRules(body="div.story", drop=("div.also",), title="h2.story-title",
                         author="p.who", date="p.when")  # fmt: skip
    article = _article(rules)
    assert all(p in article.text for p in STORY) and TEASER not in article.text
    assert "Ann Reporter" not in article.text
    assert article.title == "Bridge to close to cars"
    assert article.author == "Ann Reporter"
    assert article.published_at.date().isoformat() == "2026-12-05"


def test_without_rules_the_general_methods_keep_what_the_rules_drop():
    assert TEASER in _article(None).text


def test_a_rule_that_matches_nothing_leaves_the_general_methods_to_it():
    article = _article(ExtractRules(body="div.gone", title="h5.none"))
    assert article.text == _article(None).text and article.title == _article(None).title
