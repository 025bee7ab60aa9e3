"""OPML in and out of sources.toml: readers' real layouts, comments kept, duplicates
skipped, and the file untouched whenever the result would not load."""

from __future__ import annotations

import listparser
import pytest

from newsflow.config import load_sources
from newsflow.errors import ConfigError
from newsflow.opml import MAX_FOLDER_DEPTH, MAX_GROUP_CHARS, read_opml, write_opml
from newsflow.sources_edit import import_feeds

# Feedly: OPML 1.0, folders as outlines with text and title.
FEEDLY = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Feedly subscriptions</title></head>
  <body>
    <outline text="News" title="News">
      <outline type="rss" text="Kabar Dunia" title="Kabar Dunia"
        xmlUrl="https://kabar-dunia.example/feeds/posts/default"
        htmlUrl="https://kabar-dunia.example/"/>
      <outline text="Tech" title="Tech">
        <outline type="rss" text="Heise online" title="Heise online"
          xmlUrl="https://www.heise.example/rss/atom.xml" htmlUrl="https://www.heise.example/"/>
      </outline>
    </outline>
    <outline type="rss" text="Le Monde &#8211; International"
      xmlUrl="https://www.lemonde.example/international/rss_full.xml"/>
    <outline type="rss" text="Heise again" xmlUrl="https://www.heise.example/rss/atom.xml"/>
  </body>
</opml>"""

# Inoreader / Miniflux / NetNewsWire: OPML 2.0, some with only `title`, lower-case attrs.
OPML2 = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head><title>Miniflux</title><dateCreated>Mon, 04 Mar 2024 10:00:00 GMT</dateCreated></head>
  <body>
    <outline title="Deutsch" text="Deutsch">
      <outline title="Tagesschau" text="Tagesschau" type="rss"
        xmlUrl="https://www.tagesschau.example/xml/rss2" htmlUrl="https://www.tagesschau.example"/>
    </outline>
    <outline title="&#x65B0;&#x534E;&#x7F51;" type="rss"
      xmlurl="http://www.xinhua.example/politics.xml"/>
  </body>
</opml>"""

SOURCES = """\
# My sources: the blogs I read every morning
[settings]
per_host_delay_seconds = 2.0  # be gentle

# the blog that started it all
[[sources]]
name = "kabar-dunia"
url = "https://kabar-dunia.example/"
kind = "auto"
"""


def test_feedly_folders_become_groups_and_html_urls_are_kept():
    opml = read_opml(FEEDLY, "feedly.opml")
    by_url = {f.xml_url: f for f in opml.feeds}
    heise = by_url["https://www.heise.example/rss/atom.xml"]
    assert (heise.title, heise.folder, heise.html_url) == (
        "Heise online", "News/Tech", "https://www.heise.example/",
    )  # fmt: skip
    assert by_url["https://www.lemonde.example/international/rss_full.xml"].folder is None
    assert opml.repeated == ("https://www.heise.example/rss/atom.xml",)


def test_import_appends_sources_keeping_comments_order_and_layout(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES)
    opml = read_opml(FEEDLY, "feedly.opml")
    report = import_feeds(path, list(opml.feeds), opml.repeated)
    text = path.read_text()
    assert text.startswith(SOURCES)  # every byte of the original, comments included
    assert report.added == ["heise-online", "le-monde-international"]
    config = load_sources(path)
    assert [s.name for s in config.sources] == ["kabar-dunia", "heise-online",
                                                "le-monde-international"]  # fmt: skip
    heise = config.sources[1]
    assert (heise.kind, heise.group, heise.site) == (
        "feed",
        "News/Tech",
        "https://www.heise.example/",
    )
    assert config.settings.per_host_delay_seconds == 2.0


def test_duplicates_are_reported_and_skipped(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES)
    opml = read_opml(FEEDLY, "feedly.opml")
    report = import_feeds(path, list(opml.feeds), opml.repeated)
    skipped = "\n".join(report.skipped)
    assert "listed more than once" in skipped  # Heise twice in the OPML
    assert "same site as source 'kabar-dunia'" in skipped  # its site is already a source
    again = import_feeds(path, list(opml.feeds))
    assert again.added == [] and len(again.skipped) == 3
    assert "same feed URL as source 'heise-online'" in "\n".join(again.skipped)


def test_opml2_with_lowercase_attributes_and_untitled_slugs(tmp_path):
    path = tmp_path / "new-sources.toml"  # missing: created
    opml = read_opml(OPML2, "miniflux.opml")
    report = import_feeds(path, list(opml.feeds))
    assert report.added == ["tagesschau", "www.xinhua.example"]
    config = load_sources(path)
    assert config.sources[0].group == "Deutsch"
    assert config.sources[1].url == "http://www.xinhua.example/politics.xml"


def test_file_is_untouched_when_the_result_would_not_load(tmp_path):
    path = tmp_path / "sources.toml"
    # A name loading strips ("heise-online"): the import's own checks see another name.
    existing = SOURCES + '\n[[sources]]\nname = "heise-online "\nurl = "https://h.example/"\n'
    path.write_text(existing)
    opml = read_opml(FEEDLY, "feedly.opml")
    with pytest.raises(ConfigError, match="not changed") as caught:
        import_feeds(path, list(opml.feeds))
    assert "duplicate name 'heise-online'" in str(caught.value)
    assert path.read_text() == existing
    assert [p.name for p in tmp_path.iterdir()] == ["sources.toml"]  # no scratch file left


def test_a_broken_sources_file_is_not_edited(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(
        SOURCES + '\n[[sources]]\nname = "x"\nurl = "https://x.example/"\nkind = "rss"\n'
    )
    before = path.read_text()
    with pytest.raises(ConfigError, match="kind"):
        import_feeds(path, list(read_opml(OPML2, "m.opml").feeds))
    assert path.read_text() == before


def test_not_an_opml_file_is_refused():
    with pytest.raises(ConfigError, match="notes.opml"):
        read_opml(b"<html><body>hello</body></html>", "notes.opml")
    with pytest.raises(ConfigError, match="notes.opml"):
        read_opml(b"not xml at all <", "notes.opml")


def test_export_round_trips_through_a_reader(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES)
    import_feeds(path, list(read_opml(FEEDLY, "feedly.opml").feeds))
    config = load_sources(path)
    feeds = [(s, s.url) for s in config.sources if s.kind == "feed"]
    document = write_opml(feeds)
    parsed = listparser.parse(document.encode())
    assert parsed.version == "opml2"
    assert {f.url for f in parsed.feeds} == {s.url for s, _ in feeds}
    heise = next(f for f in parsed.feeds if "heise" in f.url)
    assert heise.categories == [["News", "Tech"]]
    assert (
        read_opml(document.encode(), "out.opml").feeds[0].html_url == "https://www.heise.example/"
    )


def test_config_accepts_group_and_site_and_checks_the_site_url(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES + 'group = "Indonesia"\nsite = "https://kabar-dunia.example/"\n')
    assert load_sources(path).sources[0].group == "Indonesia"
    path.write_text(SOURCES + 'site = "kabar-dunia"\n')
    with pytest.raises(ConfigError, match=r"sources\[0\] \(kabar-dunia\)\.site"):
        load_sources(path)


# `sources import` and the file it edits (issue 24, item 6).

ONE_FEED = (b'<opml version="2.0"><body><outline text="New" type="rss"'
            b' xmlUrl="https://new.example/feed"/></body></opml>')  # fmt: skip
SECRET_SOURCES = '[[sources]]\nname = "members"\nurl = "https://reader:hunter2@m.example/feed"\n'


def _import(tmp_path, target, capsys) -> tuple[int, str]:
    from argparse import Namespace

    from newsflow.cli.opml_commands import sources_import

    opml = tmp_path / "feeds.opml"
    opml.write_bytes(ONE_FEED)
    code = sources_import(Namespace(file=str(opml), sources=str(target)))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_import_keeps_the_files_mode_and_owner(tmp_path, capsys):
    import os

    target = tmp_path / "sources.toml"
    target.write_text(SECRET_SOURCES)
    target.chmod(0o600)
    if os.geteuid() == 0:  # another owner, as a sources.toml set up by an admin
        os.chown(target, 4321, 4321)
    owner = (target.stat().st_uid, target.stat().st_gid)
    assert _import(tmp_path, target, capsys)[0] == 0
    assert "new.example" in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o600
    assert (target.stat().st_uid, target.stat().st_gid) == owner


def test_import_edits_the_file_a_symlink_points_to(tmp_path, capsys):
    real = tmp_path / "config" / "sources.toml"
    real.parent.mkdir()
    real.write_text(SECRET_SOURCES)
    real.chmod(0o640)
    link = tmp_path / "sources.toml"
    link.symlink_to(real)
    assert _import(tmp_path, link, capsys)[0] == 0
    assert link.is_symlink() and "new.example" in real.read_text()
    assert real.stat().st_mode & 0o777 == 0o640
    assert not [p for p in real.parent.iterdir() if p.name.startswith(".")]  # no scratch left


def test_a_sources_file_that_cannot_be_written_is_the_one_named(tmp_path, capsys):
    import shutil
    import subprocess

    target = tmp_path / "sources.toml"
    target.write_text(SECRET_SOURCES)
    if (
        shutil.which("chattr") is None
        or subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode
    ):
        pytest.skip("chattr +i is not available here (needs CAP_LINUX_IMMUTABLE)")
    try:
        code, output = _import(tmp_path, target, capsys)
    finally:
        subprocess.run(["chattr", "-i", str(target)], check=True)
    assert code == 2 and f"{target}: cannot write" in output, output
    assert "feeds.opml" not in output
    assert target.read_text() == SECRET_SOURCES


def test_a_sources_file_that_cannot_be_read_is_the_one_named(tmp_path, capsys):
    target = tmp_path / "sources.toml"
    target.mkdir()  # a folder where the file should be
    code, output = _import(tmp_path, target, capsys)
    assert code == 2 and f"{target}: cannot read" in output and "feeds.opml" not in output


# Careless and hostile OPML (issue 24, item 11).


def _outline(url: str, title: str = "T", site: str | None = None) -> str:
    site_attr = f' htmlUrl="{site}"' if site else ""
    return f'<outline type="rss" text="{title}" xmlUrl="{url}"{site_attr}/>'


def _opml(*outlines: str, prolog: str = "") -> bytes:
    return f'{prolog}<opml version="2.0"><body>{"".join(outlines)}</body></opml>'.encode()


def test_a_javascript_url_is_skipped_and_the_rest_imported(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES)
    data = _opml(
        _outline("javascript:alert(1)", "Evil"),
        _outline("https://good.example/feed", "Good", site="javascript:alert(2)"),
        _outline("file:///etc/passwd", "Local"),
    )
    report = import_feeds(path, list(read_opml(data, "x.opml").feeds))
    assert report.added == ["good"]
    skipped = "\n".join(report.skipped)
    assert "javascript:alert(1) (Evil): not an http(s) feed URL" in skipped
    assert "file:///etc/passwd (Local): not an http(s) feed URL" in skipped
    assert "javascript:alert(2): not an http(s) site URL" in skipped
    (good,) = [s for s in load_sources(path).sources if s.name == "good"]
    assert good.site is None


def test_tracking_parameters_do_not_make_a_new_source(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES.replace("https://kabar-dunia.example/", "https://k.example/feed?id=1"))
    data = _opml(
        _outline("https://k.example/feed?utm_source=x&amp;id=1&amp;UTM_medium=rss", "Again"),
        _outline("https://k.example/feed?id=2&amp;utm_source=x", "Other"),
    )
    report = import_feeds(path, list(read_opml(data, "x.opml").feeds))
    assert report.added == ["other"]
    assert "same feed URL as source 'kabar-dunia'" in "\n".join(report.skipped)


def test_a_declared_iso_8859_1_opml_is_read_in_its_encoding():
    prolog = '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
    text = _opml(_outline("https://sz.example/feed", "Süddeutsche Zeitung"), prolog=prolog)
    feeds = read_opml(text.decode().encode("latin-1"), "latin.opml").feeds
    assert [f.title for f in feeds] == ["Süddeutsche Zeitung"]


def test_folder_depth_and_group_length_are_capped(tmp_path):
    depth = 10_000
    nested = '<outline text="ab">' * depth + _outline("https://d.example/f") + "</outline>" * depth
    (feed,) = read_opml(_opml(nested), "deep.opml").feeds
    assert feed.folder == "/".join(["ab"] * MAX_FOLDER_DEPTH)
    wide = '<outline text="' + "w" * 5000 + '">' + _outline("https://w.example/f") + "</outline>"
    (feed,) = read_opml(_opml(wide), "wide.opml").feeds
    assert len(feed.folder) == MAX_GROUP_CHARS
