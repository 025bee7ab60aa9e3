"""`python -m newsflow.cli`: the `newsflow` command."""

import sys

from newsflow.cli.main import main

sys.exit(main())
