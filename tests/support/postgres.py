"""A throwaway PostgreSQL cluster on a free loopback port: DuckLake's catalog in tests.

Debian's server binaries live in /usr/lib/postgresql/<major>/bin (not on PATH), and
initdb/pg_ctl refuse to run as root, so as root they run as the `postgres` user, in a
temporary data directory that user owns. Authentication is `trust`, on 127.0.0.1 only.
Where PostgreSQL is missing the tests that need it skip, saying so; under CI=true they
fail, because CI installs it (.ci/run). The fixture is registered in tests/conftest.py.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.required import unavailable

SERVER_SETTINGS = (
    # A throwaway cluster: durability buys nothing here and costs the shared disk.
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    " -c max_connections=200 -c listen_addresses=127.0.0.1"
)


@dataclass(frozen=True)
class PostgresCluster:
    bin_dir: Path
    data_dir: Path
    port: int

    def dsn(self, dbname: str) -> str:
        """Returns the libpq connection string DuckLake's `ducklake:postgres:` takes."""
        return f"dbname={dbname} host=127.0.0.1 port={self.port} user=postgres"

    def create_database(self, prefix: str = "lake") -> str:
        """Returns the name of a new, empty database in the cluster."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        command = [str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
        subprocess.run([*command, "-U", "postgres", name], check=True, capture_output=True)
        return name


def find_bin_dir() -> Path | None:
    """Returns the newest installed PostgreSQL server's bin folder, or None."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def missing_reason() -> str | None:
    """Returns why no cluster can be started here, or None when one can."""
    if find_bin_dir() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root without runuser: initdb refuses root"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run initdb as"
    return None


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_cluster(base: Path) -> PostgresCluster:
    """Returns a running cluster whose data directory is under `base` (created here)."""
    bin_dir = find_bin_dir()
    data_dir = base / "data"
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
    initdb = [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "postgres", "--auth=trust"]
    subprocess.run(_as_owner([*initdb, "-E", "UTF8"]), check=True, capture_output=True)
    port = _free_port()
    options = f"-p {port} -k {base} {SERVER_SETTINGS}"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(base / "server.log")]
    started = subprocess.run(
        _as_owner([*pg_ctl, "-o", options, "-w", "-t", "60", "start"]),
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        log = (base / "server.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"PostgreSQL did not start on port {port}: {started.stderr}\n{log}")
    return PostgresCluster(bin_dir, data_dir, port)


def stop_cluster(cluster: PostgresCluster) -> None:
    """Stops the cluster at once (fast shutdown: open sessions are disconnected)."""
    pg_ctl = [str(cluster.bin_dir / "pg_ctl"), "-D", str(cluster.data_dir), "-m", "fast"]
    subprocess.run(_as_owner([*pg_ctl, "-w", "stop"]), capture_output=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster for the whole session, stopped and deleted at its end."""
    reason = missing_reason()
    if reason:
        unavailable(reason)
    base = Path(tempfile.mkdtemp(prefix="newsflow-pg-"))
    try:
        cluster = start_cluster(base)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        detail = detail.decode(errors="replace") if isinstance(detail, bytes) else detail
        unavailable(f"PostgreSQL could not be started: {exc} {detail}".strip())
    try:
        yield cluster
    finally:
        stop_cluster(cluster)
        shutil.rmtree(base, ignore_errors=True)
