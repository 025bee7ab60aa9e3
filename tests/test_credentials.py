"""Credentials in sources.toml: from the URL or the environment, validated, never in the URL."""

from __future__ import annotations

import pytest

from newsflow.config import load_sources
from newsflow.credentials import Credentials, redact, split_userinfo
from newsflow.errors import ConfigError


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
