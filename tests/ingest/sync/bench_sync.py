"""`make bench-sync`: sync 100,000 ACLED rows from the stub API and print the time and peak memory.

The stub runs in a child process (its rows and JSON encoding are not counted in the sync's memory);
the sync runs here, into a copy of the test data folder, with the sync's own peak resident memory read
from Linux's VmHWM after resetting it. A second sync with nothing new is timed too. This is a
measurement, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import random
import shutil
import tempfile
import time
from pathlib import Path

from tensions.data.guard import local_grant
from tensions.ingest.sync import SyncSettings, sync_source
from tensions.ingest.sync.base import region_countries
from tests.conftest import FIXTURE_DATA
from tests.ingest.sync.stubs import AcledStub, acled_row

SUB_TYPES = (
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Battles", "Armed clash"),
    ("Violence against civilians", "Attack"),
    ("Protests", "Peaceful protest"),
)


def synthetic_rows(count: int, seed: int = 7) -> list[dict]:
    """`count` ACLED rows over the region's countries and the dashboard's period, each with its own id."""
    generator = random.Random(seed)
    countries = region_countries()
    start = dt.date(2023, 10, 7)
    rows = []
    for n in range(count):
        event_type, sub_type = SUB_TYPES[n % len(SUB_TYPES)]
        day = start + dt.timedelta(days=generator.randrange(500))
        rows.append(
            acled_row(
                f"SYN{n:07d}",
                f"{day:%Y-%m-%d}",
                1_700_000_000 + n,
                country=countries[n % len(countries)],
                location=f"Place {n % 997}",
                event_type=event_type,
                sub_event_type=sub_type,
                fatalities=generator.choice((0, 0, 1, 2, 5)),
                latitude=f"{generator.uniform(12, 37):.4f}",
                longitude=f"{generator.uniform(35, 59):.4f}",
            )
        )
    return rows


def serve(rows: int, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    with AcledStub(synthetic_rows(rows)) as stub:
        ready.put(stub.url)
        stop.wait()


def memory_bytes(field: str) -> int:
    """A line of /proc/self/status in bytes: VmRSS (resident now), VmHWM (its peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return 0


def reset_peak() -> bool:
    """Start the high-water mark afresh (Linux's clear_refs); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    ready: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(args.rows, ready, stop), daemon=True)
    server.start()
    url = ready.get(timeout=300)
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        data_dir = folder / "data"
        shutil.copytree(FIXTURE_DATA, data_dir)
        settings = SyncSettings(acled_url=url, acled_email=AcledStub.EMAIL, acled_password=AcledStub.PASSWORD)
        grant = local_grant()
        before = memory_bytes("VmRSS")
        fresh = reset_peak()
        started = time.perf_counter()
        first = sync_source(grant, "acled", data_dir, settings)
        seconds = time.perf_counter() - started
        peak = memory_bytes("VmHWM")
        started = time.perf_counter()
        again = sync_source(grant, "acled", data_dir, settings)
        again_seconds = time.perf_counter() - started
    finally:
        stop.set()
        server.join(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    mib = 1024 * 1024
    print(first.summary())
    print(
        f"bench-sync: ACLED {first.rows_fetched:,} rows from the stub in {first.requests} requests: "
        f"{seconds:.1f} s, peak memory {peak / mib:,.0f} MiB"
        + (f" (the process held {before / mib:,.0f} MiB before)" if fresh else " (the process's lifetime peak)")
        + f"; a second sync with nothing new: {again_seconds:.2f} s ({again.rows_fetched:,} rows fetched)"
    )


if __name__ == "__main__":
    main()
