"""Sign-in throttling that survives reloads, new sessions and restarts, and a record of every failure.

Every password attempt is counted before the password is compared, per client address and overall; once
an address (or everyone together) has failed a few times, the next attempt must wait, twice as long after
each further failure, up to a cap. The counts live in a small JSON file in the data folder's git-ignored
`.signin/` folder, replaced atomically under a lock. A file rather than process memory: every session and
every server process on this data folder shares it, and restarting the server (or crashing it) does not
reset it. Counting before comparing means parallel attempts cannot slip past the limit together. When the
database is the store, the counts and the failures' audit rows live there instead (`tensions.store.signin`),
so app servers that share no folder count together.

Each failed attempt is appended to the audit log: the name typed, the client address and the time,
never the password. These two files are the one thing written without a curator's grant (the write guard,
`tensions.data.guard`, protects everything else): they exist for those who have none. Their growth is
bounded: addresses are forgotten after a quiet day (and at most `MAX_ADDRESSES` are kept), and the overall
delay limits how many failures per hour can reach the log at all.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tensions.curation import access
from tensions.curation.history import AUDIT_LOG
from tensions.data import atomic, guard
from tensions.data.guard import Grant
from tensions.errors import SignInThrottled
from tensions.store import signin
from tensions.store.config import database_url

SIGNIN_FOLDER = ".signin"
STATE_FILE = "throttle.json"
LOCK_FILE = "lock"
LOCAL_ADDRESS = "local"  # Streamlit gives no address for a browser on the server itself
MAX_ADDRESSES = 5_000
FAILED = "sign-in failed"


@dataclass(frozen=True)
class Policy:
    """How many failures are free, and how long to wait after more: `base` seconds, doubling, at most `cap`."""

    free: int
    base: float
    cap: float
    forget_after: float  # seconds without an attempt after which the failures are forgotten

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.base * 2.0 ** min(failures - self.free, 64), self.cap)  # 2**64 s: far past any cap


# One address: 3 free tries, then 2 s, 4 s, 8 s … up to 15 minutes. Everyone together: 10 free tries,
# then 1 s doubling up to a minute, so an attacker spreading guesses over many addresses gets at most
# one a minute, while a curator who mistypes under attack waits a minute at worst.
PER_ADDRESS = Policy(free=3, base=2.0, cap=15 * 60.0, forget_after=24 * 3600.0)
OVERALL = Policy(free=10, base=1.0, cap=60.0, forget_after=3600.0)


def _wait(record: dict | None, policy: Policy, now: float) -> float:
    """Seconds before the next attempt is allowed, given a record {failures, last}."""
    if not record:
        return 0.0
    delay = policy.delay(int(record.get("failures", 0)))
    return min(max(0.0, float(record.get("last", 0.0)) + delay - now), delay)


def _key(address: object) -> str:
    """The name an address is counted under: the address itself, or `LOCAL_ADDRESS` when there is none."""
    return address[:64] if isinstance(address, str) and address else LOCAL_ADDRESS


def _forgotten(record: dict | None, policy: Policy, now: float) -> bool:
    return not record or now - float(record.get("last", 0.0)) > policy.forget_after


class SignInThrottle:
    """The sign-in counts of one data folder, or of the database when it is the store. `clock` (seconds, like
    `time.time`) is a seam for tests."""

    def __init__(
        self,
        data_dir: Path,
        *,
        clock: Callable[[], float] = time.time,
        per_address: Policy = PER_ADDRESS,
        overall: Policy = OVERALL,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / SIGNIN_FOLDER
        self.clock = clock
        self.per_address = per_address
        self.overall = overall
        self.url = database_url()

    def _read(self) -> dict:
        try:
            state = json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or unreadable: start counting afresh
            return {"addresses": {}, "overall": None}
        return state if isinstance(state, dict) and isinstance(state.get("addresses"), dict) else {"addresses": {}}

    def _write(self, state: dict, now: float) -> None:
        addresses = {
            address: record
            for address, record in state["addresses"].items()
            if not _forgotten(record, self.per_address, now)
        }
        newest = sorted(addresses.items(), key=lambda item: item[1]["last"], reverse=True)[:MAX_ADDRESSES]
        overall = None if _forgotten(state.get("overall"), self.overall, now) else state["overall"]
        payload = json.dumps({"addresses": dict(newest), "overall": overall}, sort_keys=True).encode("utf-8")
        atomic.write_bytes_atomically(self.folder / STATE_FILE, payload)

    def _locked(self):
        self.folder.mkdir(exist_ok=True)
        return atomic.exclusive_lock(self.folder / LOCK_FILE)

    def _records(self, key: str) -> tuple[dict | None, dict | None]:
        """The records of the address `key` and of everyone, as stored."""
        if self.url is not None:
            return signin.read_counts(self.url, key)
        state = self._read()
        return state["addresses"].get(key), state.get("overall")

    def _update(self, key: str, change: signin.Change) -> None:
        """Replace the records of `key` and of everyone by `change(own, everyone)` (None: drop it) under the lock."""
        if self.url is not None:
            forget_before = self.clock() - self.per_address.forget_after
            signin.update_counts(self.url, key, change, forget_before=forget_before, keep=MAX_ADDRESSES)
            return
        with guard.writing(self.folder / STATE_FILE), self._locked():
            state = self._read()
            own, state["overall"] = change(state["addresses"].get(key), state.get("overall"))
            state["addresses"].pop(key, None)
            if own is not None:
                state["addresses"][key] = own
            self._write(state, self.clock())

    def wait(self, address: str | None) -> float:
        """Seconds `address` must wait before its next attempt (0: it may try now)."""
        (own, everyone), now = self._records(_key(address)), self.clock()
        return max(_wait(own, self.per_address, now), _wait(everyone, self.overall, now))

    def begin(self, address: str | None) -> None:
        """Count an attempt from `address` before its password is compared; `SignInThrottled` if it must
        wait, `DataNotWritable` if the attempt cannot be recorded (then no attempt is allowed)."""

        def count(own: dict | None, everyone: dict | None) -> tuple[dict, dict]:
            now = self.clock()
            own = None if _forgotten(own, self.per_address, now) else own
            everyone = None if _forgotten(everyone, self.overall, now) else everyone
            wait = max(_wait(own, self.per_address, now), _wait(everyone, self.overall, now))
            if wait > 0:
                raise SignInThrottled(wait)
            return (
                {"failures": (own or {}).get("failures", 0) + 1, "last": now},
                {"failures": (everyone or {}).get("failures", 0) + 1, "last": now},
            )

        self._update(_key(address), count)

    def succeeded(self, address: str | None) -> None:
        """The attempt begun was right: forget this address's failures, and take the attempt off the total."""

        def forget(own: dict | None, everyone: dict | None) -> tuple[None, dict | None]:
            return None, ({**everyone, "failures": max(0, everyone["failures"] - 1)} if everyone else everyone)

        self._update(_key(address), forget)

    def failed(self, address: str | None, who: str) -> None:
        """Write the failed attempt to the audit log: the name typed, the address and the time."""
        when = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
        entry = {"who": access.clean_name(who), "method": "password", "action": FAILED, "address": _key(address)}
        if self.url is not None:
            signin.record_failure(self.url, entry, when=when)
            return
        entry = {"when": when.isoformat(timespec="seconds"), **entry}
        path = self.data_dir / AUDIT_LOG
        with guard.writing(path):
            atomic.append_lines(path, [json.dumps(entry, ensure_ascii=False, sort_keys=True)])

    def sign_in(self, given: str, config: access.AccessConfig, *, who: str, address: str | None) -> Grant | None:
        """A curator's grant for the right password (and a name); None, logged, for a wrong one.

        Raises `SignInThrottled` when this address or everyone has failed too often lately, before the
        password is even compared.
        """
        self.begin(address)
        grant = access.grant_for_password(given, config, who=who)
        if grant is None:
            self.failed(address, who)
            return None
        self.succeeded(address)
        return grant
