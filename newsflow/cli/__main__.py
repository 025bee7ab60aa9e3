"""`python -m newsflow.cli`: the `newsflow` command."""

from newsflow.cli.main import run

run()
