"""The HTTP client every source shares: requests, with bounded retries that honour Retry-After.

429 and 5xx answers, refused or cut connections and timeouts are retried with exponential backoff, or
after the wait the server asks for (`Retry-After`, seconds or a date), as long as the client's total
waiting (over every request of one sync) stays within `RetryPolicy.budget_seconds`; then the source
stops with a named error. Other answers
(401, 403, 404, …) go back to the caller, which knows what they mean for its API. The sleep is a seam
tests replace.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests

from tensions.errors import ConnectionLost, PayloadError, SourceUnavailable

USER_AGENT = "regional-tensions-dashboard/1.0 (+sync)"
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: at most `attempts` tries per request, and at most `budget_seconds` of waiting
    between tries over all the requests of one sync."""

    attempts: int = 5
    budget_seconds: float = 120.0
    first_delay: float = 1.0
    max_delay: float = 60.0
    timeout: float = 60.0

    def backoff(self, attempt: int) -> float:
        """The wait before try `attempt + 1` when the server does not say (1, 2, 4, … seconds)."""
        return min(self.max_delay, self.first_delay * 2 ** (attempt - 1))


def retry_after_seconds(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date; None if absent or
    unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


class HttpClient:
    """One source's connection: a `requests.Session` with our retry rules and a count of requests made."""

    def __init__(
        self,
        source: str,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.source = source
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.requests_made = 0
        self.waited_seconds = 0.0  # sleeping between tries
        self.network_seconds = 0.0  # waiting for answers

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """The answer to one request, its body read in full; retried as the policy allows.

        Raises `SourceUnavailable` when 429/5xx persist past the attempts or the budget (or a Retry-After
        asks for longer than what is left of it) and `ConnectionLost` when the connection keeps failing.
        """
        attempt = 0
        while True:
            attempt += 1
            self.requests_made += 1
            failure: str
            wait: float | None = None
            asked = time.perf_counter()
            try:
                response = self.session.request(
                    method, url, params=params, data=data, headers=headers, timeout=self.retry.timeout
                )
                response.content  # noqa: B018 - read the whole body now, so a cut shows up here
            except requests.Timeout:
                failure, lost = f"no answer within {self.retry.timeout:g} s from {_where(url)}", True
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
                failure, lost = f"connection to {_where(url)} failed or was cut: {_reason(error)}", True
            else:
                if response.status_code not in RETRIED_STATUSES:
                    self.network_seconds += time.perf_counter() - asked
                    return response
                lost = False
                failure = f"{_where(url)} answered HTTP {response.status_code}"
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                if wait is not None:
                    failure += f" (Retry-After: {response.headers['Retry-After']})"
            self.network_seconds += time.perf_counter() - asked
            error_type = ConnectionLost if lost else SourceUnavailable
            left = self.retry.budget_seconds - self.waited_seconds
            wait = self.retry.backoff(attempt) if wait is None else wait
            if attempt >= self.retry.attempts:
                raise error_type(self.source, f"{failure}; gave up after {attempt} tries")
            if wait > left:
                raise error_type(
                    self.source,
                    f"{failure}; waiting {wait:g} s more would pass the {self.retry.budget_seconds:g} s budget "
                    f"({self.waited_seconds:g} s waited already)",
                )
            self.sleep(wait)
            self.waited_seconds += wait

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> requests.Response:
        return self.request("POST", url, **kwargs)


def json_body(response: requests.Response, source: str) -> object:
    """The answer's JSON, or `PayloadError` saying what came instead."""
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("Content-Type", "no content type")
        raise PayloadError(
            source, f"{_where(response.url)} answered {kind}, not JSON: {response.text[:120]!r}"
        ) from None


def _where(url: str) -> str:
    """The URL without its query (which may carry filters, never secrets, but is long)."""
    return url.split("?", 1)[0]


def _reason(error: Exception) -> str:
    text = str(error)
    return text if len(text) < 200 else text[:200] + "…"
