"""prefect.yaml: real flows, matching parameters, a timezone, offline pull, one work pool."""

from __future__ import annotations

import inspect
import re
import zoneinfo
from pathlib import Path

import pytest
import yaml
from prefect.flows import load_flow_from_entrypoint

from flows.crash_detection import HEARTBEAT_SECONDS
from newsflow.cli.main import PACKAGE_LOGGERS
from tests.support.docs import page_text

REPO = Path(__file__).resolve().parents[2]
PREFECT_YAML = REPO / "prefect.yaml"
CONFIG = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
DEPLOYMENTS = {d["name"]: d for d in CONFIG["deployments"]}


def test_the_issue_s_deployments_are_there():
    assert set(DEPLOYMENTS) == {"nightly", "frequent", "reextract", "shard"}
    assert DEPLOYMENTS["nightly"]["entrypoint"] == "flows/ingest.py:ingest"
    assert DEPLOYMENTS["frequent"]["entrypoint"] == "flows/ingest.py:ingest"
    assert DEPLOYMENTS["reextract"]["entrypoint"] == "flows/reextract.py:reextract"
    assert DEPLOYMENTS["shard"]["entrypoint"] == "flows/shard.py:ingest_shard"


def test_the_night_starts_its_shards_by_the_shard_deployment_s_name():
    from flows.shard_runs import SHARD_DEPLOYMENT

    flow = load_flow_from_entrypoint(str(REPO / DEPLOYMENTS["shard"]["entrypoint"]))
    assert f"{flow.name}/shard" == SHARD_DEPLOYMENT


def _flows_named_in_docs(deployment: str) -> set[str]:
    """Returns the flow names docs/operations.md gives this deployment (`ingest/nightly`)."""
    text = page_text("operations.md")
    return {flow for flow, name in re.findall(r"[`'](\w+)/(\w+)[`']", text) if name == deployment}


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_entrypoint_is_the_flow_the_docs_run_and_takes_the_deployment_s_parameters(
    name, monkeypatch
):
    deployment = DEPLOYMENTS[name]
    monkeypatch.chdir(REPO)  # entrypoints are relative to the pull step's directory

    flow = load_flow_from_entrypoint(deployment["entrypoint"])

    signature = inspect.signature(flow.fn)
    given = set(deployment["parameters"])
    assert given <= set(signature.parameters)
    required = {p for p, v in signature.parameters.items() if v.default is v.empty}
    if name == "shard":  # started by the night, which gives every parameter
        from flows.shard_plan import Shard
        from flows.shard_runs import shard_parameters

        shard = Shard(1, ("a",), ("h",), 0)
        night_gives = shard_parameters(shard, [shard], {"sources": "s", "db": "d", "night": "n"})
        assert required <= set(night_gives) <= set(signature.parameters)
        return
    # `prefect deployment run FLOW/DEPLOYMENT` as the docs write it finds this flow.
    assert _flows_named_in_docs(name) == {flow.name}
    # Each parameter is one of the function's; those without a default are all given.
    assert required <= given
    assert given == set(flow.parameters.properties)
    # Values of the right type for the signature: the server enforces the same schema.
    assert flow.validate_parameters(deployment["parameters"]) == deployment["parameters"]


def test_nightly_runs_at_two_in_an_explicit_timezone_and_reextract_is_unscheduled():
    (schedule,) = DEPLOYMENTS["nightly"]["schedules"]
    assert schedule["cron"] == "0 2 * * *"
    zoneinfo.ZoneInfo(schedule["timezone"])  # a real IANA name
    assert not DEPLOYMENTS["reextract"].get("schedules")
    assert not DEPLOYMENTS["reextract"].get("schedule")
    # One place to change it: the timezone is written once in the file.
    assert len(re.findall(r"^\s*timezone:", PREFECT_YAML.read_text(), re.M)) == 1


def test_frequent_reads_only_the_due_sources_every_fifteen_minutes_into_the_night_s_db():
    frequent, nightly = DEPLOYMENTS["frequent"], DEPLOYMENTS["nightly"]
    assert frequent["parameters"]["due_only"] is True
    assert nightly["parameters"]["due_only"] is False  # the night reads every source
    assert frequent["parameters"]["shards"] == 1
    for shared in ("sources", "db"):
        assert frequent["parameters"][shared] == nightly["parameters"][shared]
    (schedule,) = frequent["schedules"]
    assert schedule["interval"] == 15 * 60
    assert frequent["concurrency_limit"]["limit"] == 1


def test_code_is_found_by_our_pull_step_not_a_clone_or_a_baked_path():
    text = PREFECT_YAML.read_text(encoding="utf-8")
    assert "git_clone" not in text
    assert CONFIG["pull"] == [{"flows.checkout.use_checkout": {}}]
    # The step Prefect will import, by that name, from the worker's Python.
    from prefect.utilities.importtools import import_object

    assert callable(import_object("flows.checkout.use_checkout"))
    assert str(REPO) not in text
    for deployment in DEPLOYMENTS.values():
        assert "pull" not in deployment  # the top-level step applies to every deployment


def test_one_process_pool_named_once_with_package_loggers_and_no_overlapping_runs():
    pools = {d["work_pool"]["name"] for d in DEPLOYMENTS.values()}
    assert len(pools) == 1
    (pool,) = pools
    assert PREFECT_YAML.read_text(encoding="utf-8").count(pool) == 1
    for name, deployment in DEPLOYMENTS.items():
        env = deployment["work_pool"]["job_variables"]["env"]
        assert env["PREFECT_LOGGING_EXTRA_LOGGERS"] == PACKAGE_LOGGERS
        # Heartbeats as often as the crash detection expects them.
        assert int(env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"]) == HEARTBEAT_SECONDS
        assert "newsflow" in deployment["tags"]  # the tag the crash detection watches
        if name != "shard":  # a night's shards run together
            assert deployment["concurrency_limit"]["limit"] == 1
    assert "concurrency_limit" not in DEPLOYMENTS["shard"]


def test_operations_nightly_section_uses_this_pool_and_deploys_everything():
    text = page_text("operations.md")
    section = text.split("<!-- nightly", 1)[1].split("<!-- /nightly -->", 1)[0]
    (pool,) = {d["work_pool"]["name"] for d in DEPLOYMENTS.values()}
    for command in (
        "uv run prefect server start",
        f"uv run prefect work-pool create {pool} --type process",
        "uv run prefect deploy --all",
        f"uv run prefect worker start --pool {pool}",
        "uv run newsflow serve",
    ):
        assert command in section
