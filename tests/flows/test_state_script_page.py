"""A client-rendered page (Next.js app router) whose story is only in its state scripts
lands through a real night: feed and page served on 127.0.0.1, stored in a DuckDB file."""

from __future__ import annotations

import json

import duckdb
import pytest

from newsflow.demo.site import Site, SiteServer
from tests.support.flows import run_flow, write_sources

pytestmark = pytest.mark.usefixtures("prefect_server")

STORY = [
    "더불어민주당 지도부가 전당대회 당대표 선거에 선호투표제를 도입하는 방안을 논의했으나 "
    "또다시 결론을 내지 못했다. 당 관계자는 다음 주 회의에서 다시 논의하겠다고 밝혔다.",
    "민주당은 12일 오후 국회에서 비공개 최고위원회의를 열었으나 개의 약 두 시간 반 만에 "
    "이렇다 할 결론을 내리지 못하고 산회했다. 참석자들은 서로 다른 의견을 냈다고 전했다.",
]


def _page() -> bytes:
    story = "".join(f'<p class="editor-p">{p}</p>' for p in STORY)
    row = ["$", "div", None, {"dangerouslySetInnerHTML": {"__html": story}}]
    payload = f'1:"$Sreact.fragment"\n5:{json.dumps(row, ensure_ascii=False)}\n'
    half = len(payload) // 2
    pushes = "".join(
        f"<script>self.__next_f.push({json.dumps([1, c]).replace('<', chr(92) + 'u003c')})</script>"
        for c in (payload[:half], payload[half:])
    )
    return (
        '<!doctype html><html lang="ko"><head><title>선호투표제 결론 못 내</title></head>'
        f'<body><div id="root"></div>{pushes}</body></html>'
    ).encode()


def _site(base: str) -> Site:
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        f"<link>{base}/</link><item><title>선호투표제 결론 못 내</title>"
        f"<link>{base}/news/1.html</link>"
        "<pubDate>Sat, 05 Dec 2026 09:00:00 +0900</pubDate></item></channel></rss>"
    )
    site = Site()
    site.files["/feed.xml"] = ("application/rss+xml", feed.encode())
    site.files["/news/1.html"] = ("text/html; charset=utf-8", _page())
    return site


def test_a_story_only_in_state_scripts_lands(tmp_path):
    with SiteServer(_site) as server:
        sources = write_sources(
            tmp_path / "sources.toml", [("news", server.base_url + "/feed.xml", "feed")]
        )
        db = tmp_path / "news.duckdb"
        assert run_flow(sources, db).is_completed()
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT url, text FROM articles").fetchall()
    assert len(rows) == 1 and rows[0][0].endswith("/news/1.html")
    assert all(p in rows[0][1] for p in STORY)
