"""check --format xlsx --out FILE: an annotated copy whose notes openpyxl reads at the right cells."""
from __future__ import annotations

import copy

import openpyxl
from click.testing import CliRunner

from conftest import AS_OF, BASELINE, POLICIES, ROOT, write_csv, write_xlsx
from sync.cli import main

DEMO = ROOT / "examples" / "demo.xlsx"


def _check(source, out, as_of="2020-02-23"):
    return CliRunner().invoke(main, ["check", "--source", str(source), "--date", as_of, "--format", "xlsx",
                                     "--out", str(out), "--policies", str(POLICIES)])


def test_the_demo_copy_has_notes_at_each_problem_cell(tmp_path):
    out = tmp_path / "annotated.xlsx"
    result = _check(DEMO, out)
    assert result.exit_code == 1 and "highlighted and noted" in result.output
    book = openpyxl.load_workbook(out)
    jump = book["单位日报"]["J128"]
    assert jump.value == 70                                    # the department's own cells, as they were
    assert "[count-jump]" in jump.comment.text and "jumped from 7" in jump.comment.text
    assert "隔离观察记录" in jump.comment.text                  # the cross-check, in the same note
    assert jump.fill.fgColor.rgb == "FFFCE8B2"                  # a holding warning
    duty = book["值班表"]["D168"]
    assert "[duty-person-unwell]" in duty.comment.text and duty.fill.fgColor.rgb == "FFF4C7C3"
    assert book["单位日报"]["A2"].comment is None
    original = openpyxl.load_workbook(DEMO)
    assert book.sheetnames == original.sheetnames               # the 说明 tab too


def test_a_csv_folder_becomes_a_workbook_noted_at_the_messages_cells(tmp_path):
    sheets = copy.deepcopy(BASELINE)
    sheets["出入登记"][2][5] = "abc"                            # F3: not a temperature
    sheets["隔离观察记录"][2][7] = "375"                          # H3: a decimal slip (held)
    out = tmp_path / "annotated.xlsx"
    assert _check(write_csv(tmp_path / "book", sheets), out, AS_OF.isoformat()).exit_code == 1
    book = openpyxl.load_workbook(out)
    gate, log = book["出入登记"], book["隔离观察记录"]
    assert gate["F3"].value == "abc" and "[type-error]" in gate["F3"].comment.text
    assert gate["F1"].value == "体温(℃)" and gate["F2"].comment is None
    assert log["H3"].value == "375" and "[decimal-slip]" in log["H3"].comment.text
    # Fixed: nothing is noted.
    clean = tmp_path / "clean.xlsx"
    assert _check(write_csv(tmp_path / "fixed", copy.deepcopy(BASELINE)), clean, AS_OF.isoformat()).exit_code == 0
    assert not [c for ws in openpyxl.load_workbook(clean) for row in ws.iter_rows() for c in row if c.comment]


def test_xlsx_needs_out(tmp_path):
    source = write_xlsx(tmp_path / "b.xlsx", copy.deepcopy(BASELINE))
    result = CliRunner().invoke(main, ["check", "--source", str(source), "--format", "xlsx"])
    assert result.exit_code == 2 and "--out" in result.output
