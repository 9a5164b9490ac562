"""A private PostgreSQL server for the tests: Debian's binaries, a cluster in a temporary folder, trust
authentication on 127.0.0.1 and a free port; stopped and deleted at the end.

PostgreSQL refuses to run as root, so as root (CI, the containers here) the cluster belongs to the
`postgres` user that Debian's package creates, and its commands run through `runuser`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tensions.bench.browser import free_port

BINARIES = "/usr/lib/postgresql/*/bin"
SUPERUSER = "postgres"
# The encoding and the locale (its collation orders text) of every cluster, the deployment's too (compose.yaml).
INITDB_ARGS = ("--encoding=UTF8", "--locale=C.UTF-8")
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    # A throwaway cluster: durability buys nothing and costs seconds.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
}


class PostgresMissing(RuntimeError):
    """Debian's PostgreSQL server binaries are not installed."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{database}"


def binaries() -> Path:
    """The newest installed PostgreSQL's `bin` folder."""
    found = sorted(Path("/").glob(BINARIES.lstrip("/")), key=lambda p: int(p.parent.name.split(".")[0]))
    found = [path for path in found if (path / "initdb").exists() and (path / "pg_ctl").exists()]
    if not found:
        raise PostgresMissing(
            f"PostgreSQL's server binaries ({BINARIES}/initdb, pg_ctl) are missing: run `make test`, which "
            "installs Debian's postgresql package and then runs the tests"
        )
    return found[-1]


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a private cluster, yield where it listens, then stop it and delete its files."""
    bin_dir = binaries()
    as_root = os.getuid() == 0
    run_as = ["runuser", "-u", SUPERUSER, "--"] if as_root else []
    folder = Path(tempfile.mkdtemp(prefix="tensions-postgres-"))
    if as_root:
        shutil.chown(folder, SUPERUSER, SUPERUSER)
    cluster, log = folder / "cluster", folder / "server.log"
    port = free_port()

    def run(*command: str) -> None:
        done = subprocess.run([*run_as, *command], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}{server_log}")

    try:
        run(str(bin_dir / "initdb"), "-D", str(cluster), "-U", SUPERUSER, "--auth=trust", *INITDB_ARGS, "--no-sync")
        settings = {**SETTINGS, "port": str(port)}
        with (cluster / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        run(str(bin_dir / "pg_ctl"), "-D", str(cluster), "-l", str(log), "-w", "-t", "60", "start")
        try:
            yield PostgresServer("127.0.0.1", port)
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(cluster), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
