"""`make bench-postgres`: the PostgreSQL bench against a private server, started as the tests start theirs.

python -m tests.bench.postgres_bench --events 10000000 [other `bench` options]
"""

from __future__ import annotations

import sys

from tensions import cli
from tensions.store.engine import dispose_engine
from tensions.store.migrate import upgrade
from tests.conftest import run_outside_a_transaction
from tests.postgres_server import postgres_server


def main(argv: list[str]) -> int:
    with postgres_server() as server:
        run_outside_a_transaction(server.url(), "CREATE DATABASE bench")
        url = server.url("bench")
        upgrade(url)
        try:
            return cli.main(["bench", "--store", "postgres", "--database-url", url, *argv])
        finally:
            dispose_engine(url)
            dispose_engine(server.url())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
