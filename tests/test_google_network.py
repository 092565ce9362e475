"""Hostile networks for the Google client (sync/google/): proxies and NO_PROXY with endpoint
overrides, 429 without Retry-After, one time budget per run, one token and one metadata request
per spreadsheet per run, and annotations that name real things.

All against tests/fake_sheets.py on 127.0.0.1 (an OAuth token endpoint and Sheets API v4).
"""
from __future__ import annotations

import copy
import inspect
import socket
import time
import typing

import pytest
import tenacity

from conftest import AS_OF, BASELINE, POLICIES
from sync import google, jobs
from sync.errors import SourceError
from sync.google import http as google_http
from sync.read.google_config import Network
from test_gsheets import BOOKS, FAST, KEY_A, KEY_B, KEY_C, OFFICE, api_requests, config, fake, serve, \
    service_account  # noqa: F401  (fixtures)


def dead_port() -> int:
    """A loopback port nothing listens on: a connection to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- proxies ---------------------------------------------------------------------------------------

@pytest.fixture
def dead_proxy(monkeypatch):
    proxy = f"http://127.0.0.1:{dead_port()}"
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_no_proxy_is_honoured_for_the_endpoint_and_the_token_endpoint(fake, tmp_path, dead_proxy, service_account):
    dead_proxy.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake.token = "token-from-fake"
    serve(fake, BASELINE)
    path = config(tmp_path, fake, credentials=str(service_account["path"]), token_endpoint=fake.endpoint)
    workbook = jobs.read_source(path)
    assert workbook.unavailable == [] and len(workbook.tables) == 8
    assert fake.count("POST", "/token") == 1


def test_the_proxy_variables_are_used_for_the_endpoint_when_no_proxy_does_not_cover_it(fake, tmp_path, dead_proxy):
    dead_proxy.setenv("NO_PROXY", "example.org")
    serve(fake, BASELINE)
    with pytest.raises(SourceError) as caught:
        jobs.read_source(config(tmp_path, fake))
    assert "cannot reach" in str(caught.value)
    assert api_requests(fake) == []            # every request went to the (dead) proxy


# --- 429 without Retry-After, and the waits ---------------------------------------------------------

def _waits(net: Network, attempts: int) -> list[float]:
    wait = google_http._wait(net)
    out = []
    for n in range(1, attempts + 1):
        state = tenacity.RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
        state.attempt_number = n
        out.append(wait(state))
    return out


def test_the_default_waits_grow_to_a_minute_and_outlast_a_per_minute_quota_within_the_budget():
    net = Network()
    waits = _waits(net, net.retries)
    assert all(a <= b + net.backoff for a, b in zip(waits, waits[1:]))           # growing (jitter aside)
    assert max(waits) == net.max_backoff == 60
    # Google's quota refills per minute: by some retry the waits have added up to a minute, and
    # that retry is still within the run's budget.
    total, reached = 0.0, None
    for n, w in enumerate(waits, start=1):
        total += w
        if total >= 60:
            reached = (n, total)
            break
    assert reached and reached[1] < net.budget, (waits, reached)


def test_429_without_retry_after_backs_off_exponentially_until_the_quota_refills(fake, tmp_path):
    serve(fake, BASELINE)
    fake.fail(429, contains=KEY_A, times=5)             # Google's RESOURCE_EXHAUSTED, no Retry-After
    net = {"timeout": 3, "budget": 20, "retries": 8, "backoff": 0.05, "max_backoff": 0.4}
    result = jobs.check(config(tmp_path, fake, network=net), POLICIES, AS_OF)
    assert result.unavailable == [] and result.issues == []
    seen = api_requests(fake, KEY_A)
    assert len(seen) == 7                                # 5 refused, then metadata and batchGet
    gaps = [b.at - a.at for a, b in zip(seen, seen[1:6])]
    lower = [min(0.05 * 2 ** n, 0.4) for n in range(5)]  # the schedule without its jitter
    assert all(g >= low * 0.9 for g, low in zip(gaps, lower)), gaps
    assert all(g <= min(low + 0.05, 0.4) + 0.3 for g, low in zip(gaps, lower)), gaps


# --- one budget per run ------------------------------------------------------------------------------

def _two_dead(fake, delay: float):
    serve(fake, BASELINE)
    fake.fail(200, contains=KEY_A, delay=delay, times=1000)    # hung: answers long after any timeout
    fake.fail(503, contains=KEY_B, times=1000)                 # down


@pytest.mark.parametrize("budget", [1.0, 2.0])
def test_a_run_with_two_dead_spreadsheets_ends_within_the_run_budget(fake, tmp_path, budget):
    _two_dead(fake, delay=budget + 2)
    net = {"timeout": 0.4, "budget": budget, "retries": 100, "backoff": 0.05, "max_backoff": 0.2}
    started = time.monotonic()
    result = jobs.check(config(tmp_path, fake, network=net), POLICIES, AS_OF)
    took = time.monotonic() - started
    # Within the budget (plus the local validation), not two budgets: the dead ones share one deadline.
    assert budget * 0.7 <= took < budget + 1.0, took
    assert sorted(result.unavailable) == ["后勤管理处 Logistics", "学生处 Student Affairs"]
    assert {"gate_log", "duty_roster"} <= set(result.tables)    # the live one is read all the same


def test_the_budget_spans_the_whole_run_and_what_is_left_untried_says_so(fake, tmp_path):
    serve(fake, BASELINE)
    path = config(tmp_path, fake, network={**FAST, "budget": 0.6, "timeout": 0.3})
    workbook = jobs.read_source(path)
    assert workbook.unavailable == []
    time.sleep(0.7)                                            # the run's validation took the rest
    from sync.publish.google import write_back
    outcomes = write_back(path, jobs.check(path, POLICIES, AS_OF), jobs.policy_mod.load(POLICIES),
                          client=workbook.client)
    assert outcomes and not any(o.ok for o in outcomes)
    assert all("network budget (0.6 s, network.budget) is spent" in o.message for o in outcomes)


# --- one token, one metadata request per spreadsheet per run -------------------------------------

def test_a_run_gets_one_token_and_one_metadata_request_per_spreadsheet(fake, tmp_path, service_account):
    fake.token = "token-from-fake"
    serve(fake, BASELINE)
    path = config(tmp_path, fake, credentials=str(service_account["path"]), token_endpoint=fake.endpoint)
    outcome = jobs.run(path, POLICIES, [AS_OF], tmp_path / "data", tmp_path / "site")
    assert all(o.ok for o in outcome.written_back), outcome.written_back
    assert fake.count("POST", "/token") == 1                   # read and write-back share it
    for key in [*BOOKS, OFFICE]:
        metadata = [r for r in api_requests(fake, key) if r.method == "GET" and not r.path.endswith("batchGet")]
        assert len(metadata) == 1, key
    assert len(api_requests(fake, KEY_C)) == 3                 # metadata, batchGet, batchUpdate


def test_tabs_are_found_by_their_properties_whatever_the_errors_say(fake, tmp_path):
    sheets = copy.deepcopy(BASELINE)
    serve(fake, sheets)
    books = {KEY_C: ("保卫处 Security", {"gate_log": "出入登记", "duty_roster": {"gid": 1}})}
    fake.tab(KEY_C, "值班表").props["title"] = "值班表（新）"      # renamed; its gid stays
    result = jobs.check(config(tmp_path, fake, books, office=False), POLICIES, AS_OF)
    assert {"gate_log", "duty_roster"} <= set(result.tables)
    assert all(r.query.get("ranges") != ["'值班表'"] for r in api_requests(fake))


# --- annotations name real things (gs.Tab did not exist) ------------------------------------------

def test_every_annotation_of_the_google_code_resolves():
    from sync.google import client, sheets
    from sync.publish import google as publish_google
    from sync.read import gsheets
    checked = 0
    for module in (google_http, client, sheets, publish_google, gsheets):
        for name, obj in vars(module).items():
            if inspect.isfunction(obj) and obj.__module__ == module.__name__:
                typing.get_type_hints(obj)       # NameError / AttributeError for a name that does not exist
                checked += 1
            elif inspect.isclass(obj) and obj.__module__ == module.__name__:
                for member in vars(obj).values():
                    if inspect.isfunction(member):
                        typing.get_type_hints(member)
                        checked += 1
    assert checked > 20
