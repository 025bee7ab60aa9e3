"""Text that came from a page, a feed, a server, a file or the user is printed as it is,
never read as rich markup (issue 24, item 5): `[/x]` crashed the commands with
MarkupError, `[link=…]` and `[bold]` were silently consumed."""

from __future__ import annotations

import dataclasses
import re
from argparse import Namespace

import pytest
from prefect.states import Failed

from newsflow.cli.analyst import export, search
from newsflow.cli.commands import query, sources
from newsflow.cli.opml_commands import sources_import
from newsflow.cli.render import print_summary
from storage.db import connect
from storage.state import start_run
from storage.writes import write_batch
from tests.support.batches import NOW, batch_rows, stored_article

HOSTILE = "[/x] Breaking [link=https://evil.example/]click here[/link] [bold]now[/bold]"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "news.duckdb"
    article = dataclasses.replace(stored_article("https://blog.example/a", "Story."),
                                  title=HOSTILE)  # fmt: skip
    with connect(path) as con:
        start_run(con, "run-1", NOW)
        write_batch(con, "run-1", *batch_rows("run-1", [article]))
        con.execute(
            "INSERT INTO source_health (source, consecutive_failures, healthy, last_error)"
            " VALUES ('blog', 3, false, 'http_error: 500 [/x] boom [bold]b[/bold]')"
        )
    return path


def _printed(capsys) -> str:
    out = capsys.readouterr()
    return " ".join((out.out + out.err).split())  # rich wraps long cells


def test_a_title_is_printed_as_it_is_in_a_table(db, capsys):
    code = query(Namespace(sql="SELECT title FROM articles", db=str(db), format="table"))
    assert code == 0
    printed = _printed(capsys)
    assert "[/x] Breaking [link=https://evil.example/]click here[/link]" in printed


def test_a_servers_error_is_printed_as_it_is_by_sources(db, tmp_path, capsys):
    config = tmp_path / "sources.toml"
    config.write_text('[[sources]]\nname = "blog"\nurl = "https://blog.example/"\n')
    assert sources(Namespace(sources=str(config), db=str(db))) == 0
    printed = _printed(capsys)  # the cell may wrap anywhere between them
    assert "[/x]" in printed and "[bold]b[/bold]" in printed


def test_a_runs_state_message_is_printed_as_it_is(capsys):
    print_summary(Failed(message="source x: 500 [/x] boom [bold]b[/bold]"), None)
    assert "500 [/x] boom [bold]b[/bold]" in _printed(capsys)


@pytest.mark.parametrize(
    ("options", "code"),
    [({"query": "[/zzz] [qqq]"}, 0), ({"since": "[/x] [bold]"}, 2),
     ({"source": "[/x] [bold]"}, 2)],
)  # fmt: skip
def test_search_options_are_echoed_as_they_are(db, tmp_path, capsys, options, code):
    args = {"query": "story", "db": str(db), "index": str(tmp_path / "i.duckdb"),
            "lang": None, "source": None, "since": None, "limit": 5, "format": "table"}  # fmt: skip
    assert search(Namespace(**{**args, **options})) == code
    assert re.search(r"'\[/(x|zzz)\] \[(bold|qqq)\]'", _printed(capsys))


def test_export_since_is_echoed_as_it_is(db, tmp_path, capsys):
    args = Namespace(out=str(tmp_path / "out"), db=str(db), format="csv", since="[/x]",
                     source=None, with_tags=False)  # fmt: skip
    assert export(args) == 2
    assert "'[/x]'" in _printed(capsys)


def test_an_opml_outline_title_is_printed_as_it_is(tmp_path, capsys):
    opml = tmp_path / "feeds.opml"
    outline = '<outline text="[/x] [bold]T" type="rss" xmlUrl="https://t.example/feed"/>'
    opml.write_text(f'<opml version="2.0"><body>{outline}{outline}</body></opml>')
    config = tmp_path / "sources.toml"
    config.write_text("")
    assert sources_import(Namespace(file=str(opml), sources=str(config))) == 0
    printed = _printed(capsys)  # it crashed here, after sources.toml was written
    assert "1 sources added" in printed and "listed more than once" in printed
