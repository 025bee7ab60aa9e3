"""Benchmarks of newsflow against a naive scraper; `uv run python bench/run.py`."""
