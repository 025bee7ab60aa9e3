"""A site that changes its layout, end to end: five real nights of the ingest flow over a
blog on 127.0.0.1 (a real Prefect server and DuckDB file). Four nights of whole stories
make the source's usual; on the fifth its new pages carry only a teaser, as a redesign
that moved the story out of reach leaves them. The source is marked in `source_status`
and named in that night's summary, and not before."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest

from newsflow.demo.site import SiteServer, blogger_site
from tests.support.flows import run_artifact, run_flow, write_sources
from tests.support.many_blogs import generated_post

pytestmark = pytest.mark.usefixtures("prefect_server")

SECTION = "## Extraction alerts: has the site changed its layout?"
PER_NIGHT = 3


def _alert(db) -> str | None:
    with duckdb.connect(str(db), read_only=True) as con:
        [(alert,)] = con.execute(
            "SELECT extraction_alert FROM source_status WHERE source = 'blog'"
        ).fetchall()
    return alert


def _teaser(post):
    return replace(post, paragraphs=(f"Read “{post.title}” in our app.",))


def test_a_blog_whose_stories_shrink_to_teasers_is_marked_and_named_in_the_run_artifact(tmp_path):
    db = tmp_path / "news.duckdb"
    posts = [generated_post(21, n) for n in range(5 * PER_NIGHT)]
    posts[-PER_NIGHT:] = [_teaser(p) for p in posts[-PER_NIGHT:]]
    with SiteServer(lambda base: blogger_site("Kabar Dunia", [], base, lang="en")) as server:
        sources = write_sources(
            tmp_path / "sources.toml", [("blog", server.base_url + "/", "auto")]
        )
        for night in range(1, 6):
            published = posts[: night * PER_NIGHT]
            server.site = blogger_site("Kabar Dunia", published, server.base_url, lang="en")
            state = run_flow(sources, db)
            assert state.is_completed()
            if night == 4:
                assert _alert(db) is None  # four nights of whole stories: the usual
                assert SECTION not in run_artifact(state)

    alert = _alert(db)
    assert alert is not None and alert.startswith("median text length fell to "), alert
    assert f"| blog | {alert} |" in run_artifact(state).split(SECTION)[1]
