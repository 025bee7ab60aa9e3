"""A page that takes too long to extract costs one row, not the night: through the real
ingest flow, a huge post is cut off at `extract_timeout_seconds` and recorded as an
extraction timeout, and every other post is stored."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest

from newsflow.demo.run import POSTS
from newsflow.demo.site import SiteServer, blogger_site, post_path
from tests.support.flows import LOCAL_SETTINGS, run_flow, write_sources

pytestmark = pytest.mark.usefixtures("prefect_server")

DEADLINE = 1  # second; the other posts take a twentieth of it, the huge one ~4 times it
# ~4 MB in 20,000 short distinct paragraphs: extraction needs ~4 s of CPU for it (each
# line is checked against the furniture phrases; 1,500 long ones of the same size take 1 s).
HUGE = replace(
    POSTS[0],
    slug="laporan-lengkap",
    title="Laporan lengkap",
    paragraphs=tuple(
        " ".join(f"kata{n}x{i} tentang pelabuhan dan kapal feri baru" for i in range(4))
        for n in range(20_000)
    ),
)


def test_a_page_past_the_extraction_deadline_is_recorded_and_the_rest_stored(tmp_path):
    posts = [*POSTS, HUGE]
    with SiteServer(lambda base: blogger_site("Kabar", posts, base)) as blog:
        sources = write_sources(
            tmp_path / "sources.toml",
            [("kabar", blog.base_url + "/feeds/posts/default", "feed")],
            LOCAL_SETTINGS + f"extract_timeout_seconds = {DEADLINE}\n",
        )
        state = run_flow(sources, tmp_path / "news.duckdb")
        huge_url = blog.base_url + post_path(HUGE)

    assert state.is_completed(), state.message
    with duckdb.connect(str(tmp_path / "news.duckdb"), read_only=True) as con:
        stored = {u for (u,) in con.execute("SELECT url FROM articles").fetchall()}
        huge = con.execute(
            "SELECT outcome, error FROM fetches WHERE url = ?", [huge_url]
        ).fetchall()
    assert huge == [("extract_error", f"timeout: extraction took over {DEADLINE}s")]
    assert huge_url not in stored and len(stored) == len(POSTS)
