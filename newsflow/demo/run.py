"""`newsflow demo`: a sample blog on 127.0.0.1, ingested into a scratch database, offline."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from newsflow.demo.site import Post, SiteServer, blogger_site

WIB = timezone(timedelta(hours=7))

POSTS = [
    Post(
        slug="menteri-energi-asean-bahas-listrik-bersih",
        title="Menteri Energi ASEAN Bahas Jaringan Listrik Bersih di Jakarta",
        author="Redaksi Kabar Contoh",
        published=datetime(2026, 11, 20, 9, 30, tzinfo=WIB),
        labels=("Energi", "ASEAN"),
        paragraphs=(
            "Para menteri energi negara-negara ASEAN bertemu di Jakarta pada hari Kamis untuk "
            "membahas rencana jaringan listrik bersama yang menghubungkan Indonesia, Malaysia, "
            "Singapura dan Thailand.",
            "Menurut para pejabat, jaringan itu akan memudahkan perdagangan listrik dari tenaga "
            "surya dan panas bumi, serta mengurangi ketergantungan pada batu bara di kawasan.",
            "Pertemuan berikutnya dijadwalkan berlangsung di Manila tahun depan, setelah kajian "
            "teknis selesai disusun oleh sekretariat ASEAN.",
        ),
    ),
    Post(
        slug="city-council-votes-on-new-tram-line",
        title="City Council Votes on a New Tram Line Across the River",
        author="Redaksi Kabar Contoh",
        published=datetime(2026, 11, 21, 18, 5, tzinfo=WIB),
        labels=("Transport",),
        lang="en",
        paragraphs=(
            "The city council approved on Friday the first section of a tram line that will "
            "cross the river and link the old town with the new university campus.",
            "Supporters said the line would cut car traffic on the main bridge by a third, "
            "while opponents questioned the cost and the two years of road works.",
            "Construction is expected to begin next spring once the European Investment Bank "
            "confirms its loan.",
        ),
    ),
    Post(
        slug="hochwasser-an-der-elbe-entspannt-sich",
        title="Hochwasser an der Elbe entspannt sich",
        author="Redaksi Kabar Contoh",
        published=datetime(2026, 11, 22, 7, 45, tzinfo=WIB),
        labels=("Wetter", "Deutschland"),
        lang="de",
        paragraphs=(
            "Nach tagelangem Regen sinken die Pegel an der Elbe in Dresden und Magdeburg "
            "langsam wieder, teilte das Landesamt für Umwelt am Samstag mit.",
            "Die Feuerwehr bleibt dennoch in Bereitschaft, weil für die kommende Woche "
            "erneut kräftige Niederschläge in Tschechien erwartet werden.",
        ),
    ),
]

QUERIES = [
    (
        "Articles, newest first",
        "SELECT title, language, published_at FROM articles ORDER BY published_at DESC",
    ),
    (
        "Tags of each article",
        "SELECT a.title, t.kind, t.value FROM article_tags t JOIN articles a USING (url) "
        "WHERE t.kind IN ('language', 'place', 'org') ORDER BY a.title, t.kind",
    ),
    (
        "Articles per topic",
        "SELECT t.value AS topic, count(*) AS articles FROM article_tags t "
        "WHERE t.kind = 'topic' GROUP BY ALL ORDER BY articles DESC",
    ),
    ("What the last run did", "SELECT state, articles_new, fetches, message FROM runs"),
]


def run_demo(console, print_rows: Callable[[list[str], list[tuple], str], None]) -> int:
    """Serves the sample blog, ingests it into a scratch database, prints queries to try
    (each query's rows through `print_rows`)."""
    from flows.ingest import run_ingest

    workdir = Path(tempfile.mkdtemp(prefix="newsflow-demo-"))
    with SiteServer(lambda base: blogger_site("Kabar Contoh", POSTS, base)) as server:
        sources = workdir / "sources.toml"
        sources.write_text(DEMO_SOURCES.format(url=server.base_url + "/"))
        (workdir / "topics.toml").write_text(DEMO_TOPICS)
        db = workdir / "demo.duckdb"
        console.print(f"Sample blog at {server.base_url}/ ; database {db}")
        state = run_ingest(sources, db)
    console.print(f"[bold]{state.name}[/]: {state.message or ''}")
    if not state.is_completed():
        return 1
    for title, sql in QUERIES:
        console.print(f'\n[bold]{title}[/]  uv run newsflow query "{sql}" --db {db}')
        print_rows(*_run(db, sql), "table")
    return 0


def _run(db: Path, sql: str):
    from storage.db import connect
    from storage.sandbox import answer

    with connect(db, read_only=True) as con:
        return answer(con, sql)


DEMO_SOURCES = """\
# Written by `newsflow demo`: the sample blog runs on this machine, so private
# addresses are allowed and no politeness delay is needed.
[settings]
allow_private_networks = true
per_host_delay_seconds = 0
timeout_seconds = 10

[[sources]]
name = "kabar-contoh"
url = "{url}"
kind = "auto"
"""

DEMO_TOPICS = """\
# Topics for the demo: each topic lists its terms in several languages.
[topics.energy]
terms = ["energy", "electricity", "solar", "energi", "listrik", "tenaga surya", "Energie", "Strom"]

[topics.transport]
terms = ["tram", "train", "bridge", "traffic", "kereta", "jembatan", "Straßenbahn", "Brücke"]

[topics.weather]
terms = ["flood", "rain", "storm", "banjir", "hujan", "Hochwasser", "Regen", "Niederschläge"]
"""
