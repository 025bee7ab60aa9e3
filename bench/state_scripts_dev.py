"""Stories from state scripts alone: how well extractors.article.state_scripts reads the
story on the dev sets' pages that carry framework state (Next.js, Nuxt, JSON-LD).

Those pages all show their story in the DOM too, so `extract_article` never falls back to
the state on them: this scores the fallback as if the DOM were empty. Each page with a
state marker goes through `state_story_html` and trafilatura, as extract.py's fallback
runs them, and is scored by the set's score.py; pages where nothing story-like is found
count as none (precision and recall 0), the two halves as bench/extraction_dev.py splits.

    uv run python bench/state_scripts_dev.py
"""

from __future__ import annotations

import json
import time

import trafilatura
from trafilatura.utils import load_html

from bench.extraction_dev import DEV, SETS, _gold_text, _load_score, halves
from extractors.article.state_scripts import state_story_html

MARKERS = ("__NEXT_DATA__", "self.__next_f", "__NUXT", '"articleBody"')


def state_text(raw: str, url: str) -> tuple[str | None, float]:
    """Returns the story text the page's state holds (None: none found) and its CPU ms."""
    started = time.process_time()
    story = state_story_html(load_html(raw), url)
    doc = trafilatura.bare_extraction(load_html(story), url=url, fast=False,
                                      with_metadata=False) if story else None  # fmt: skip
    return (doc.text if doc else None), 1000 * (time.process_time() - started)


def report_set(name: str, score) -> None:
    gold = json.loads((DEV / name / "gold.json").read_text(encoding="utf-8"))
    rows, side = {}, {pid: h for h, ids in halves(name, gold).items() for pid in ids}
    for pid in sorted(gold):
        raw = (DEV / name / "pages" / f"{pid}.html").read_text(encoding="utf-8", errors="ignore")
        if not any(marker in raw for marker in MARKERS):
            continue
        text, ms = state_text(raw, gold[pid].get("url") or pid)
        p, r = score.page_scores(_gold_text(gold[pid]), text) if text else (0.0, 0.0)
        rows[pid] = (p, r, text is not None, ms)
        print(f"  {side[pid]} {pid[:40]:40} P {p:.3f} R {r:.3f} {ms:5.1f} ms")
    for half in ("A", "B", "AB"):
        part = [row for pid, row in rows.items() if side[pid] in half]
        found = [row for row in part if row[2]]
        p = sum(r[0] for r in found) / (len(found) or 1)
        r = sum(r[1] for r in found) / (len(found) or 1)
        print(f"## {name} half {half}: {len(found)}/{len(part)} pages found, on those "
              f"P {p:.3f} R {r:.3f} F1 {2 * p * r / ((p + r) or 1):.3f}")  # fmt: skip


def main() -> int:
    score = _load_score()
    for name in SETS:
        report_set(name, score)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
