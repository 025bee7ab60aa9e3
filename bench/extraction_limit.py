"""The extraction limit: CPU seconds of `trafilatura.extract` alone over the benchmark's pages.

The same corpus bytes the site serves, in the same order, `--pages` of them. One page is
extracted first, untimed, so imports and lazy set-up are not counted. On N cores no
pipeline that extracts every page can take less wall time than this / N.

    python bench/extraction_limit.py --pages 1035
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import trafilatura

from bench.site import corpus
from tests.support.corpus import read_index


def extraction_seconds(pages: int) -> dict:
    """Returns the pages extracted, the CPU seconds it took and how many gave text."""
    pages_dir = corpus() / "pages"
    bodies = [(pages_dir / e["file"]).read_bytes() for e in read_index(corpus(), "pages")]
    trafilatura.extract(bodies[0])
    with_text = 0
    started = time.process_time()
    for n in range(pages):
        with_text += bool(trafilatura.extract(bodies[n % len(bodies)]))
    return {"pages": pages, "cpu_seconds": time.process_time() - started, "with_text": with_text}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, required=True)
    print(json.dumps(extraction_seconds(parser.parse_args(argv).pages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
