"""The pace's `[settings]`: read, validated like every other setting, naming key and line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from newsflow.config import load_sources
from newsflow.errors import ConfigError

SOURCE = '[[sources]]\nname = "blog"\nurl = "https://blog.example/feed"\n'


def _load(tmp_path, settings: str):
    path = tmp_path / "sources.toml"
    path.write_text(f"[settings]\n{settings}\n{SOURCE}", encoding="utf-8")
    return load_sources(path)


def test_defaults_are_fifteen_minutes_to_a_week(tmp_path):
    bounds = _load(tmp_path, "").settings.pace_bounds
    assert (bounds.shortest, bounds.longest) == (timedelta(minutes=15), timedelta(days=7))


def test_the_bounds_are_read(tmp_path):
    bounds = _load(tmp_path, "min_interval_minutes = 5\nmax_interval_days = 0.5").settings
    assert bounds.pace_bounds.shortest == timedelta(minutes=5)
    assert bounds.pace_bounds.longest == timedelta(hours=12)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("min_interval_minutes = 0", "above 0"),
        ("max_interval_days = -1", "above 0"),
        ("max_interval_days = inf", "finite"),
        ("min_interval_minutes = nan", "finite"),
        ('min_interval_minutes = "15"', "expected float"),
        ("min_interval_minutes = 20000\nmax_interval_days = 7", "at most max_interval_days"),
    ],
)
def test_bad_bounds_name_the_key_and_its_line(tmp_path, line, expected):
    with pytest.raises(ConfigError, match=expected) as caught:
        _load(tmp_path, line)
    assert caught.value.line == 2
    assert caught.value.field.startswith("settings.")
