"""The deployments' pull step: each flow run starts in the newsflow checkout it should read.

A process worker starts every flow run in a fresh temporary directory. This step, run
by the flow-run process before the flow is loaded, moves it to the checkout:
`NEWSFLOW_HOME` when the worker's environment sets it, else the checkout this very
module was imported from (`uv sync` installs the project editable, so a worker started
with `uv run` in a checkout imports it from there). The environment is read when the
run starts, not when `prefect deploy` runs, so one deployment serves workers whose
checkouts live in different places.

When no checkout can be found the step fails the run with a message naming
NEWSFLOW_HOME; without it, the run would crash with only an exit code.
"""

from __future__ import annotations

import os
from pathlib import Path

from newsflow.errors import CheckoutNotFound

HOME_VARIABLE = "NEWSFLOW_HOME"
# What a checkout has that an installed copy of the packages has not.
MARKERS = ("prefect.yaml", "flows/ingest.py")


def find_checkout(environ: dict[str, str] | None = None) -> Path:
    """Returns the checkout a flow run should start in: NEWSFLOW_HOME, else this code's own.

    Raises CheckoutNotFound, naming NEWSFLOW_HOME, when the directory is not a checkout.
    """
    environ = os.environ if environ is None else environ
    home = environ.get(HOME_VARIABLE, "").strip()
    if home:
        where, why = Path(home).expanduser(), f"{HOME_VARIABLE}={home}"
    else:
        where, why = Path(__file__).resolve().parents[1], f"{HOME_VARIABLE} is not set and"
        why += " newsflow is imported from there"
    missing = [m for m in MARKERS if not (where / m).is_file()]
    if missing:
        raise CheckoutNotFound(
            str(where),
            f"newsflow's code was not found in {where} ({why}; no {', '.join(missing)}): "
            f"set {HOME_VARIABLE} to the newsflow checkout on this worker's machine, "
            "e.g. `NEWSFLOW_HOME=/path/to/newsflow uv run prefect worker start --pool "
            "newsflow-pool`",
        )
    return where.resolve()


def use_checkout() -> dict[str, str]:
    """Returns {"directory": the checkout} after moving this process into it (a pull step)."""
    try:
        directory = find_checkout()
    except CheckoutNotFound as exc:
        _fail_this_run(str(exc))
        raise
    os.chdir(directory)
    return {"directory": str(directory)}


def _fail_this_run(message: str) -> None:
    """Marks the flow run Failed with `message`: once the process exits, the worker would
    record only "Process exited with status code: 1" (a terminal state is kept)."""
    flow_run_id = os.environ.get("PREFECT__FLOW_RUN_ID")
    if not flow_run_id:
        return
    from prefect.client.orchestration import get_client
    from prefect.states import Failed

    with get_client(sync_client=True) as client:
        client.set_flow_run_state(flow_run_id, Failed(message=message), force=True)
