"""`[sources.extract]` in sources.toml: selectors read as rules, mistakes named by file,
line and key when the file is loaded."""

from __future__ import annotations

import pytest

from newsflow.config import load_sources
from newsflow.errors import ConfigError
from newsflow.models import ExtractRules
from tests.support.docs import page_text

FIRST = '[[sources]]\nname = "plain"\nurl = "https://plain.example/feed/"\n'


def write(tmp_path, rules: str):
    path = tmp_path / "sources.toml"
    path.write_text(
        f'{FIRST}\n[[sources]]\nname = "blog"\nurl = "https://blog.example/feed/"\n'
        f"\n[sources.extract]\n{rules}\n",
        encoding="utf-8",
    )
    return path


def test_the_rules_are_read_per_source(tmp_path):
    path = write(tmp_path, 'body = "div.story"\ndrop = [".related", "aside"]\ndate = "time"')
    plain, blog = load_sources(path).sources
    assert plain.extract is None
    assert blog.extract == ExtractRules(body="div.story", drop=(".related", "aside"), date="time")
    assert load_sources(write(tmp_path, 'drop = "aside"')).sources[1].extract.drop == ("aside",)


def test_a_change_of_rules_is_a_new_version():
    assert ExtractRules(body="div.a").version != ExtractRules(body="div.b").version
    assert ExtractRules(body="div.a").version == ExtractRules(body="div.a").version


@pytest.mark.parametrize(
    ("rules", "line", "key", "expected"),
    [
        ('title = "h1"\nbody = "div..story"', 11, "extract.body", "not a valid CSS selector"),
        ('drop = ["aside", "p:nth-child(x)"]', 10, "extract.drop", "not a valid CSS selector"),
        ('author = ""', 10, "extract.author", "empty string"),
        ("date = 3", 10, "extract.date", "expected a CSS selector"),
        ('headline = "h1"', 10, "extract.headline", "unknown key"),
    ],
)
def test_a_bad_rule_names_file_line_and_key(tmp_path, rules, line, key, expected):
    path = write(tmp_path, rules)
    with pytest.raises(ConfigError) as error:
        load_sources(path)
    message = str(error.value)
    assert f"{path}:{line}" in message and f"(blog).{key}" in message and expected in message


@pytest.mark.parametrize("page_name", ["configuration.md", "README.md"])
def test_the_documented_example_loads(tmp_path, page_name):
    page = page_text(page_name)
    blocks = [b.split("```")[0] for b in page.split("```toml")[1:]]
    path = tmp_path / "sources.toml"
    path.write_text(next(b for b in blocks if "[sources.extract]" in b), encoding="utf-8")
    rules = load_sources(path).sources[0].extract
    assert rules.body == "div.article-body" and rules.drop == (".related-stories", "aside.promo")
