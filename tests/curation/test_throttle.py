"""Sign-in throttling: per address and overall, growing delays, kept on disk (so a reload, a new session or
a restarted server changes nothing), and every failed attempt in the audit log. The clock is replaced."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tensions.curation import access, history
from tensions.curation.throttle import OVERALL, PER_ADDRESS, SIGNIN_FOLDER, SignInThrottle
from tensions.errors import DataNotWritable, SignInThrottled
from tests.conftest import APP_ROOT

PASSWORD = "correct horse battery staple"
CONFIG = access.AccessConfig(password=PASSWORD)
START = 1_750_000_000.0  # 15 June 2025, 15:06:40 UTC


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def throttle(folder: Path, clock: Clock) -> SignInThrottle:
    """A new throttle object per call: what a reload, a new session or a restarted server starts from."""
    return SignInThrottle(folder, clock=clock)


def wrong(folder: Path, clock: Clock, address: str | None = "203.0.113.9", who: str = "Mallory") -> None:
    assert throttle(folder, clock).sign_in("guess", CONFIG, who=who, address=address) is None


def refused_for(folder: Path, clock: Clock, address: str | None = "203.0.113.9") -> float:
    with pytest.raises(SignInThrottled) as refusal:
        throttle(folder, clock).sign_in(PASSWORD, CONFIG, who="Ann", address=address)
    return refusal.value.retry_after


def test_the_first_wrong_passwords_are_free_then_each_wait_doubles(tmp_path, clock):
    for _ in range(PER_ADDRESS.free):
        wrong(tmp_path, clock)
    waits = []
    for _ in range(4):
        waits.append(refused_for(tmp_path, clock))
        clock.advance(waits[-1])
        wrong(tmp_path, clock)
    assert waits == [2.0, 4.0, 8.0, 16.0]


def test_the_wait_holds_across_reloads_and_new_sessions_until_it_has_passed(tmp_path, clock):
    for _ in range(PER_ADDRESS.free + 1):
        clock.advance(5)
        wrong(tmp_path, clock)
    assert refused_for(tmp_path, clock) == 4.0  # a new throttle object: the counts are on disk
    clock.advance(3.5)
    assert refused_for(tmp_path, clock) == pytest.approx(0.5)
    clock.advance(0.5)
    assert throttle(tmp_path, clock).sign_in(PASSWORD, CONFIG, who="Ann", address="203.0.113.9") is not None


def test_the_wait_survives_a_restart_of_the_server_process(tmp_path, clock):
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from tensions.curation import access
        from tensions.curation.throttle import SignInThrottle

        config = access.AccessConfig(password="correct horse battery staple")
        throttle = SignInThrottle(Path(sys.argv[1]), clock=lambda: float(sys.argv[2]))
        for _ in range(3):
            throttle.sign_in("guess", config, who="Mallory", address="203.0.113.9")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(APP_ROOT)}
    subprocess.run([sys.executable, "-c", script, str(tmp_path), str(START)], check=True, env=env, cwd=APP_ROOT)
    assert refused_for(tmp_path, clock) == PER_ADDRESS.base


def test_the_wait_is_capped(tmp_path, clock):
    for _ in range(PER_ADDRESS.free + 20):
        clock.advance(PER_ADDRESS.cap)
        wrong(tmp_path, clock)
    assert refused_for(tmp_path, clock) == PER_ADDRESS.cap


def test_the_wait_stays_capped_however_many_failures_pile_up():
    assert PER_ADDRESS.delay(100_000) == PER_ADDRESS.cap and OVERALL.delay(100_000) == OVERALL.cap


def test_a_throttled_attempt_is_refused_before_the_password_is_compared_and_logs_nothing(tmp_path, clock):
    for _ in range(PER_ADDRESS.free + 1):
        clock.advance(60)
        wrong(tmp_path, clock)
    logged = (tmp_path / history.AUDIT_LOG).read_text()
    refused_for(tmp_path, clock)  # the right password, refused all the same
    assert (tmp_path / history.AUDIT_LOG).read_text() == logged


def test_one_address_failing_does_not_delay_another(tmp_path, clock):
    for _ in range(PER_ADDRESS.free + 2):
        clock.advance(60)
        wrong(tmp_path, clock, address="203.0.113.9")
    assert throttle(tmp_path, clock).wait("198.51.100.7") == 0
    assert throttle(tmp_path, clock).sign_in(PASSWORD, CONFIG, who="Ann", address="198.51.100.7") is not None


def test_guesses_spread_over_many_addresses_meet_the_overall_limit(tmp_path, clock):
    for n in range(OVERALL.free):
        wrong(tmp_path, clock, address=f"192.0.2.{n}")
    assert refused_for(tmp_path, clock, address="192.0.2.200") == OVERALL.base
    clock.advance(OVERALL.base)
    wrong(tmp_path, clock, address="192.0.2.201")
    assert refused_for(tmp_path, clock, address="192.0.2.202") == 2 * OVERALL.base


def test_the_overall_wait_is_capped_at_a_minute_so_curators_are_never_locked_out(tmp_path, clock):
    for n in range(OVERALL.free + 30):
        clock.advance(OVERALL.cap)
        wrong(tmp_path, clock, address=f"192.0.2.{n}")
    assert refused_for(tmp_path, clock, address="198.51.100.7") == OVERALL.cap
    clock.advance(OVERALL.cap)
    assert throttle(tmp_path, clock).sign_in(PASSWORD, CONFIG, who="Ann", address="198.51.100.7") is not None


def test_the_right_password_clears_its_address(tmp_path, clock):
    for _ in range(PER_ADDRESS.free - 1):
        wrong(tmp_path, clock)
    assert throttle(tmp_path, clock).sign_in(PASSWORD, CONFIG, who="Ann", address="203.0.113.9") is not None
    for _ in range(PER_ADDRESS.free):
        wrong(tmp_path, clock)
    assert throttle(tmp_path, clock).wait("203.0.113.9") == PER_ADDRESS.base


def test_failures_are_forgotten_after_a_quiet_day(tmp_path, clock):
    for _ in range(PER_ADDRESS.free + 3):
        clock.advance(60)
        wrong(tmp_path, clock)
    clock.advance(PER_ADDRESS.forget_after + 1)
    for _ in range(PER_ADDRESS.free):
        wrong(tmp_path, clock)
    state = json.loads((tmp_path / SIGNIN_FOLDER / "throttle.json").read_text())
    assert state["addresses"]["203.0.113.9"]["failures"] == PER_ADDRESS.free


def test_attempts_from_the_server_itself_are_counted_under_one_name(tmp_path, clock):
    for _ in range(PER_ADDRESS.free):
        wrong(tmp_path, clock, address=None)
    assert refused_for(tmp_path, clock, address=None) == PER_ADDRESS.base


def test_every_failed_attempt_is_logged_with_who_from_where_and_when_but_never_the_password(tmp_path, clock):
    wrong(tmp_path, clock, who="  Mallory\nEve ")
    clock.advance(30)
    wrong(tmp_path, clock, address=None, who="")
    lines = (tmp_path / history.AUDIT_LOG).read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "when": "2025-06-15T15:06:40+00:00",
            "who": "Mallory Eve",
            "method": "password",
            "action": "sign-in failed",
            "address": "203.0.113.9",
        },
        {
            "when": "2025-06-15T15:07:10+00:00",
            "who": "",
            "method": "password",
            "action": "sign-in failed",
            "address": "local",
        },
    ]
    assert "guess" not in (tmp_path / history.AUDIT_LOG).read_text()
    shown = history.read_audit_log(tmp_path)
    assert shown[["who", "address", "action"]].values.tolist()[0] == ["", "local", "sign-in failed"]


def test_a_right_password_logs_nothing(tmp_path, clock):
    assert throttle(tmp_path, clock).sign_in(PASSWORD, CONFIG, who="Ann", address=None) is not None
    assert not (tmp_path / history.AUDIT_LOG).exists()


def test_sign_in_is_refused_with_a_message_when_attempts_cannot_be_recorded(tmp_path, clock, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(folder))
    (folder / SIGNIN_FOLDER).write_text("a file where the folder should be")  # chmod would not stop root
    with pytest.raises(DataNotWritable, match=r"cannot write data/\.signin/throttle\.json: File exists") as error:
        throttle(folder, clock).sign_in(PASSWORD, CONFIG, who="Ann", address=None)
    assert str(tmp_path) not in str(error.value)


def test_the_state_file_stays_small_however_many_addresses_try(tmp_path, clock, monkeypatch):
    monkeypatch.setattr("tensions.curation.throttle.MAX_ADDRESSES", 5)
    for n in range(12):
        clock.advance(OVERALL.cap)
        wrong(tmp_path, clock, address=f"192.0.2.{n}")
    state = json.loads((tmp_path / SIGNIN_FOLDER / "throttle.json").read_text())
    assert set(state["addresses"]) == {f"192.0.2.{n}" for n in range(7, 12)}  # the newest five
