"""The deployment's reverse proxy (deploy/nginx.conf) run by Debian's nginx as an unprivileged process.

The site file is the deployment's own: only the upstream's `server` addresses, the `listen` address and the
access log's path are replaced, so the tests exercise the same sticky-session and websocket settings as
compose.yaml. A small main file around it holds what a process without root needs (its own pid file, logs
and temporary folders, in the foreground).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tensions.bench.browser import stop
from tests.conftest import APP_ROOT

SITE = APP_ROOT / "deploy" / "nginx.conf"
NGINX = os.environ.get("NGINX_PATH", shutil.which("nginx") or "/usr/sbin/nginx")
UPSTREAM = re.compile(r"(upstream\s+\w+\s*\{)(.*?)(\})", re.S)
UPSTREAM_SERVER = re.compile(r"^(\s*)server\s+\S+(.*?;)", re.M)
LISTEN = re.compile(r"^(\s*)listen\s+\S+;", re.M)
ACCESS_LOG = re.compile(r"^(\s*)access_log\s+\S+(\s+\w+;)", re.M)
COOKIE = re.compile(r"map \$cookie_(\w+) ")
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
UNPRIVILEGED = "nobody"  # nginx runs as this user when the tests run as root (as CI does)


def sticky_cookie(site: str | None = None) -> str:
    """The name of the cookie the proxy routes a browser by."""
    return COOKIE.search(site if site is not None else SITE.read_text()).group(1)


def render_site(site: str, servers: Sequence[str], listen: str, access_log: Path) -> str:
    """The deployment's site file with the replicas at `servers`, listening on `listen`, logging to
    `access_log`; everything else unchanged. The site must list as many replicas as `servers`."""
    upstream = UPSTREAM.search(site)
    listed = UPSTREAM_SERVER.findall(upstream.group(2))
    if len(listed) != len(servers):
        raise ValueError(f"the proxy lists {len(listed)} replicas, not {len(servers)}")
    addresses = iter(servers)
    body = UPSTREAM_SERVER.sub(lambda m: f"{m.group(1)}server {next(addresses)}{m.group(2)}", upstream.group(2))
    site = site[: upstream.start(2)] + body + site[upstream.end(2) :]
    site, listens = LISTEN.subn(lambda m: f"{m.group(1)}listen {listen};", site)
    site, logs = ACCESS_LOG.subn(lambda m: f"{m.group(1)}access_log {access_log}{m.group(2)}", site)
    if (listens, logs) != (1, 1):
        raise ValueError("the proxy's site must have one `listen` and one `access_log`")
    return site


def main_config(folder: Path, site: Path) -> str:
    """The main file an unprivileged nginx runs: everything it writes stays in `folder`."""
    temp = "\n".join(f"    {name}_temp_path {folder / name};" for name in TEMP_PATHS)
    return (
        f"daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} notice;\n"
        f"events {{ worker_connections 1024; }}\nhttp {{\n{temp}\n    include {site};\n}}\n"
    )


def write_config(folder: Path, servers: Sequence[str], listen: str) -> Path:
    """Write the test copy of the proxy's configuration into `folder`; return its main file."""
    site = folder / "site.conf"
    site.write_text(render_site(SITE.read_text(), servers, listen, folder / "access.log"))
    main = folder / "nginx.conf"
    main.write_text(main_config(folder, site))
    return main


def as_unprivileged(command: list[str]) -> list[str]:
    """`command` run as `nobody` when this process is root, else as is."""
    if os.geteuid() != 0:
        return command
    user = pwd.getpwnam(UNPRIVILEGED)
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", *command]


def private_folder() -> Path:
    """A fresh folder the proxy's user owns (the tests' own temporary folders may be closed to `nobody`)."""
    folder = Path(tempfile.mkdtemp(prefix="tensions-proxy-"))
    if os.geteuid() == 0:
        shutil.chown(folder, UNPRIVILEGED)
        folder.chmod(0o755)
    return folder


def nginx_command(main: Path, *args: str) -> list[str]:
    return as_unprivileged(
        [NGINX, "-p", str(main.parent), "-e", str(main.parent / "error.log"), "-c", str(main), *args]
    )


def check_config(main: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on a written configuration."""
    return subprocess.run(nginx_command(main, "-t"), capture_output=True, text=True, timeout=30)


@dataclass(frozen=True)
class Proxy:
    url: str
    access_log: Path
    cookie: str

    def log(self) -> list[dict[str, str]]:
        """The access log so far: for each request, its line, `replica` (the upstream's address) and `key`."""
        if not self.access_log.exists():
            return []
        entries = []
        for line in self.access_log.read_text().splitlines():
            fields = dict(part.split("=", 1) for part in line.split() if part.startswith(("replica=", "key=")))
            entries.append({"line": line, **fields})
        return entries


@contextmanager
def running_proxy(servers: Sequence[str], port: int) -> Iterator[Proxy]:
    """nginx in front of `servers` on 127.0.0.1:`port`, until the block ends."""
    if not Path(NGINX).exists():
        raise RuntimeError("nginx is not installed: `make system-deps` installs Debian's nginx")
    folder = private_folder()
    main = write_config(folder, servers, f"127.0.0.1:{port}")
    checked = check_config(main)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refused the proxy's configuration:\n{checked.stderr}")
    process = subprocess.Popen(nginx_command(main), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, url, folder / "error.log")
        yield Proxy(url, folder / "access.log", sticky_cookie())
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def wait_until_up(process: subprocess.Popen, url: str, error_log: Path, timeout: float = 30) -> None:
    """Return once the proxy answers the app's health check through it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx stopped: {process.stderr.read()}\n{error_log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the proxy did not answer within {timeout} s")


def replica_of(url: str, cookie: str, value: str) -> str:
    """The replica (upstream address) the proxy at `url` sends a browser holding `cookie=value` to."""
    request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": f"{cookie}={value}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["X-Upstream"]


def cookies_for_each_replica(proxy: Proxy, replicas: Sequence[str]) -> dict[str, str]:
    """For each replica, a cookie value the proxy routes to it: how a test puts a browser on a chosen replica."""
    found: dict[str, str] = {}
    for attempt in range(200):
        value = f"test-session-{attempt}"
        found.setdefault(replica_of(proxy.url, proxy.cookie, value), value)
        if set(found) >= set(replicas):
            return {replica: found[replica] for replica in replicas}
    raise RuntimeError(f"no cookie routed to each of {replicas}: {found}")
