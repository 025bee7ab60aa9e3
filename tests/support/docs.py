"""The documentation as tests read it: README.md and docs/*.md, and the shell commands in
their ```sh blocks, so a fact moved from one page to another is still checked."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.support import REPO

DOCS = REPO / "docs"
OPERATORS = {"&&", "||", "|", ";"}


def doc_pages() -> list[Path]:
    """Returns README.md and every page of docs/, README first."""
    return [REPO / "README.md", *sorted(DOCS.glob("*.md"))]


def page_text(name: str) -> str:
    """Returns the text of one page: "README.md" or a docs/ page such as "schema.md"."""
    path = REPO / name if name == "README.md" else DOCS / name
    return path.read_text(encoding="utf-8")


def all_text() -> str:
    """Returns every page's text, README first, pages separated by a blank line."""
    return "\n\n".join(path.read_text(encoding="utf-8") for path in doc_pages())


def shell_commands(text: str) -> list[str]:
    """Returns the commands of the ```sh blocks of `text`, each as one line; a command
    whose quotes span lines is joined, comments and blank lines dropped."""
    commands = []
    for block in re.findall(r"```(?:sh|bash|shell)\n(.*?)```", text, re.S):
        pending = ""
        for line in block.splitlines():
            pending = f"{pending}\n{line}" if pending else line.strip()
            if pending.endswith("\\"):  # a continued line: the command goes on
                pending = pending[:-1]
                continue
            try:
                words = shlex.split(pending, comments=True)
            except ValueError:  # a quote still open: the command goes on
                continue
            pending = ""
            if words:
                commands.append(_join(words))
    return commands


def _join(words: list[str]) -> str:
    """Returns the words as one shell line, its operators (`&&`, `|`) left unquoted."""
    return " ".join(w if w in OPERATORS else shlex.quote(w) for w in words)


def documented_commands() -> dict[str, list[str]]:
    """Returns each page's shell commands, by page name relative to the repository."""
    return {
        str(path.relative_to(REPO)): shell_commands(path.read_text(encoding="utf-8"))
        for path in doc_pages()
    }


def newsflow_commands() -> list[str]:
    """Returns every documented `uv run newsflow ...` command as `newsflow ...`."""
    found = []
    for commands in documented_commands().values():
        for command in commands:
            words = shlex.split(command)
            if words[:3] == ["uv", "run", "newsflow"]:
                found.append(shlex.join(words[2:]))
    return found
