"""A source's own extraction rules ([sources.extract]) through `newsflow ingest` on a blog
on 127.0.0.1, and `reextract --source` re-applying changed rules with no request."""

from __future__ import annotations

import asyncio

import duckdb
import pytest

from tests.support.flows import LOCAL_SETTINGS, run_flow
from tests.support.posts import NATO_POST

pytestmark = pytest.mark.usefixtures("prefect_server")

NATO_URL = "%rusia-dan-nato%"


def _sources(path, base_url: str, rules: str):
    path.write_text(
        f'{LOCAL_SETTINGS}\n[[sources]]\nname = "kabar-dunia"\nurl = "{base_url}/"\n'
        f"\n[sources.extract]\n{rules}"
    )
    return path


def _nato(db) -> tuple[str, str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            """SELECT a.text, a.title, t.tagger_version FROM articles a
               JOIN article_taggers t ON t.url = a.url AND t.tagger = 'extraction'
               WHERE a.url LIKE ?""",
            [NATO_URL],
        ).fetchone()


def test_ingest_applies_the_sources_rules_and_records_them(tmp_path, blog):
    rules = (
        'body = "div.post-body"\ndrop = ["div.post-body p:last-child"]\ntitle = "h2.date-header"\n'
    )
    db = tmp_path / "news.duckdb"
    assert run_flow(_sources(tmp_path / "sources.toml", blog.base_url, rules), db).is_completed()

    text, title, version = _nato(db)
    assert NATO_POST.paragraphs[0] in text
    assert NATO_POST.paragraphs[-1] not in text  # dropped by the rule, before extraction
    assert title == f"{NATO_POST.published:%A, %d %B %Y}"  # the rule's element, not the post's
    assert "+rules-" in version


def test_reextract_source_reapplies_changed_rules_without_fetching(tmp_path, blog):
    from flows.reextract import reextract

    sources = _sources(
        tmp_path / "sources.toml", blog.base_url, 'drop = "div.post-body p:last-child"\n'
    )
    db = tmp_path / "news.duckdb"
    assert run_flow(sources, db).is_completed()
    assert NATO_POST.paragraphs[-1] not in _nato(db)[0]
    unchanged = asyncio.run(reextract(str(db), sources=str(sources), return_state=True))
    assert unchanged.result()["stale"] == 0  # the rules are the articles' version
    _sources(sources, blog.base_url, 'drop = "div.post-share-buttons"\n')
    requests_before = len(blog.requests)

    state = asyncio.run(
        reextract(str(db), sources=str(sources), source="kabar-dunia", return_state=True)
    )

    assert state.is_completed(), state.message
    assert state.result()["reextracted"] == len(blog.posts)
    assert len(blog.requests) == requests_before
    text, _, version = _nato(db)
    assert NATO_POST.paragraphs[-1] in text
    again = asyncio.run(reextract(str(db), sources=str(sources), return_state=True))
    assert again.result()["stale"] == 0 and "+rules-" in version


def test_reextract_of_an_unknown_source_fails_naming_it(tmp_path, blog):
    from flows.reextract import reextract

    sources = _sources(tmp_path / "sources.toml", blog.base_url, 'drop = "aside"\n')
    state = asyncio.run(
        reextract(
            str(tmp_path / "n.duckdb"), sources=str(sources), source="nope", return_state=True
        )
    )
    assert state.is_failed() and "'nope'" in state.message
