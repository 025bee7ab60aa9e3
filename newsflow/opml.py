"""OPML subscription lists (1.0 and 2.0, as Feedly, Inoreader, Miniflux and NetNewsWire
write them) read into feeds, and sources written back as OPML 2.0.

Reading goes through listparser (titles, nested folders, feeds listed twice); it keeps
no `htmlUrl` for a feed, so a second pass through defusedxml (no entities, no external
references) reads those, and counts feeds listed more than once.
"""

from __future__ import annotations

import email.utils
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass

import defusedxml.ElementTree
import listparser

from newsflow.errors import ConfigError
from newsflow.models import Source


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """A feed of a subscription list: its title, feed URL, site URL and folder path."""

    title: str
    xml_url: str
    html_url: str | None = None
    folder: str | None = None  # nested folders joined with "/": "News/Tech"


@dataclass(frozen=True, slots=True)
class OpmlList:
    feeds: tuple[OpmlFeed, ...]
    repeated: tuple[str, ...]  # feed URLs listed more than once (kept once)


# A folder path deeper or longer than this is cut (10,000 nested folders made a group of
# 20,000 characters): readers nest a few levels at most.
MAX_FOLDER_DEPTH = 8
MAX_GROUP_CHARS = 200
_DECLARED = re.compile(rb"""^(\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def read_opml(data: bytes, path: str) -> OpmlList:
    """Returns the feeds of an OPML document; ConfigError when it is not one."""
    data = _as_utf8(bytes(data), path)
    # bytes, never str: listparser fetches a str that looks like a URL over the network.
    parsed = listparser.parse(data)
    outlines = _outline_urls(data, path)
    if not parsed.get("version", "").startswith("opml") and not parsed.feeds:
        raise ConfigError(path, "not an OPML subscription list (no <opml> with feed outlines)")
    feeds = tuple(
        OpmlFeed(
            title=(feed.title or "").strip(),
            xml_url=feed.url.strip(),
            html_url=outlines.get(feed.url.strip()),
            folder=_folder(feed),
        )
        for feed in parsed.feeds
    )
    counts = Counter(_all_xml_urls(data))
    return OpmlList(feeds, tuple(url for url, n in counts.items() if n > 1))


def _as_utf8(data: bytes, path: str) -> bytes:
    """Returns the document in UTF-8, declared so: listparser reads a declared ISO-8859-1
    document as UTF-8 (garbling every accent), where XML says to honour the declaration."""
    declared = _DECLARED.match(data)
    if declared is None or declared.group(2).lower() in (b"utf-8", b"utf8"):
        return data
    name = declared.group(2).decode("ascii")
    try:
        text = data.decode(name)
    except (LookupError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"not readable in its declared encoding {name}: {exc}") from None
    start = declared.start(2) - len(declared.group(1) or b"")
    prolog = text[:start] + "utf-8" + text[start + len(name) :]
    return prolog.encode("utf-8")


def _folder(feed) -> str | None:
    hierarchies = [h for h in feed.get("categories", []) if h]
    if not hierarchies:
        return None
    return "/".join(hierarchies[-1][:MAX_FOLDER_DEPTH])[:MAX_GROUP_CHARS]


def _parse(data: bytes, path: str):
    try:
        return defusedxml.ElementTree.fromstring(data)
    except (ET.ParseError, defusedxml.DefusedXmlException, ValueError) as exc:
        raise ConfigError(path, f"not readable as OPML: {exc}") from None


def _outline_urls(data: bytes, path: str) -> dict[str, str]:
    """Returns {xmlUrl: htmlUrl} of every feed outline that has both."""
    found = {}
    for outline in _parse(data, path).iter("outline"):
        attrs = {k.lower(): v.strip() for k, v in outline.attrib.items()}
        if attrs.get("xmlurl") and attrs.get("htmlurl"):
            found.setdefault(attrs["xmlurl"], attrs["htmlurl"])
    return found


def _all_xml_urls(data: bytes) -> list[str]:
    root = defusedxml.ElementTree.fromstring(data)
    urls = ({k.lower(): v for k, v in o.attrib.items()}.get("xmlurl") for o in root.iter("outline"))
    return [u.strip() for u in urls if u and u.strip()]


def write_opml(feeds: list[tuple[Source, str]], title: str = "newsflow sources") -> str:
    """Returns an OPML 2.0 document of (source, feed URL) pairs, in folders by `group`."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = email.utils.formatdate(usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {"": body}
    for source, feed_url in feeds:
        parent = _folder_element(folders, source.group or "")
        attrs = {"type": "rss", "text": source.name, "title": source.name, "xmlUrl": feed_url}
        site = source.site or (source.url if source.url != feed_url else None)
        if site:
            attrs["htmlUrl"] = site
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _folder_element(folders: dict[str, ET.Element], group: str) -> ET.Element:
    if group in folders:
        return folders[group]
    parent_path, _, name = group.rpartition("/")
    parent = _folder_element(folders, parent_path)
    folders[group] = ET.SubElement(parent, "outline", text=name, title=name)
    return folders[group]
