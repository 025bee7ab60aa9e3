"""Runs a command and measures its whole process tree: wall time, CPU time, peak memory.

The tree is polled through /proc (no psutil): every process started under the command,
including the Prefect server it may start and the extraction workers forked by the
fork server, is counted. Memory is the sum over the tree at one instant: RSS (shared
pages counted in every process that maps them) and PSS (shared pages split between
them, the fairer figure when workers fork from one parent).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


@dataclass
class Measurement:
    """What one run of a command cost."""

    wall: float
    cpu: float  # user + system seconds of every process of the tree
    peak_rss_mb: float
    peak_pss_mb: float
    returncode: int
    output: str = ""
    cpu_by_role: dict[str, float] = field(default_factory=dict)
    pss_by_role_mb: dict[str, float] = field(default_factory=dict)  # at the tree's PSS peak

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "output"}


def measure(
    cmd: list[str], env: dict, cwd: Path, poll: float = 0.25, timeout: float = 3600
) -> Measurement:
    """Returns the cost of running cmd to completion; its output (stdout+stderr) is kept."""
    log = Path(tempfile.mkstemp(prefix="bench-", suffix=".log")[1])
    started = time.monotonic()
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
        tree = _Tree(proc.pid)
        polls = 0
        while proc.poll() is None:
            tree.sample(pss=polls % 4 == 0)
            polls += 1
            if time.monotonic() - started > timeout:
                proc.kill()
            time.sleep(poll)
    wall = time.monotonic() - started
    output = log.read_text(encoding="utf-8", errors="replace")
    log.unlink()
    return Measurement(
        wall,
        sum(tree.cpu.values()),
        tree.peak_rss / MB,
        tree.peak_pss / MB,
        proc.returncode,
        output,
        tree.cpu_by_role(),
        tree.peak_pss_roles,
    )


class _Tree:
    """The processes under one root, sampled: CPU seen per process, peak memory in all."""

    def __init__(self, root: int):
        self.root = root
        self.cpu: dict[int, float] = {}
        self.roles: dict[int, str] = {}
        self.peak_rss = self.peak_pss = 0
        self.peak_pss_roles: dict[str, float] = {}

    def sample(self, pss: bool) -> None:
        rss = pss_total = 0
        roles: dict[str, float] = {}
        for pid in self._pids():
            stat = _read(f"/proc/{pid}/stat")
            if not stat:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK
            rss += int(fields[21]) * PAGE
            if pid not in self.roles:
                self.roles[pid] = _role(pid, self.root)
            if pss:
                mine = _pss(pid)
                pss_total += mine
                roles[self.roles[pid]] = roles.get(self.roles[pid], 0) + round(mine / MB, 1)
        self.peak_rss = max(self.peak_rss, rss)
        if pss_total > self.peak_pss:
            self.peak_pss, self.peak_pss_roles = pss_total, roles

    def _pids(self) -> list[int]:
        found, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for task in _listdir(f"/proc/{pid}/task"):
                todo.extend(int(c) for c in _read(f"/proc/{pid}/task/{task}/children").split())
        return found

    def cpu_by_role(self) -> dict[str, float]:
        roles: dict[str, float] = {}
        for pid, seconds in self.cpu.items():
            role = self.roles.get(pid, "other")
            roles[role] = roles.get(role, 0.0) + seconds
        return {role: round(seconds, 2) for role, seconds in roles.items()}


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "main"
    cmdline = _read(f"/proc/{pid}/cmdline").replace("\0", " ")
    if "forkserver" in cmdline:
        return "extraction"
    if "uvicorn" in cmdline or "prefect server" in cmdline or "prefect.server" in cmdline:
        return "prefect server"
    return "other"


def _pss(pid: int) -> int:
    for line in _read(f"/proc/{pid}/smaps_rollup").splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []
