"""Highlights and notes in the department's own tabs, in the fake Sheets server's state after a run,
gone after the fix; written in the same batchUpdate as the status tab."""
from __future__ import annotations

import copy

from conftest import AS_OF, BASELINE, POLICIES
from fake_sheets import FakeSheets
from sync import jobs
from test_gsheets import KEY_B, KEY_C, config, serve


def _mistakes():
    sheets = copy.deepcopy(BASELINE)
    sheets["出入登记"][2][5] = "abc"                      # F3 of 出入登记 (保卫处): an error
    sheets["隔离观察记录"][2][7] = "375"                  # H3 of 隔离观察记录 (后勤管理处): held
    sheets["隔离观察记录"][1][9] = "2"                    # J2: fine, never marked
    return sheets


def test_marks_appear_after_a_run_and_disappear_after_the_fix(tmp_path):
    with FakeSheets() as fake:
        serve(fake, _mistakes())
        path = config(tmp_path, fake)
        jobs.run(path, POLICIES, [AS_OF], tmp_path / "data", tmp_path / "site")
        gate = fake.tab(KEY_C, "出入登记").cells[(2, 5)]
        assert "[type-error]" in gate["note"] and "'abc'" in gate["note"]
        assert gate["userEnteredFormat"]["backgroundColor"]["red"] > 0.9
        assert gate["userEnteredValue"] == {"stringValue": "abc"}            # the value as the department typed it
        log = fake.tab(KEY_B, "隔离观察记录").cells[(2, 7)]
        assert "[decimal-slip]" in log["note"] and "37.5?" in log["note"] and "slipped decimal" in log["note"]
        assert "note" not in fake.tab(KEY_B, "隔离观察记录").cells[(1, 9)]
        # one batchUpdate per spreadsheet: the status tab and the marks together
        assert fake.count("POST", ":batchUpdate") == 4
        # The departments fix both cells.
        fake.tab(KEY_C, "出入登记").cells[(2, 5)] = {**gate, "userEnteredValue": {"stringValue": "36.4"}}
        fake.tab(KEY_B, "隔离观察记录").cells[(2, 7)] = {**log, "userEnteredValue": {"stringValue": "37.5"}}
        jobs.run(path, POLICIES, [AS_OF], tmp_path / "data", tmp_path / "site")
        for key, title, rc in ((KEY_C, "出入登记", (2, 5)), (KEY_B, "隔离观察记录", (2, 7))):
            cell = fake.tab(key, title).cells[rc]
            assert "note" not in cell and "backgroundColor" not in cell.get("userEnteredFormat", {})
            assert "userEnteredValue" in cell
        assert fake.count("POST", ":batchUpdate") == 8
