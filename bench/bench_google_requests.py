#!/usr/bin/env python3
"""Requests per run against the fake Sheets API: our Google source vs a naive gspread loop.

    .venv/bin/python bench/bench_google_requests.py

The demo workbook's eight sheets are typed into three department spreadsheets (plus the
office's) on tests/fake_sheets.py's local server. Counted: HTTP requests that reach the server.
The naive loop is what most gspread code does: open_by_key, worksheet(title), get_all_values
per tab (it imports gspread itself, being the baseline; the project only does in sync/google/).
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import gspread  # noqa: E402  (the baseline being measured)
import requests  # noqa: E402

import test_gsheets as fixtures  # noqa: E402  (the three spreadsheets of the tests)
from fake_sheets import FakeSheets  # noqa: E402
from sync import jobs, policy as policy_mod  # noqa: E402
from sync.publish import google as publish  # noqa: E402
from sync import google  # noqa: E402
from sync.read import gsheets as gs  # noqa: E402
from sync.read.xlsx import read_workbook  # noqa: E402


def naive(fake, books) -> None:
    session = requests.Session()      # FACTS.md: a session whose adapter rewrites Google's origin
    session.mount(google.SHEETS_API + "/", google.Rewrite(google.SHEETS_API, fake.endpoint))
    client = gspread.Client(auth=None, session=session)
    for key, (_, tabs) in books.items():
        spreadsheet = client.open_by_key(key)
        for title in tabs.values():
            spreadsheet.worksheet(title).get_all_values()


def measure(label, fake, action) -> tuple[str, int, float]:
    fake.requests.clear()
    started = time.perf_counter()
    outcome = action()
    if isinstance(outcome, list) and not all(o.ok for o in outcome):      # write-back, init-sheets
        raise SystemExit(f"{label}: {outcome}")
    return label, len([r for r in fake.requests if r.path.startswith("/v4/")]), time.perf_counter() - started


def main() -> None:
    demo = read_workbook(ROOT / "examples" / "demo.xlsx")
    sheets = {t.title: [t.header] + [list(r) for r in zip(*(c.texts() for c in t.columns))] for t in demo.tables}
    cells = sum(len(r) for title, rows in sheets.items() if title != "说明" for r in rows)
    policy = policy_mod.load(ROOT / "policies")
    by_gid = {key: (name, {sheet: {"gid": i} for i, sheet in enumerate(tabs)})
              for key, (name, tabs) in fixtures.BOOKS.items()}
    rows = []
    with FakeSheets() as fake, tempfile.TemporaryDirectory() as tmp:
        fixtures.serve(fake, sheets)
        titled = fixtures.config(Path(tmp), fake)
        gid_dir = Path(tmp) / "gid"
        gid_dir.mkdir()
        gids = fixtures.config(gid_dir, fake, by_gid)
        rows.append(measure("naive gspread: open_by_key + worksheet + get_all_values per tab", fake,
                            lambda: naive(fake, fixtures.BOOKS)))
        rows.append(measure("ours, read: tab titles in the config", fake, lambda: gs.read_google(titled)))
        rows.append(measure("ours, read: tabs by gid only", fake, lambda: gs.read_google(gids)))
        result = jobs.check(titled, ROOT / "policies", dt.date(2020, 2, 23))
        rows.append(measure("ours, write-back: status tabs + office private tab", fake,
                            lambda: publish.write_back(titled, result, policy, private={"note": "bench"})))
        rows.append(measure("ours, init-sheets on the filled spreadsheets", fake,
                            lambda: publish.init_sheets(titled, policy)))
    print(f"3 spreadsheets holding the 8 tabs of examples/demo.xlsx ({cells} cells), fake server on 127.0.0.1")
    print(f"{'requests':>8}  {'seconds':>7}  what")
    for label, count, seconds in rows:
        print(f"{count:>8}  {seconds:>7.2f}  {label}")


if __name__ == "__main__":
    main()
