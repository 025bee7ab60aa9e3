"""A small SVG chart of articles per day per source, drawn by hand (no plotting library).

Its rows come from storage.reports.articles_per_day: see there what a day is.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

CHART_FILE = "articles_per_day.svg"
# Colour-blind-safe palette (Okabe-Ito); sources beyond it reuse colours in order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 150, 30, 40
MAX_BAR_WIDTH = 48


def articles_per_day_svg(rows: Iterable[tuple[date, str, int]], title: str = "") -> str:
    """Returns an SVG document: one stacked bar per day, one series (colour) per source."""
    counts: dict[str, dict[date, int]] = defaultdict(dict)
    for day, source, n in rows:
        counts[source][day] = counts[source].get(day, 0) + n
    title = title or "Articles per day per source"
    if not counts:
        note = (
            f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle">no articles yet</text>'
        )
        return _document(title, [note])
    days = _day_range(counts)
    totals = [sum(series.get(d, 0) for series in counts.values()) for d in days]
    scale = (HEIGHT - TOP - BOTTOM) / max(totals)
    step = (WIDTH - LEFT - RIGHT) / len(days)
    parts = _axes(days, max(totals), step)
    below = [0.0] * len(days)  # stacked height already drawn on each day
    for i, (source, series) in enumerate(sorted(counts.items())):
        parts.append(_series(source, series, days, PALETTE[i % len(PALETTE)], scale, step, below))
        parts.append(_legend_entry(source, sum(series.values()), PALETTE[i % len(PALETTE)], i))
    return _document(title, parts)


def svg_data_uri(svg: str) -> str:
    """Returns the SVG as a data: URI, for an image in markdown."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def chart_path(db: str | Path) -> Path:
    """Returns where the chart of the database `db` is written: beside it."""
    return Path(db).with_name(CHART_FILE)


def _day_range(counts: dict[str, dict[date, int]]) -> list[date]:
    first = min(min(series) for series in counts.values())
    last = max(max(series) for series in counts.values())
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _series(source, series, days, colour, scale, step, below) -> str:
    bars = []
    width = min(step * 0.8, MAX_BAR_WIDTH)
    for i, day in enumerate(days):
        n = series.get(day, 0)
        if not n:
            continue
        height = n * scale
        y = HEIGHT - BOTTOM - below[i] - height
        below[i] += height
        bars.append(
            f'<rect x="{LEFT + (i + 0.5) * step - width / 2:.1f}" y="{y:.1f}" width="{width:.1f}" '
            f'height="{height:.1f}" data-day="{day.isoformat()}" data-count="{n}">'
            f"<title>{day.isoformat()} {escape(source)}: {n}</title></rect>"
        )
    return (
        f'<g class="series" data-source={quoteattr(source)} fill="{colour}">'
        + "".join(bars)
        + "</g>"
    )


def _axes(days: list[date], top: int, step: float) -> list[str]:
    base, chart_top = HEIGHT - BOTTOM, TOP
    parts = [
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#444"/>',
        f'<line x1="{LEFT}" y1="{chart_top}" x2="{LEFT}" y2="{base}" stroke="#444"/>',
        f'<text x="{LEFT - 6}" y="{chart_top + 4}" text-anchor="end">{top}</text>',
        f'<text x="{LEFT - 6}" y="{base + 4}" text-anchor="end">0</text>',
    ]
    every = max(1, len(days) // 6)  # at most about seven date labels
    for i in range(0, len(days), every):
        x = LEFT + (i + 0.5) * step
        parts.append(
            f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle">{days[i]:%m-%d}</text>'
        )
    parts.append(
        f'<text x="{LEFT}" y="{HEIGHT - 6}">{days[0].isoformat()} to '
        f"{days[-1].isoformat()} (UTC)</text>"
    )
    return parts


def _legend_entry(source: str, total: int, colour: str, i: int) -> str:
    x, y = WIDTH - RIGHT + 14, TOP + i * 18
    return (
        f'<rect class="legend" x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>'
        f'<text x="{x + 16}" y="{y + 9}">{escape(source[:16])} ({total})</text>'
    )


def _document(title: str, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>'
        f'<text x="{LEFT}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>'
        + "".join(parts)
        + "</svg>\n"
    )
