#!/usr/bin/env python3
"""A run with dead spreadsheets and the default `network:` settings ends within the run's budget.

    .venv/bin/python bench/bench_google_budget.py            # about two minutes: the default budget

Three department spreadsheets on tests/fake_sheets.py's local server: one answers, one hangs
(each answer comes long after the 30 s timeout), one is down (503 on every request, no
Retry-After). `check` reads them with the config's defaults (timeout 30 s, budget 120 s,
retries 8, backoff 1 s doubling to 60 s). Printed: the seconds the read took (every request
to Google of the run), and requests per spreadsheet. Not a test: with the defaults it takes the budget itself.
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import yaml  # noqa: E402

import test_gsheets as fixtures  # noqa: E402  (the three spreadsheets of the tests)
from conftest import BASELINE  # noqa: E402
from fake_sheets import FakeSheets  # noqa: E402
from sync import jobs, policy as policy_mod  # noqa: E402
from sync.validate import validate  # noqa: E402
from sync.read.google_config import Network  # noqa: E402


def main() -> None:
    net = Network()
    with FakeSheets() as fake, tempfile.TemporaryDirectory() as tmp:
        fixtures.serve(fake, BASELINE)
        fake.fail(200, contains=fixtures.KEY_A, delay=net.timeout + 5, times=10_000)   # hung
        fake.fail(503, contains=fixtures.KEY_B, times=10_000)                          # down
        path = Path(fixtures.config(Path(tmp), fake))
        body = yaml.safe_load(path.read_text(encoding="utf-8"))
        del body["network"]                       # the defaults
        path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
        started = time.monotonic()
        policy = policy_mod.load(ROOT / "policies")
        workbook = jobs.read_source(path)
        read = time.monotonic() - started
        validate(workbook, policy, dt.date(2020, 2, 11))
        took = time.monotonic() - started
        print(f"defaults: timeout {net.timeout:g} s, budget {net.budget:g} s, retries {net.retries}, "
              f"backoff {net.backoff:g} s up to {net.max_backoff:g} s")
        print(f"{read:.1f} s for the read (all Google traffic of the run; budget {net.budget:g} s); "
              f"unavailable: {sorted(workbook.unavailable)}")
        print(f"{took:.1f} s with the policies and the validation (what `check` does)")
        for key, (name, _) in fixtures.BOOKS.items():
            print(f"  {fixtures.api_requests(fake, key).__len__():>3} requests  {name}")
        if read > net.budget + 1:
            raise SystemExit(f"over the budget: {read:.1f} s")


if __name__ == "__main__":
    main()
