"""The `newsflow` command line: arguments, commands, printing, Prefect's temporary server."""
