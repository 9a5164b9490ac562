"""The sign-in throttle with the database as the store: two app servers (two throttles on one URL, each with a
data folder of its own) count the same failures, and the failures' audit rows are in the database."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tensions.curation import access, history
from tensions.curation.throttle import OVERALL, PER_ADDRESS, SIGNIN_FOLDER, SignInThrottle
from tensions.errors import SignInThrottled
from tensions.store.engine import engine_for

PASSWORD = "correct horse battery staple"
CONFIG = access.AccessConfig(password=PASSWORD)
START = 1_750_000_000.0
ADDRESS = "203.0.113.9"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def replicas(postgres_url, tmp_path, monkeypatch) -> tuple[SignInThrottle, SignInThrottle]:
    """The throttles of two app servers on one database, sharing no folder."""
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    clock = Clock()
    return SignInThrottle(tmp_path / "one", clock=clock), SignInThrottle(tmp_path / "two", clock=clock)


def test_failures_on_two_servers_are_counted_together(replicas, tmp_path):
    one, two = replicas
    for attempt in range(PER_ADDRESS.free):
        server = (one, two)[attempt % 2]
        assert server.sign_in("guess", CONFIG, who="Mallory", address=ADDRESS) is None

    # The free tries are used up across both servers: the next attempt waits, on either.
    assert one.wait(ADDRESS) == two.wait(ADDRESS) == PER_ADDRESS.delay(PER_ADDRESS.free)
    with pytest.raises(SignInThrottled):
        two.sign_in(PASSWORD, CONFIG, who="Ann", address=ADDRESS)
    assert one.wait("198.51.100.7") == 0.0  # another address may try
    assert not (tmp_path / "one" / SIGNIN_FOLDER).exists() and not (tmp_path / "two" / SIGNIN_FOLDER).exists()


def test_a_right_password_clears_its_address_on_every_server(replicas):
    one, two = replicas
    one.sign_in("guess", CONFIG, who="Ann", address=ADDRESS)
    assert two.sign_in(PASSWORD, CONFIG, who="Ann", address=ADDRESS) is not None
    with engine_for(one.url).connect() as connection:
        rows = connection.execute(sa.text("SELECT scope, key, failures FROM signin_counts ORDER BY scope")).all()
    assert [tuple(row) for row in rows] == [("overall", "", 1)]  # the failure stays in everyone's count


def test_attempts_at_the_same_moment_on_two_servers_are_all_counted(replicas):
    one, two = replicas
    attempts = OVERALL.free  # all free overall; each thread from an address of its own
    threads = [threading.Thread(target=(one, two)[i % 2].begin, args=(f"198.51.100.{i}",)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    with engine_for(one.url).connect() as connection:
        failures = connection.execute(sa.text("SELECT failures FROM signin_counts WHERE scope = 'overall'")).scalar()
    assert failures == attempts
    assert one.wait("192.0.2.1") == OVERALL.delay(attempts)


def test_failed_sign_ins_are_in_the_databases_audit_log_with_the_address(replicas, tmp_path):
    one, _ = replicas
    one.sign_in("guess", CONFIG, who="Mallory", address=ADDRESS)
    log = history.read_audit_log(tmp_path / "one")
    assert log[["who", "action", "address"]].values.tolist() == [["Mallory", "sign-in failed", ADDRESS]]
    assert not (tmp_path / "one" / history.AUDIT_LOG).exists()


def test_quiet_addresses_are_forgotten_and_at_most_the_newest_are_kept(replicas, monkeypatch):
    one, _ = replicas
    monkeypatch.setattr("tensions.curation.throttle.MAX_ADDRESSES", 2)
    for i in range(3):
        one.clock.now += 1
        one.begin(f"198.51.100.{i}")
    with engine_for(one.url).connect() as connection:
        kept = connection.execute(sa.text("SELECT key FROM signin_counts WHERE scope = 'address' ORDER BY key"))
        assert [row.key for row in kept] == ["198.51.100.1", "198.51.100.2"]
    one.clock.now += PER_ADDRESS.forget_after + 10
    one.begin("192.0.2.1")
    with engine_for(one.url).connect() as connection:
        kept = connection.execute(sa.text("SELECT key FROM signin_counts WHERE scope = 'address'"))
        assert [row.key for row in kept] == ["192.0.2.1"]


def test_the_history_says_where_its_audit_log_is(postgres_url, monkeypatch):
    assert history.audit_log_place() == "`audit.log` in the data folder"
    assert (
        history.where_saves_go() == "Saves are validated, backed up to `data/backups/` and logged to `data/audit.log`."
    )
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    assert history.audit_log_place().startswith("the database's `audit_log` table")
    assert "backed up" not in history.where_saves_go() and "`audit_log` table" in history.where_saves_go()
