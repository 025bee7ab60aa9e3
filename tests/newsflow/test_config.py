"""sources.toml's numbers (issue 24, item 8): each finite and within its stated range, or
an error naming the file, the line and the key."""

from __future__ import annotations

import pytest

from newsflow.config import NUMBER_RANGES, load_sources
from newsflow.errors import ConfigError

SOURCE = '[[sources]]\nname = "s"\nurl = "https://s.example/"\n'


def _load(tmp_path, table: str, line: str):
    path = tmp_path / "sources.toml"
    path.write_text(f"# a comment\n[{table}]\n{line}\n\n{SOURCE}")
    return load_sources(path, environ={}), path


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("timeout_seconds = nan", "timeout_seconds"),
        ("timeout_seconds = inf", "timeout_seconds"),
        ("timeout_seconds = -inf", "timeout_seconds"),
        ("extract_timeout_seconds = nan", "extract_timeout_seconds"),
        ("per_host_delay_seconds = inf", "per_host_delay_seconds"),
        ("per_host_delay_seconds = -0.5", "per_host_delay_seconds"),
        ("timeout_seconds = 1e300", "timeout_seconds"),
        ("per_host_concurrency = 100000", "per_host_concurrency"),
        ("max_page_bytes = 9223372036854775807", "max_page_bytes"),
        ("max_redirects = 0", "max_redirects"),
        ("unhealthy_after_failures = 0", "unhealthy_after_failures"),
    ],
)
def test_a_non_finite_or_out_of_range_setting_names_file_line_and_key(tmp_path, line, key):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, "settings", line)
    message = str(caught.value)
    assert "sources.toml:3" in message and f"settings.{key}" in message, message
    assert "expected a finite number" in message


@pytest.mark.parametrize("line", ["keep_snapshots_days = -1", "keep_snapshots_days = 10000000"])
def test_storage_numbers_are_ranged_too(tmp_path, line):
    with pytest.raises(ConfigError, match=r"sources.toml:3.*storage.keep_snapshots_days"):
        _load(tmp_path, "storage", line)


@pytest.mark.parametrize(
    "line",
    ["timeout_seconds = 0.5", "timeout_seconds = 3600", "per_host_delay_seconds = 0",
     "max_page_bytes = 200_000_000", "keep_snapshots_days = 0"],
)  # fmt: skip
def test_values_in_range_are_kept(tmp_path, line):
    table = "storage" if line.startswith("keep") else "settings"
    config, _ = _load(tmp_path, table, line)
    key, value = (part.strip() for part in line.split("="))
    assert getattr(getattr(config, table), key) == float(value.replace("_", ""))


def test_every_number_has_a_range():
    from dataclasses import fields

    from newsflow.models import Settings, StorageSettings

    numbers = {f.name for t in (Settings, StorageSettings) for f in fields(t)
               if f.type in ("int", "float")}  # fmt: skip
    assert numbers == set(NUMBER_RANGES)
