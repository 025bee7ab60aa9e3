"""Every error newsflow raises or records, and whether it is worth a retry.

    NewsflowError                      base; .transient says whether a retry may help
    ├── ConfigError(path, line, field) terminal: a sources/topics file is wrong
    ├── CheckoutNotFound(path)         terminal: no newsflow checkout where a run starts
    ├── OptionError(option)            terminal: a command-line option's value is unusable
    ├── FetchError(url, reason, outcome)  transient or not as its Outcome says
    │                                  (timeouts, resets: yes; refused by the guard: no)
    ├── DocumentError(reason)          terminal: a fetched document cannot be read at all;
    │   ├── HostileDocument            the parser that catches it records the reason
    │   └── SitemapError               beside the document's URL (feed `bozo`, sitemap error)
    ├── ExtractError(url)              terminal: the page has no article we can read
    └── StorageError(path)
        ├── DatabaseBusyError          transient: another process holds the DuckDB file
        └── (storage.lake's _CatalogRace)  transient: a new lake's catalog is being created

Each error names what it is about (a URL or a file) so a message alone says where to look.
"""

from __future__ import annotations

from newsflow.outcomes import Outcome


class NewsflowError(Exception):
    """Base of every newsflow error."""

    transient = False


class ConfigError(NewsflowError):
    """A configuration file is wrong: names the file, the line and the field."""

    def __init__(self, path: str, message: str, *, line: int | None = None, field: str = ""):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        where = self.path + (f":{line}" if line else "")
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


class CheckoutNotFound(NewsflowError):
    """No newsflow checkout where a flow run's pull step looked; the message says what
    to set."""

    def __init__(self, path: str, message: str):
        self.path = str(path)
        super().__init__(message)


class OptionError(NewsflowError):
    """A command-line option with a value the command cannot use; names the option."""

    def __init__(self, option: str, message: str):
        self.option = option
        super().__init__(f"{option}: {message}")


class FetchError(NewsflowError):
    """An HTTP fetch failed; `outcome` is what `fetches.outcome` records of it."""

    def __init__(self, url: str, reason: str, *, outcome: Outcome):
        self.url, self.reason, self.outcome = url, reason, outcome
        super().__init__(f"{url}: {reason}")

    @property
    def transient(self) -> bool:
        return self.outcome.transient


class DocumentError(NewsflowError):
    """A fetched feed or sitemap cannot be read at all; its message is the reason alone,
    recorded by the parser that catches it beside the document's URL."""


class HostileDocument(DocumentError):
    """The document's DTD cannot be made safe, so it is not parsed at all."""


class SitemapError(DocumentError):
    """The body cannot be read as a sitemap at all."""


class ExtractError(NewsflowError):
    """No article could be extracted from a fetched page."""

    def __init__(self, url: str, reason: str):
        self.url, self.reason = url, reason
        super().__init__(f"{url}: {reason}")


class StorageError(NewsflowError):
    """The DuckDB file could not be opened or written."""

    def __init__(self, path: str, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


class DatabaseBusyError(StorageError):
    """Another process holds the DuckDB file; results are staged and merged next run."""

    transient = True
