"""Credentials in sources.toml: from the URL or the environment, validated, never in the URL."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from newsflow.config import load_sources
from newsflow.credentials import Credentials, redact, split_userinfo
from newsflow.errors import ConfigError, StorageError
from storage.db import connect
from storage.lake import forget_engines, shown


def _load(tmp_path, entry: str, environ: dict | None = None):
    path = tmp_path / "sources.toml"
    path.write_text(f'[[sources]]\nname = "s"\n{entry}\n')
    return load_sources(path, environ={} if environ is None else environ)


def test_password_in_the_url_is_split_off(tmp_path):
    (source,) = _load(tmp_path, 'url = "https://reader:p%40ss@news.example/feed"').sources
    assert source.url == "https://news.example/feed"
    assert source.credentials == Credentials("reader", "p@ss")
    assert "p@ss" not in repr(source) and "p%40ss" not in repr(source)


def test_password_from_the_environment(tmp_path):
    entry = 'url = "https://reader@news.example/feed"\npassword_env = "NEWS_PW"'
    (source,) = _load(tmp_path, entry, {"NEWS_PW": "from-env"}).sources
    assert source.url == "https://news.example/feed"
    assert source.credentials == Credentials("reader", "from-env")


@pytest.mark.parametrize(
    ("entry", "environ", "message"),
    [
        ('url = "https://reader@n.example/"\npassword_env = "NEWS_PW"', {}, "is not set"),
        ('url = "https://reader@n.example/"\npassword_env = "NEWS_PW"', {"NEWS_PW": ""},
         "is not set or empty"),
        ('url = "https://n.example/"\npassword_env = "NEWS_PW"', {"NEWS_PW": "x"},
         "needs a user name"),
        ('url = "https://reader:inline@n.example/"\npassword_env = "NEWS_PW"', {"NEWS_PW": "x"},
         "carries a password already"),
    ],
)  # fmt: skip
def test_password_env_mistakes_name_the_line(tmp_path, entry, environ, message):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, entry, environ)
    assert message in str(caught.value) and "sources.toml:4" in str(caught.value)
    assert "inline" not in str(caught.value)


def test_a_bad_url_is_reported_without_its_password(tmp_path):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, 'url = "ftp://reader:hunter2@n.example/"')
    assert "hunter2" not in str(caught.value) and "ftp://n.example/" in str(caught.value)


def test_split_and_redact():
    assert split_userinfo("http://u:p@h.example:8080/x?y#z") == (
        "http://h.example:8080/x?y#z",
        Credentials("u", "p"),
    )
    assert split_userinfo("http://h.example/a@b") == ("http://h.example/a@b", None)
    assert redact("feed http://u:p@h.example/f: 401; see https://a@b.example/") == (
        "feed http://h.example/f: 401; see https://b.example/"
    )


# A PostgreSQL password in `--db` (issue 24, item 2): refused before anything records it.


def _newsflow(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newsflow.cli", *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip


@pytest.mark.parametrize("password", ["SECRET", "'a SECRET b'", "'it\\'s SECRET'"])
@pytest.mark.parametrize("command", ["ingest", "query", "sources", "index"])
def test_a_password_in_db_is_refused_before_it_is_recorded(tmp_path, command, password):
    db = f"ducklake:postgres:dbname=news host=127.0.0.1 user=newsflow password={password}"
    extra = ["SELECT 1"] if command == "query" else []
    result = _newsflow(command, *extra, "--db", db, env={"PREFECT_HOME": str(tmp_path)})
    assert result.returncode == 2, result.stderr
    assert "PGPASSWORD" in result.stderr and "~/.pgpass" in result.stderr
    assert "SECRET" not in result.stdout + result.stderr
    assert not (tmp_path / "prefect.db").exists()  # no Prefect server was started


def test_a_password_given_to_a_sqlite_catalog_is_refused(tmp_path):
    db = f"ducklake:sqlite:{tmp_path / 'lake.sqlite'} password=SECRET"
    with pytest.raises(StorageError) as caught, connect(db, data_path=str(tmp_path / "d")):
        pass
    assert "PGPASSWORD" in str(caught.value) and "SECRET" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []
    result = _newsflow("copy-db", "--to", db)
    assert result.returncode == 2 and "SECRET" not in result.stderr


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("dbname=n password='a b' host=h", "dbname=n password=*** host=h"),
        ("dbname=n password = s3cr3t host=h", "dbname=n password = *** host=h"),
        ("x PASSWORD='it\\'s' y", "x PASSWORD=*** y"),
        ('at "postgresql://u:pw@h/db": no', 'at "postgresql://u:***@h/db": no'),
    ],
)  # fmt: skip
def test_every_password_in_a_message_is_masked(text, masked):
    assert shown(text) == masked


def test_libpq_reads_the_password_from_its_own_sources(postgres_cluster, tmp_path):
    dsn = postgres_cluster.dsn(postgres_cluster.create_database())
    db = f"ducklake:postgres:{dsn}"
    pgpass = tmp_path / "pgpass"
    pgpass.write_text("*:*:*:*:from-pgpass\n")
    pgpass.chmod(0o600)
    with connect(db, data_path=str(tmp_path / "lake") + "/"):
        pass  # creates the lake
    forget_engines()
    env = {"PGPASSFILE": str(pgpass), "PGPASSWORD": "from-env"}
    result = _newsflow("query", "SELECT count(*) AS n FROM articles", "--db", db, "--format",
                       "csv", env=env)  # fmt: skip
    assert result.returncode == 0 and result.stdout.split() == ["n", "0"], result.stderr
    nowhere = db.replace(f"port={postgres_cluster.port}", "port=1")
    result = _newsflow("query", "SELECT 1", "--db", nowhere, env=env)
    assert result.returncode == 2 and "from-env" not in result.stderr
