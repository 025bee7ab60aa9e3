"""The one outcome vocabulary: README's list is the enum's, and only transient ones retry."""

from __future__ import annotations

import re
from pathlib import Path

from newsflow.outcomes import Outcome

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_lists_exactly_the_stored_outcomes() -> None:
    text = README.read_text(encoding="utf-8")
    paragraph = text[text.index("`fetches.outcome` is") :].split("\n\n", 1)[0]
    listed = set(re.findall(r"`([a-z_]+)`", paragraph)) - {"fetches", "outcome"}
    assert listed == {str(o.as_stored) for o in Outcome}


def test_only_network_hiccups_are_transient() -> None:
    transient = {o for o in Outcome if o.transient}
    assert transient == {"timeout", "connect_error", "reset", "truncated", "server_error"}
    assert not Outcome.GONE.transient and not Outcome.BLOCKED_PRIVATE.transient


def test_outcomes_are_their_stored_strings() -> None:
    assert Outcome("not_modified") is Outcome.NOT_MODIFIED
    assert f"{Outcome.EXTRACT_ERROR}" == "extract_error"
    assert Outcome.NOT_MODIFIED.answered and not Outcome.EMPTY.answered
