"""The articles-per-day chart: well-formed SVG, one series per source, the right numbers."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta

import defusedxml.ElementTree as ET  # noqa: N817 (the usual ElementTree alias)

from flows.artifacts import write_chart
from newsflow.chart import BOTTOM, HEIGHT, TOP, articles_per_day_svg, chart_path, svg_data_uri
from storage.db import connect
from storage.reports import articles_per_day

SVG = "{http://www.w3.org/2000/svg}"
ROWS = [
    (date(2026, 11, 20), "kabar-dunia", 1),
    (date(2026, 11, 21), "kabar-dunia", 2),
    (date(2026, 11, 21), "other-blog", 3),
    (date(2026, 11, 24), "other-blog", 1),
]


def _series(svg: str) -> dict[str, list]:
    root = ET.fromstring(svg)
    return {
        g.get("data-source"): g.findall(f"{SVG}rect")
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "series"
    }


def test_one_series_per_source_with_one_bar_per_day_it_published():
    series = _series(articles_per_day_svg(ROWS))

    assert set(series) == {"kabar-dunia", "other-blog"}
    bars = {
        s: [(r.get("data-day"), int(r.get("data-count"))) for r in rects]
        for s, rects in series.items()
    }
    assert bars == {
        "kabar-dunia": [("2026-11-20", 1), ("2026-11-21", 2)],
        "other-blog": [("2026-11-21", 3), ("2026-11-24", 1)],
    }


def test_bar_heights_are_proportional_and_the_busiest_day_fills_the_plot():
    series = _series(articles_per_day_svg(ROWS))
    rects = [r for rs in series.values() for r in rs]
    per_article = {round(float(r.get("height")) / int(r.get("data-count")), 3) for r in rects}

    assert len(per_article) == 1
    busiest = sum(float(r.get("height")) for r in rects if r.get("data-day") == "2026-11-21")
    assert abs(busiest - (HEIGHT - TOP - BOTTOM)) < 0.5


def test_days_without_articles_are_on_the_axis_and_legend_gives_totals():
    root = ET.fromstring(articles_per_day_svg(ROWS))
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))

    for label in ("11-20", "11-22", "11-23", "11-24", "kabar-dunia (3)", "other-blog (4)"):
        assert label in text


def test_awkward_source_names_are_escaped_and_no_rows_draws_a_note():
    svg = articles_per_day_svg([(date(2026, 1, 1), 'a<b>&"c', 2)])
    assert set(_series(svg)) == {'a<b>&"c'}

    empty = ET.fromstring(articles_per_day_svg([]))
    assert [t.text for t in empty.iter(f"{SVG}text")][-1] == "no articles yet"


def test_data_uri_holds_the_svg():
    svg = articles_per_day_svg(ROWS)
    uri = svg_data_uri(svg)

    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg


def _insert(con, url, source, published, first_seen):
    con.execute(
        "INSERT INTO articles (url, source, published_at, text, content_hash, first_seen_at,"
        " last_seen_at) VALUES (?, ?, ?, 'text', 'hash', ?, ?)",
        [url, source, published, first_seen, first_seen],
    )


def test_query_counts_by_publication_day_falls_back_on_first_seen_and_keeps_the_window(tmp_path):
    db = tmp_path / "news.duckdb"
    seen = datetime.now(UTC).replace(hour=2, minute=0) - timedelta(days=2)
    published = (seen - timedelta(days=5)).replace(hour=23, minute=30)
    with connect(db) as con:
        _insert(con, "http://a/1", "a", published, seen)
        _insert(con, "http://a/2", "a", published.replace(hour=1), seen)
        _insert(con, "http://b/1", "b", None, seen)  # no date on the page
        _insert(con, "http://b/2", "b", seen - timedelta(days=40), seen)  # outside 30 days
        _insert(con, "http://b/3", "b", datetime(2999, 1, 1, tzinfo=UTC), seen)  # bad date
        rows = articles_per_day(con, days=30)

    assert rows == [(published.date(), "a", 2), (seen.date(), "b", 1)]


def test_write_chart_puts_the_svg_beside_the_database(tmp_path):
    db = tmp_path / "data" / "news.duckdb"
    with connect(db) as con:
        _insert(
            con,
            "http://a/1",
            "a",
            datetime(2026, 11, 20, tzinfo=UTC),
            datetime(2026, 11, 21, tzinfo=UTC),
        )

    path, svg = write_chart(db)

    assert path == chart_path(db) == tmp_path / "data" / "articles_per_day.svg"
    assert path.read_text(encoding="utf-8") == svg
    assert set(_series(svg)) == {"a"}
