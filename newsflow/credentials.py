"""A source's credentials, kept apart from its URL so that the URL can be stored and shown.

A `user:password@` in a URL is split off where URLs come in (sources.toml, the fetcher,
URLs read from feeds and pages); a password may also come from the environment
(`password_env` in sources.toml, resolved by newsflow.config). Stored, logged and shown
URLs never carry a password. Credentials go to requests as HTTP Basic auth, and only to
the origin (scheme, host, port) they were given for, as browsers scope them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user name and password for HTTP Basic auth (the password is left out of repr)."""

    username: str
    password: str = field(repr=False)


def split_userinfo(url: str) -> tuple[str, Credentials | None]:
    """Returns url without its `user:password@`, and the credentials it carried (or None)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url), None
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at:
        return url, None
    clean = urlunsplit(parts._replace(netloc=hostport))
    user, _, password = userinfo.partition(":")
    if not user and not password:
        return clean, None
    return clean, Credentials(unquote(user), unquote(password))


def redact(text: str) -> str:
    """Returns text with the user information removed from every URL in it."""
    return _USERINFO.sub(r"\1", text)


def origin(url: str) -> tuple[str, str, int]:
    """Returns (scheme, host, port) of url: the scope credentials are sent to."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").rstrip("."), port
