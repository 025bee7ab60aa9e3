"""Topics: the starter topics.toml, validation errors that say where, and matching rules."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from extractors.taggers import topics
from extractors.taggers.tagger import TagContext
from extractors.taggers.topics_file import Topics, load_topics
from newsflow.errors import ConfigError
from newsflow.models import Article
from tests.support import REPO
from tests.support.posts import NATO_TEXT


def run(text: str, loaded: Topics):
    article = Article("https://example.org/a", "test", text, "h", datetime(2026, 1, 1, tzinfo=UTC))
    return topics.tag(article, TagContext(url=article.url, text=text, topics=loaded))


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "topics.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_starter_file_loads():
    loaded = load_topics(REPO / "topics.toml")
    names = [t.name for t in loaded.topics]
    assert {"security", "energy", "elections", "climate", "economy"} <= set(names)


def test_the_nato_story_is_about_security():
    [security] = run(NATO_TEXT, load_topics(REPO / "topics.toml"))
    assert security.value == "security" and security.kind == "topic" and security.score > 0.5
    assert "nato" in security.surface


def test_matching_is_whole_word_and_case_insensitive(tmp_path):
    loaded = load_topics(write(tmp_path, '[topics.t]\nterms = ["gas", "NATO"]\nmin_hits = 1\n'))
    assert run("Nato and GAS.", loaded)
    assert not run("Gasoline in the Natolia region.", loaded)


def test_wildcards_match_inflections_and_compounds(tmp_path):
    loaded = load_topics(write(tmp_path, '[topics.w]\nterms = ["elect*", "*wahl"]\nmin_hits = 3\n'))
    [tag] = run("Elections, an elected body, die Bundestagswahl.", loaded)
    assert tag.value == "w" and 0 < tag.score < 1


def test_min_hits(tmp_path):
    loaded = load_topics(write(tmp_path, '[topics.t]\nterms = ["rudal"]\n'))  # default 2
    assert not run("Satu rudal.", loaded)
    assert run("Rudal dan rudal.", loaded)


def test_no_topics_configured_means_no_tags():
    article = Article("u", "s", "NATO", "h", datetime(2026, 1, 1, tzinfo=UTC))
    assert topics.tag(article, TagContext(url="u", text="NATO NATO")) == []


@pytest.mark.parametrize(
    ("body", "line", "field", "says"),
    [
        ('[topics.a]\nterms = ["x"]\ncolour = "red"\n', 3, "topics.a.colour", "unknown key"),
        ('[topics.a]\nterms = "x"\n', 2, "topics.a.terms", "expected list, got str"),
        ("[topics.a]\nterms = []\n", 2, "topics.a.terms", "non-empty list"),
        ('[topics.a]\nterms = ["ok", 3]\n', 2, "topics.a.terms", "non-empty strings"),
        ('[topics.a]\nterms = ["x"]\nmin_hits = 0\n', 3, "topics.a.min_hits", ">= 1"),
        ('[topics.a]\nterms = ["x"]\nmin_hits = true\n', 3, "topics.a.min_hits", "expected int"),
        ('[topics.a]\nterms = ["x"]\n\n[settings]\nx = 1\n', 4, "settings", "unknown key"),
        ('[topics.a]\nterms = ["x"\n', 2, "", "not valid TOML"),
        ('[topics.a]\nterms = ["x"] 3\n', 2, "", "not valid TOML"),
        ("# nothing\n", None, "topics", "at least one"),
    ],
)
def test_validation_errors_name_file_line_and_key(tmp_path, body, line, field, says):
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_topics(path)
    error = caught.value
    assert (error.path, error.line, error.field) == (str(path), line, field)
    assert says in str(error) and str(path) in str(error)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_topics(tmp_path / "absent.toml")
