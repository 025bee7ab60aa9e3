"""The fork server's warm-up (extractors.pool.warm) builds what workers would each build."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Run in a process of its own: importing extractors.pool.warm loads every model and freezes
# the collector's objects, which the test process must not inherit.
_PROBE = """
import extractors.pool.warm
from justext.core import define_stoplist
from trafilatura import external

stoplist = external.JT_STOPLIST
assert stoplist and len(stoplist) > 100_000, "justext's stoplist was not built"
before = define_stoplist.cache_info()
lowered = define_stoplist(stoplist)
after = define_stoplist.cache_info()
assert after.hits == before.hits + 1, "justext's lower-cased stoplist was built again"
assert "the" in lowered and "und" in lowered
"""


def test_the_fork_server_builds_justexts_stoplist_the_workers_then_reuse():
    run = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=REPO, capture_output=True, text=True, timeout=300
    )

    assert run.returncode == 0, run.stderr[-2000:]
