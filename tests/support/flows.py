"""Sources files for sites on 127.0.0.1, and the ingest flow run in-process."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.prefect_server import api_request

LOCAL_SETTINGS = """\
[settings]
allow_private_networks = true
per_host_delay_seconds = 0
timeout_seconds = 5
"""


def write_sources(path: Path, sources: list[tuple[str, str, str]], settings: str = LOCAL_SETTINGS):
    """Writes a sources.toml with these (name, url, kind) entries; returns its path."""
    blocks = [f'[[sources]]\nname = "{n}"\nurl = "{u}"\nkind = "{k}"\n' for n, u, k in sources]
    path.write_text(settings + "\n" + "\n".join(blocks))
    return path


def run_artifact(state, key: str = "ingest-summary") -> str:
    """Returns the data of the artifact `key` (markdown, or a table's JSON text) that the
    flow run ended in `state` created, read back from the Prefect API."""
    from prefect.settings import PREFECT_API_URL

    run = str(state.state_details.flow_run_id)
    body = {"artifacts": {"key": {"any_": [key]}, "flow_run_id": {"any_": [run]}}}
    [artifact] = api_request(PREFECT_API_URL.value(), "POST", "/artifacts/filter", body).json()
    return artifact["data"]


def run_flow(sources: Path, db: Path, due_only: bool = False):
    """Runs the ingest flow on the current Prefect API (the test server); returns its state."""
    from flows.ingest import ingest

    return asyncio.run(ingest(str(sources), str(db), due_only=due_only, return_state=True))
