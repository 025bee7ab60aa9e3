"""Where newsflow looks when it is not told: the defaults the CLI's options and the flows'
parameters share, in one place so the two never drift apart."""

from __future__ import annotations

SOURCES_PATH = "sources.toml"
DB_PATH = "data/news.duckdb"
NIGHTLY_CRON = "0 2 * * *"  # prefect.yaml's nightly deployment says the same
TIMEZONE = "UTC"
