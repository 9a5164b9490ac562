"""A team deployment on this machine without containers: two `streamlit run serve.py` processes on two free ports,
sharing one store (a data folder, and the PostgreSQL database when `TENSIONS_DATABASE_URL` is in `env`), and
the deployment's nginx proxy in front (tests/deploy/proxy.py). Used by the end-to-end tests of the team setup
and by the load benchmark (tests/deploy/bench_load.py)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tensions.bench.browser import free_port, served
from tests.deploy.proxy import Proxy, running_proxy

REPLICAS = 2  # as many as deploy/compose.yaml runs (and deploy/nginx.conf lists)
WATCHER = "STREAMLIT_SERVER_FILE_WATCHER_TYPE"


@dataclass(frozen=True)
class Deployment:
    proxy: Proxy
    urls: tuple[str, ...]  # each replica's own address, for warming it up or reading it directly

    @property
    def replicas(self) -> tuple[str, ...]:
        """The replicas as the proxy names them (its X-Upstream header and access log)."""
        return tuple(url.removeprefix("http://") for url in self.urls)


@contextmanager
def team_deployment(
    data_dir: Path, env: Mapping[str, str] | None = None, *, proxy_port: int | None = None
) -> Iterator[Deployment]:
    """Two app replicas on `data_dir` (and `env`) and the proxy in front of them (on `proxy_port`, default a free
    port), until the block ends."""
    with ExitStack() as stack:
        # As in the image: the servers never reload the app's modules when a file changes (a reload mid-test,
        # e.g. while someone edits the checkout, makes a signed-in curator's grant a stranger to the new module).
        environment = {WATCHER: "none", **(env or {}), "TENSIONS_DATA_DIR": str(data_dir)}
        urls = tuple(stack.enter_context(served("serve.py", env=environment)) for _ in range(REPLICAS))
        proxy = stack.enter_context(
            running_proxy([url.removeprefix("http://") for url in urls], proxy_port or free_port())
        )
        yield Deployment(proxy, urls)
