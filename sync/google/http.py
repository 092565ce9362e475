"""HTTP to Google: one time budget per run, bounded retries (tenacity), endpoint overrides.

gspread's BackOffHTTPClient retries forever, ignores Retry-After and never retries timeouts or
dropped connections. Here 429/5xx, timeouts and connection errors are retried with exponential
waits plus jitter (tenacity's wait_exponential_jitter) up to `network.max_backoff` (a minute by
default: Google's quota refills per minute and its 429 carries no Retry-After), or as long as a
Retry-After says; and every request, retry and wait of a run draws on one deadline, the run's
`network.budget`: a run with N dead spreadsheets ends within the budget, not N times it.
urllib3's Retry would do the waits inside the adapter but knows no deadline shared by requests.
"""
from __future__ import annotations

import email.utils
import logging
import re
import time

import requests
import tenacity
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from requests.adapters import HTTPAdapter

from ..read.google_config import Network

log = logging.getLogger("sync.google")

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class BudgetSpent(Exception):
    """The run's network budget is used up: no request is sent."""


class Budget:
    """The deadline all of a run's requests share (thread-safe: it is only read)."""

    def __init__(self, network: Network):
        self.network = network
        self.deadline = time.monotonic() + network.budget

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def timeout(self) -> float:
        """The timeout of the next request: network.timeout, or less when the budget is nearly spent."""
        left = self.left()
        if left <= 0:
            raise BudgetSpent()
        return min(self.network.timeout, left)


class RetryingHTTPClient(HTTPClient):
    """gspread's HTTPClient, each request under the run's Budget with bounded retries.

    Status comes from the HTTP response, not the JSON body (a proxy's HTML error page would give
    APIError.code -1). A POST that timed out or lost its connection may have been applied (a
    batchUpdate is not idempotent: a second addSheet fails): it is retried only when it never
    reached the server (ConnectTimeout). Thread-safe: the timeout is passed per request."""

    budget: Budget

    def request(self, method, endpoint, params=None, data=None, json=None, files=None, headers=None):
        def attempt():
            response = self.session.request(method=method, url=endpoint, json=json, params=params, data=data,
                                            files=files, headers=headers, timeout=self.budget.timeout())
            if response.ok:
                return response
            raise APIError(response)

        return retrying(self.budget, method, endpoint)(attempt)


def retrying(budget: Budget, method: str, endpoint: str) -> tenacity.Retrying:
    net = budget.network
    return tenacity.Retrying(
        retry=tenacity.retry_if_exception(lambda exc: _retryable(method, exc)),
        wait=_wait(net),
        stop=tenacity.stop_after_attempt(net.retries + 1) | _past_deadline(budget),
        before_sleep=lambda state: _log(method, endpoint, state),
        reraise=True)


def _retryable(method: str, exc: BaseException) -> bool:
    if isinstance(exc, APIError):
        return exc.response.status_code in RETRY_STATUSES
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return method.upper() == "GET"
    return False


def _wait(net: Network):
    backoff = tenacity.wait_exponential_jitter(multiplier=net.backoff, max=net.max_backoff, jitter=net.backoff)

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        after = _retry_after(exc.response) if isinstance(exc, APIError) else None
        return after if after is not None else min(backoff(state), net.max_backoff)
    return wait


def _past_deadline(budget: Budget):
    """Stop rather than sleep into the deadline: the wait would leave no time for the next try."""
    return lambda state: time.monotonic() + (state.upcoming_sleep or 0) >= budget.deadline


def _retry_after(response) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    value = response.headers.get("Retry-After") or ""
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(email.utils.parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


def _log(method: str, endpoint: str, state: tenacity.RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    short = f"HTTP {exc.response.status_code}" if isinstance(exc, APIError) else type(exc).__name__
    # The key stays out of logs: they can end up in a CI job's public output.
    where = re.sub(r"/spreadsheets/[^/:?]+", "/spreadsheets/<key>", endpoint.split("?")[0])
    log.info("%s %s failed (%s); retrying in %.1f s", method.upper(), where, short, state.upcoming_sleep)


class Rewrite(HTTPAdapter):
    """Send requests for one origin (Google's) to another (a reverse proxy, a test server).

    requests chose the proxy (HTTPS_PROXY, NO_PROXY, ...) for Google's URL before this adapter
    sees the request; it is chosen again here for the URL the request really goes to, so that
    NO_PROXY covering the endpoint (a campus proxy, 127.0.0.1) is honoured."""

    def __init__(self, origin: str, target: str):
        super().__init__()
        self.origin, self.target = origin, target.rstrip("/")

    def send(self, request, **kwargs):
        request = request.copy()
        request.url = self.target + request.url[len(self.origin):]
        kwargs["proxies"] = requests.utils.get_environ_proxies(request.url)
        return super().send(request, **kwargs)


class TokenRequest:
    """google-auth's transport for token requests, under the run's Budget (its default waits 120 s)."""

    def __init__(self, session: requests.Session, budget: Budget):
        from google.auth.transport.requests import Request
        self._request, self._budget = Request(session), budget

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):
        try:
            limit = self._budget.timeout()
        except BudgetSpent:
            from google.auth.exceptions import TransportError
            raise TransportError("the run's network budget is spent") from None
        timeout = limit if timeout is None else min(timeout, limit)
        return self._request(url, method=method, body=body, headers=headers, timeout=timeout, **kwargs)
