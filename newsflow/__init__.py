"""newsflow: nightly news ingestion (shared types, errors and configuration)."""

__version__ = "0.1.0"
