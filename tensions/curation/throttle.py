"""Sign-in throttling that survives reloads, new sessions and restarts, and a record of every failure.

Every password attempt is counted before the password is compared, per client address and overall; once
an address (or everyone together) has failed a few times, the next attempt must wait, twice as long after
each further failure, up to a cap. The counts live in a small JSON file in the data folder's git-ignored
`.signin/` folder, replaced atomically under a lock. A file rather than process memory: every session and
every server process on this data folder shares it, and restarting the server (or crashing it) does not
reset it. Counting before comparing means parallel attempts cannot slip past the limit together.

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
    """The sign-in counts of one data folder. `clock` (seconds, like `time.time`) is a seam for tests."""

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

    def wait(self, address: str | None) -> float:
        """Seconds `address` must wait before its next attempt (0: it may try now)."""
        state, now = self._read(), self.clock()
        return max(
            _wait(state["addresses"].get(_key(address)), self.per_address, now),
            _wait(state.get("overall"), self.overall, now),
        )

    def begin(self, address: str | None) -> None:
        """Count an attempt from `address` before its password is compared; `SignInThrottled` if it must
        wait, `DataNotWritable` if the attempt cannot be recorded (then no attempt is allowed)."""
        key = _key(address)
        with guard.writing(self.folder / STATE_FILE), self._locked():
            state, now = self._read(), self.clock()
            own = None if _forgotten(state["addresses"].get(key), self.per_address, now) else state["addresses"][key]
            everyone = None if _forgotten(state.get("overall"), self.overall, now) else state["overall"]
            wait = max(_wait(own, self.per_address, now), _wait(everyone, self.overall, now))
            if wait > 0:
                raise SignInThrottled(wait)
            state["addresses"][key] = {"failures": (own or {}).get("failures", 0) + 1, "last": now}
            state["overall"] = {"failures": (everyone or {}).get("failures", 0) + 1, "last": now}
            self._write(state, now)

    def succeeded(self, address: str | None) -> None:
        """The attempt begun was right: forget this address's failures, and take the attempt off the total."""
        with guard.writing(self.folder / STATE_FILE), self._locked():
            state, now = self._read(), self.clock()
            state["addresses"].pop(_key(address), None)
            if state.get("overall"):
                state["overall"]["failures"] = max(0, state["overall"]["failures"] - 1)
            self._write(state, now)

    def failed(self, address: str | None, who: str) -> None:
        """Write the failed attempt to the audit log: the name typed, the address and the time."""
        entry = {
            "when": dt.datetime.fromtimestamp(self.clock(), dt.UTC).isoformat(timespec="seconds"),
            "who": access.clean_name(who),
            "method": "password",
            "action": FAILED,
            "address": _key(address),
        }
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
