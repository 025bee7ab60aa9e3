"""`backfill_max_pages` in sources.toml: its default, 0 allowed, mistakes named by line."""

from __future__ import annotations

import pytest

from newsflow.config import load_sources
from newsflow.errors import ConfigError

SOURCE = '\n[[sources]]\nname = "blog"\nurl = "https://blog.example/feed/"\n'


def write(tmp_path, settings: str):
    path = tmp_path / "sources.toml"
    path.write_text(f"[settings]\n{settings}\n{SOURCE}", encoding="utf-8")
    return path


def test_default_and_zero(tmp_path):
    assert load_sources(write(tmp_path, "")).settings.backfill_max_pages == 40
    assert load_sources(write(tmp_path, "backfill_max_pages = 0")).settings.backfill_max_pages == 0


@pytest.mark.parametrize(("value", "expected"), [("-1", "from 0 to"), ('"10"', "expected int"),
                                                 ("2.5", "expected int")])  # fmt: skip
def test_a_bad_value_names_file_line_and_key(tmp_path, value, expected):
    path = write(tmp_path, f"timeout_seconds = 5\nbackfill_max_pages = {value}")
    with pytest.raises(ConfigError) as error:
        load_sources(path)
    assert f"{path}:3" in str(error.value) and "settings.backfill_max_pages" in str(error.value)
    assert expected in str(error.value)
