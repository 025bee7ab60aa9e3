"""Prefect's zombie detection, configured: a run whose heartbeats stop is marked CRASHED.

A worker machine that dies (power, kill -9, a lost VM) takes its flow-run process with
it: nothing is left to report a final state, and the run would stay RUNNING, its
parent night waiting for it forever. Flow runs send a heartbeat event every
PREFECT_FLOWS_HEARTBEAT_FREQUENCY seconds (30, set for our deployments in prefect.yaml's
job variables); this automation, Prefect's documented recipe ("Detect zombie flows"),
marks a newsflow run CRASHED when, after a heartbeat, neither another heartbeat nor a
final state follows within SILENCE_SECONDS. It is scoped to runs tagged `newsflow` (our
deployments' tag), so other flows on the same server, with other heartbeat settings,
are left alone.

A sharded night creates the automation on its server when missing (idempotent by
name); `uv run python -m flows.crash_detection` creates it by hand.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

NAME = "newsflow: crash runs whose heartbeats stopped"
TAG = "newsflow"
HEARTBEAT_SECONDS = 30  # PREFECT_FLOWS_HEARTBEAT_FREQUENCY; Prefect's minimum
SILENCE_SECONDS = 90  # three heartbeats missed: a busy machine's late beat is no crash
FINAL_EVENTS = {f"prefect.flow-run.{s}" for s in ("Completed", "Failed", "Cancelled", "Crashed")}


def crash_silent_runs() -> AutomationCore:
    """Returns the automation: after a heartbeat, expect another (or an end) in time."""
    return AutomationCore(
        name=NAME,
        description=(
            f"Marks a run tagged {TAG!r} CRASHED when its heartbeats (every "
            f"{HEARTBEAT_SECONDS} s) stop for {SILENCE_SECONDS} s: its machine died."
        ),
        trigger=EventTrigger(
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={
                "prefect.resource.role": "tag",
                "prefect.resource.id": f"prefect.tag.{TAG}",
            },
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.heartbeat", *FINAL_EVENTS},
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=SILENCE_SECONDS),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message=(
                    f"no heartbeat for {SILENCE_SECONDS} s: the worker running this flow run "
                    "died or lost its connection (newsflow crash detection)"
                ),
            )
        ],
    )


async def ensure_crash_detection() -> bool:
    """Creates the automation on the current Prefect server unless it exists; returns
    whether it was created."""
    async with get_client() as client:
        if await client.read_automations_by_name(NAME):
            return False
        await client.create_automation(crash_silent_runs())
        return True


if __name__ == "__main__":
    created = asyncio.run(ensure_crash_detection())
    print(f"automation {NAME!r} {'created' if created else 'already exists'}")
