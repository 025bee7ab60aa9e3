"""The scaling benchmark's site: the shared corpus's real pages, served by many hosts.

Real pages, because extraction and tagging are most of a night's work and they cost
what the page makes them cost (the generated posts of tests/support/many_blogs.py are
short and simple: ~10x cheaper). Many hosts, because a night is split by host: every
host (a port of 127.0.0.1) serves every corpus page `copies` times behind one RSS feed.
The same pages on every host make near-duplicate clusters of `hosts` copies each, as a
story syndicated by many blogs does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from newsflow.demo.site import SiteServer
from tests.support.corpus_site import corpus_site
from tests.support.many_blogs import SETTINGS


@dataclass
class CorpusHosts:
    servers: dict[str, SiteServer]
    pages: int

    def write_sources(self, path: Path) -> Path:
        """Writes a sources.toml with each host's feed as a source; returns its path."""
        blocks = [
            f'[[sources]]\nname = "{name}"\nurl = "{s.base_url}/section0/feed.xml"\nkind = "feed"\n'
            for name, s in self.servers.items()
        ]
        path.write_text(SETTINGS + "\n" + "\n".join(blocks), encoding="utf-8")
        return path


@contextmanager
def corpus_hosts(corpus: Path, hosts: int, copies: int = 1) -> Iterator[CorpusHosts]:
    """Serves the corpus from `hosts` hosts, `copies` times each."""
    per_copy = len(json.loads((corpus / "pages" / "index.json").read_text(encoding="utf-8")))
    with ExitStack() as stack:
        servers = {
            f"host{n:02d}": stack.enter_context(
                SiteServer(lambda base: corpus_site(corpus, base, copies=copies))
            )
            for n in range(hosts)
        }
        yield CorpusHosts(servers, hosts * copies * per_copy)
