"""Tagger: the categories the feed or the page declares (RSS/Atom `category`, Blogger
labels, WordPress categories and tags), as tags of kind `category`.

`value` is the label as the source writes it; `code` its case-folded form, so "articles
per label" groups "Nato" and "NATO" by `code`.
"""

from __future__ import annotations

from newsflow.models import Article, Tag

NAME = "categories"
VERSION = "1"


def tag(article: Article, context) -> list[Tag]:
    """Returns one `category` tag per distinct declared category or tag of the article."""
    labels: dict[str, str] = {}
    for label in (*article.categories, *article.tags):
        label = " ".join(label.split())
        if label:
            labels.setdefault(label.casefold(), label)
    return [
        Tag("category", value, 1.0, NAME, VERSION, code=code, surface=value)
        for code, value in labels.items()
    ]
