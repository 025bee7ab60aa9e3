"""Extraction quality: the project's own extraction scored on the dev sets and the corpus.

Each page goes through `extractors.article.extract.extract_article`, the function the ingest
workers call, on the raw bytes with the content type the corpus site sends (`text/html`,
no charset), exactly as `newsflow ingest` would see it. Every dev set is scored by its
own `score.py` (precision/recall/F1 of 4-token shingles, title/author/date), on the
whole set and on two halves, and the corpus by its expected_in / expected_not_in /
comment strings as tests/extractors/article/test_article.py scores it.

The halves keep each publisher on one side (publishers sorted, taken in turn), so a rule
tuned on half A meets half B's sites unseen; sorted-id parity would put a site's two
pages on both sides.

    python bench/extraction_dev.py [--worst 10] [--engine trafilatura] [--out DIR] [--feed-date]

With --feed-date each page comes with a feed entry dated (as `newsflow ingest` extracts a
feed's pages): the page's own date is then not searched for, which is most of the CPU on
pages that state no date. Dates are then the feed's, so only the text and ms/page count.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

# This checkout's extractors, whichever environment runs the script: an editable install
# of another checkout (main's .venv run from a worktree) would otherwise be timed instead.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV = SHARED / "extraction-dev"
CORPUS = SHARED / "corpus" / "pages"
SETS = ("news-en", "news-multi")
CONTENT_TYPE = "text/html"  # what the corpus site and most servers send; no charset
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FEED_DATE = False  # set by --feed-date


def extract_set(name: str, engine: str) -> tuple[dict, float]:
    """Returns {page id: {text, title, author, date}} for a dev set and the CPU ms a page."""
    gold = json.loads((DEV / name / "gold.json").read_text(encoding="utf-8"))
    extract = _engine(engine)
    extract(b"<html><body><p>warm-up</p></body></html>", "http://warm.invalid/")
    outputs, cpu = {}, 0.0
    for pid in sorted(gold):
        body = (DEV / name / "pages" / f"{pid}.html").read_bytes()
        started = time.process_time()
        outputs[pid] = extract(body, gold[pid].get("url") or f"http://dev.invalid/{pid}")
        cpu += time.process_time() - started
    return outputs, 1000 * cpu / len(gold)


def _engine(engine: str):
    if engine == "trafilatura":
        return _bare_trafilatura
    return _newsflow


def _newsflow(body: bytes, url: str) -> dict:
    from extractors.article.extract import extract_article
    from newsflow.errors import ExtractError
    from newsflow.models import FeedEntry

    # --feed-date: as `newsflow ingest` extracts a feed's entries, with the feed's date.
    entry = FeedEntry(url, "http://dev.invalid/feed", published=NOW) if FEED_DATE else None
    try:
        article = extract_article(
            body, url, source="dev", fetched_at=NOW, content_type=CONTENT_TYPE, entry=entry
        )
    except ExtractError as exc:
        return {"text": "", "error": exc.reason}
    date = article.published_at.date().isoformat() if article.published_at else None
    return {"text": article.text, "title": article.title, "author": article.author, "date": date}


def _bare_trafilatura(body: bytes, url: str) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(body, url=url, include_comments=False, with_metadata=True)
    if doc is None:
        return {"text": ""}
    return {"text": doc.text or "", "title": doc.title, "author": doc.author, "date": doc.date}


def halves(name: str, gold: dict) -> dict[str, set[str]]:
    """Returns the page ids of half A and half B, each publisher on one side only."""
    publisher = {pid: _publisher(name, pid, g) for pid, g in gold.items()}
    order = sorted(set(publisher.values()))
    side = {p: "AB"[i % 2] for i, p in enumerate(order)}
    return {h: {pid for pid, p in publisher.items() if side[p] == h} for h in "AB"}


def _publisher(name: str, pid: str, gold: dict) -> str:
    if name == "news-multi":  # ids are country-Publisher_YYYY_MM_DD
        return pid.rsplit("_", 3)[0]
    return urlsplit(gold.get("url", "")).hostname or pid


def figures(score, gold: dict, outputs: dict, ids: set[str]) -> dict:
    """Returns score.py's figures restricted to the pages `ids`."""
    rows = [score.page_scores(_gold_text(gold[i]), outputs[i].get("text") or "") for i in ids]
    p = sum(r[0] for r in rows) / len(rows)
    r = sum(r[1] for r in rows) / len(rows)
    result = {"pages": len(ids), "precision": p, "recall": r, "f1": 2 * p * r / ((p + r) or 1)}
    if all("title" in gold[i] for i in ids):
        result |= _metadata(score, gold, outputs, ids)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}


def _metadata(score, gold: dict, outputs: dict, ids: set[str]) -> dict:
    right = {"title": 0, "author": 0, "date": 0}
    for i in ids:
        g, out = gold[i], outputs[i]
        right["title"] += score.fold(out.get("title")) == score.fold(g["title"])
        right["date"] += str(out.get("date") or "")[:10] == (g.get("publishing_date") or "-")[:10]
        authors = [score.fold(a) for a in g.get("authors") or []]
        extracted = score.fold(out.get("author"))
        right["author"] += not authors or any(a and a in extracted for a in authors)
    return {k: v / len(ids) for k, v in right.items()}


def worst_pages(score, gold: dict, outputs: dict, n: int) -> list[tuple[str, float, float, float]]:
    """Returns the n pages with the lowest F1: (id, precision, recall, F1)."""
    rows = []
    for pid, g in gold.items():
        p, r = score.page_scores(_gold_text(g), outputs[pid].get("text") or "")
        rows.append((pid, round(p, 3), round(r, 3), round(2 * p * r / ((p + r) or 1), 3)))
    return sorted(rows, key=lambda row: row[3])[:n]


def _gold_text(g: dict) -> str:
    return g.get("text") or g.get("articleBody", "")


def official_line(name: str, outputs: dict, out_dir: Path) -> dict:
    """Returns what the set's own score.py prints for these outputs (the official figure)."""
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(outputs, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(DEV / "score.py"), name, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def corpus_figures(engine: str) -> dict:
    """Returns the corpus shares: expected strings kept, unwanted dropped, comments leaked."""
    index = json.loads((CORPUS / "index.json").read_text(encoding="utf-8"))
    extract = _engine(engine)
    found = leaked = comments = total_in = total_out = leaked_comments = 0
    cpu = 0.0
    for entry in index:
        body = (CORPUS / entry["file"]).read_bytes()
        url = entry["url"] or f"https://example.org/{entry['file']}"
        started = time.process_time()
        text = " ".join((extract(body, url).get("text") or "").split())
        cpu += time.process_time() - started
        total_in += len(entry["expected_in"])
        found += sum(" ".join(s.split()) in text for s in entry["expected_in"])
        total_out += len(entry["expected_not_in"])
        leaked += sum(" ".join(s.split()) in text for s in entry["expected_not_in"])
        comments += len(entry["expected_comments"])
        leaked_comments += sum(
            len(c) > 20 and " ".join(c.split()) in text for c in entry["expected_comments"]
        )
    return {
        "expected_in": f"{found}/{total_in} = {found / total_in:.3f}",
        "expected_not_in": f"{total_out - leaked}/{total_out} = {1 - leaked / total_out:.3f}",
        "comments_leaked": f"{leaked_comments}/{comments}",
        "ms_cpu_a_page": round(1000 * cpu / len(index), 1),
    }


def _load_score():
    spec = importlib.util.spec_from_file_location("extraction_dev_score", DEV / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report_set(name: str, args, score, out_dir: Path) -> None:
    gold = json.loads((DEV / name / "gold.json").read_text(encoding="utf-8"))
    outputs, ms = extract_set(name, args.engine)
    print(f"## {name} ({args.engine}): {ms:.1f} ms CPU a page")
    print("  whole (score.py):", json.dumps(official_line(name, outputs, out_dir)))
    for half, ids in halves(name, gold).items():
        print(f"  half {half}:", json.dumps(figures(score, gold, outputs, ids)))
    failed = {pid: o["error"] for pid, o in outputs.items() if o.get("error")}
    if failed:
        print("  no article:", json.dumps(failed, ensure_ascii=False))
    for pid, p, r, f1 in worst_pages(score, gold, outputs, args.worst):
        print(f"  worst  F1 {f1:.3f}  precision {p:.3f}  recall {r:.3f}  {pid}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=list(SETS), choices=SETS)
    parser.add_argument("--worst", type=int, default=10, help="list this many lowest-F1 pages")
    parser.add_argument("--engine", choices=("newsflow", "trafilatura"), default="newsflow")
    parser.add_argument("--no-corpus", action="store_true")
    parser.add_argument("--out", help="keep each set's OUTPUT.json for score.py here")
    parser.add_argument(
        "--feed-date", action="store_true", help="pages come with a feed entry's date (times)"
    )
    args = parser.parse_args(argv)
    global FEED_DATE
    FEED_DATE = args.feed_date
    if not (DEV / "score.py").exists() or not (CORPUS / "index.json").exists():
        print(f"skipped: the dev sets and corpus are not here ({SHARED} is missing)")
        return 0
    score = _load_score()
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(args.out) if args.out else Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in args.sets:
            report_set(name, args, score, out_dir)
    if not args.no_corpus:
        print(f"## corpus ({args.engine}):", json.dumps(corpus_figures(args.engine)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
