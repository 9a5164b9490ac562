"""The shared HTTP client: 429 and 5xx are retried within a bounded time, honouring Retry-After."""

from __future__ import annotations

import datetime as dt

import pytest

from tensions.errors import ConnectionLost, SourceUnavailable
from tensions.ingest.sync.http import HttpClient, RetryPolicy, retry_after_seconds
from tests.ingest.sync.stubs import Answer, StubServer


class Plain(StubServer):
    def answer(self, request):
        return Answer(200, b"ok", "text/plain")


@pytest.fixture
def server():
    with Plain() as stub:
        yield stub


def client(waits, **policy):
    return HttpClient("test", retry=RetryPolicy(**{"first_delay": 1.0, "timeout": 5} | policy), sleep=waits.append)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        ("Sat, 15 Mar 2025 12:00:30 GMT", 30.0),
        ("Sat, 15 Mar 2025 11:00:00 GMT", 0.0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_a_date(header, seconds):
    now = dt.datetime(2025, 3, 15, 12, 0, tzinfo=dt.UTC)
    assert retry_after_seconds(header, now=now) == seconds


def test_a_429_is_retried_after_the_wait_the_server_asks_for(server):
    waits = []
    server.fail("/", "429", retry_after="3")

    response = client(waits).get(f"{server.url}/x")

    assert response.status_code == 200 and waits == [3.0]
    assert len(server.requests) == 2


def test_server_errors_back_off_exponentially_then_give_up(server):
    waits = []
    server.fail("/", "500", times=10)

    with pytest.raises(SourceUnavailable, match="HTTP 500; gave up after 4 tries"):
        client(waits, attempts=4).get(f"{server.url}/x")
    assert waits == [1.0, 2.0, 4.0]


def test_a_wait_longer_than_the_budget_stops_at_once(server):
    waits = []
    server.fail("/", "503", retry_after="3600")

    with pytest.raises(SourceUnavailable, match=r"Retry-After: 3600\).*120 s budget"):
        client(waits, budget_seconds=120).get(f"{server.url}/x")
    assert waits == [] and len(server.requests) == 1


def test_the_budget_is_shared_by_every_request_of_a_sync(server):
    waits = []
    server.fail("/first", "429", retry_after="3")
    server.fail("/second", "429", retry_after="3")
    session = client(waits, budget_seconds=5)

    session.get(f"{server.url}/first")
    with pytest.raises(SourceUnavailable, match=r"3 s waited already"):
        session.get(f"{server.url}/second")
    assert waits == [3.0]


def test_a_connection_cut_mid_answer_is_retried_then_named(server):
    waits = []
    server.fail("/", "cut", times=10)

    with pytest.raises(ConnectionLost, match="cut"):
        client(waits, attempts=2).get(f"{server.url}/x")
    assert len(server.requests) == 2


def test_a_refused_connection_is_named():
    with pytest.raises(ConnectionLost, match=r"127\.0\.0\.1:9"):
        client([], attempts=1).get("http://127.0.0.1:9/x")


def test_other_answers_go_back_to_the_caller(server):
    server.fail("/", "404")  # the stub answers the fault's status with a JSON body

    response = client([]).get(f"{server.url}/x")

    assert response.status_code == 404 and len(server.requests) == 1
