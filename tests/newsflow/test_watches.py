"""Watches in sources.toml: validated at load (file, line, key), and edited by
`newsflow watch add | rm | list` with every comment and the order kept."""

from __future__ import annotations

import pytest

from newsflow.config import load_sources
from newsflow.errors import ConfigError
from newsflow.models import Watch
from newsflow.watches_edit import add_watch, remove_watch
from tests.support.cli import newsflow

SOURCES = """\
# my sources
[settings]
per_host_delay_seconds = 0  # local tests

[[sources]]
name = "kabar-dunia"   # the blog
url = "https://kabar.example/feed"

# what I follow
[[watches]]
name = "nato-talks"   # NATO in Brussels
query = "Stoltenberg Brussel"
lang = "id"
source = "kabar-dunia"
since = "2d"
tags = { person = "Jens Stoltenberg", place = "Brussels" }

[[watches]]
name = "floods"
query = "Hochwasser"
"""


def write(tmp_path, text: str):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_watches_are_read_with_their_filters(tmp_path):
    watches = load_sources(write(tmp_path, SOURCES)).watches
    assert watches == (
        Watch("nato-talks", "Stoltenberg Brussel", "id", "kabar-dunia", "2d",
              (("person", "Jens Stoltenberg"), ("place", "Brussels"))),
        Watch("floods", "Hochwasser"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        ('lang = "id"', 'language = "id"', 13, "watches[0] (nato-talks).language", "unknown key"),
        ('name = "floods"', 'name = "nato-talks"', 19, "watches[1] (nato-talks).name",
         "duplicate name 'nato-talks', first used on line 11"),
        ('name = "floods"', 'name = "Floods!"', 19, "watches[1] (Floods!).name", "lower-case"),
        ('query = "Hochwasser"', 'query = "*"', 20, "watches[1] (floods).query", "words"),
        ('query = "Hochwasser"', "query = 3", 20, "watches[1] (floods).query", "a string"),
        ('lang = "id"', 'lang = "Indonesian"', 13, "watches[0] (nato-talks).lang", "language"),
        ('source = "kabar-dunia"', 'source = "nope"', 14, "watches[0] (nato-talks).source",
         "no source named 'nope'"),
        ('since = "2d"', 'since = "yesterday"', 15, "watches[0] (nato-talks).since", "an age"),
        ("person =", "people =", 16, "watches[0] (nato-talks).tags", "unknown tag kind 'people'"),
        ('place = "Brussels"', "place = 1", 16, "watches[0] (nato-talks).tags", "a tag value"),
    ],
)  # fmt: skip
def test_a_bad_watch_names_file_line_and_key(tmp_path, old, new, line, field, says):
    path = write(tmp_path, SOURCES.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), line, field)
    assert says in caught.value.message


def test_a_watch_without_query_and_an_unknown_table_are_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"sources.toml:18: watches\[1\] \(floods\).query: miss"):
        load_sources(write(tmp_path, SOURCES.replace('query = "Hochwasser"\n', "")))
    with pytest.raises(ConfigError, match=r"\[\[watches\]\]"):
        load_sources(write(tmp_path, SOURCES.replace("[[watches]]", "[[watch]]")))


def test_add_and_remove_keep_comments_and_order(tmp_path):
    path = write(tmp_path, SOURCES)
    add_watch(path, Watch("banjir", "Jakarta banjir", lang="id", tags=(("place", "Jakarta"),)))
    text = path.read_text()
    assert text.startswith(SOURCES)  # everything before untouched, the new watch after
    assert text[len(SOURCES) :] == (
        '\n[[watches]]\nname = "banjir"\nquery = "Jakarta banjir"\nlang = "id"\n'
        'tags = {place = "Jakarta"}\n'
    )
    assert [w.name for w in load_sources(path).watches] == ["nato-talks", "floods", "banjir"]
    remove_watch(path, "floods")
    text = path.read_text()
    assert "# NATO in Brussels" in text and "# what I follow" in text and "floods" not in text
    assert [w.name for w in load_sources(path).watches] == ["nato-talks", "banjir"]


def test_a_clashing_or_invalid_watch_leaves_the_file_as_it_was(tmp_path):
    path = write(tmp_path, SOURCES)
    with pytest.raises(ConfigError, match="already named 'floods'"):
        add_watch(path, Watch("floods", "Banjir"))
    with pytest.raises(ConfigError, match="no source named 'elsewhere'"):
        add_watch(path, Watch("banjir", "Banjir", source="elsewhere"))
    with pytest.raises(ConfigError, match="no watch named 'banjir'"):
        remove_watch(path, "banjir")
    assert path.read_text() == SOURCES
    assert not list(tmp_path.glob(".sources.toml.*"))  # no scratch file left


def test_watch_commands_as_a_user_runs_them(tmp_path):
    path = write(tmp_path, SOURCES)
    filters = ["--lang", "id", "--since", "7d", "--tag", "person=Jens Stoltenberg"]
    added = newsflow("watch", "add", "nato", "NATO Stoltenberg", *filters, "--source",
                     "kabar-dunia", cwd=tmp_path)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert load_sources(path).watches[-1] == Watch(
        "nato", "NATO Stoltenberg", "id", "kabar-dunia", "7d", (("person", "Jens Stoltenberg"),)
    )
    clash = newsflow("watch", "add", "nato", "again", cwd=tmp_path)
    assert clash.returncode == 2 and "already named 'nato'" in clash.stderr
    bad_tag = newsflow("watch", "add", "x", "y", "--tag", "person", cwd=tmp_path)
    assert bad_tag.returncode == 2 and "KIND=VALUE" in bad_tag.stderr
    listed = newsflow("watch", "list", "--format", "csv", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1:] == [
        'nato-talks,Stoltenberg Brussel,"lang=id, source=kabar-dunia, since=2d, '
        'person=Jens Stoltenberg, place=Brussels",0,,',
        "floods,Hochwasser,,0,,",
        'nato,NATO Stoltenberg,"lang=id, source=kabar-dunia, since=7d, '
        'person=Jens Stoltenberg",0,,',
    ]
    removed = newsflow("watch", "rm", "floods", cwd=tmp_path)
    assert removed.returncode == 0 and "floods" not in path.read_text()
    missing = newsflow("watch", "rm", "floods", cwd=tmp_path)
    assert missing.returncode == 2 and "no watch named 'floods'" in missing.stderr
