"""The pull step: a flow run finds the checkout, or fails saying to set NEWSFLOW_HOME."""

from __future__ import annotations

import os

import pytest

from flows.checkout import find_checkout, use_checkout
from newsflow.errors import CheckoutNotFound
from tests.support import REPO


def test_without_newsflow_home_it_is_the_checkout_this_code_was_imported_from():
    assert find_checkout({}) == REPO.resolve()


def test_newsflow_home_wins_when_it_names_a_checkout(tmp_path):
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "ingest.py").write_text("")
    (tmp_path / "prefect.yaml").write_text("")

    assert find_checkout({"NEWSFLOW_HOME": str(tmp_path)}) == tmp_path.resolve()


def test_a_newsflow_home_without_the_code_is_refused_naming_what_to_set(tmp_path):
    with pytest.raises(CheckoutNotFound) as caught:
        find_checkout({"NEWSFLOW_HOME": str(tmp_path / "gone")})

    message = str(caught.value)
    assert "set NEWSFLOW_HOME to the newsflow checkout" in message
    assert str(tmp_path / "gone") in message and "no prefect.yaml, flows/ingest.py" in message


def test_the_step_moves_the_process_into_the_checkout(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # a process worker starts runs in a temporary folder
    monkeypatch.delenv("NEWSFLOW_HOME", raising=False)

    assert use_checkout() == {"directory": str(REPO.resolve())}
    assert os.getcwd() == str(REPO.resolve())


def test_outside_a_flow_run_the_step_only_raises(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSFLOW_HOME", str(tmp_path))
    monkeypatch.delenv("PREFECT__FLOW_RUN_ID", raising=False)

    with pytest.raises(CheckoutNotFound):
        use_checkout()
