"""`python -m sync read`: what Campus Desk sees in a source, held to the readers themselves.

Run as a user runs it (a subprocess), on an .xlsx workbook, a .csv folder and Google Sheets
through the fake Sheets server; each time the printed tabs are the reader's tables, cell for
cell, and the cells typed as text come back as typed.
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from conftest import ROOT, write_csv, write_xlsx
from fake_sheets import FakeSheets
from sync.read import read_source
from test_gsheets import config, serve
from xlsx_forms import HEADER_ROW, number, sheet_xml, styles_xml, write_book


def sync_read(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sync", "read", *args], capture_output=True, text=True, cwd=ROOT)


def printed(source, *args: str) -> list[dict]:
    out = sync_read("--source", str(source), *args)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    return json.loads(out.stdout)["tabs"]


def trimmed(rows: list[list]) -> list[list[str]]:
    out = []
    for row in rows:
        row = [str(c) for c in row]
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    return out


def same_as_the_reader(tabs: list[dict], source) -> None:
    tables = read_source(source).tables
    assert [t["title"] for t in tabs] == [t.title for t in tables]
    for tab, table in zip(tabs, tables):
        assert tab["rows"] == table.rows(), table.title
        assert all(row == trimmed([row])[0] for row in tab["rows"]), "blank trailing cells are left out"


def test_read_xlsx(tmp_path, sheets):
    path = write_xlsx(tmp_path / "book.xlsx", sheets)
    tabs = printed(path)
    same_as_the_reader(tabs, path)
    gate = next(t for t in tabs if t["title"] == "出入登记")
    assert gate["rows"][0] == trimmed(sheets["出入登记"])[0]


def test_read_csv_folder(tmp_path, sheets):
    folder = write_csv(tmp_path / "csv", sheets)
    tabs = printed(folder)
    same_as_the_reader(tabs, folder)
    assert {t["title"]: t["rows"] for t in tabs} == {title: trimmed(rows) for title, rows in sheets.items()}


def test_read_google(tmp_path, sheets):
    with FakeSheets() as fake:
        serve(fake, sheets)
        path = config(tmp_path, fake)
        tabs = printed(path)
        same_as_the_reader(tabs, path)
    assert {t["title"] for t in tabs} == set(sheets)
    gate = next(t for t in tabs if t["title"] == "出入登记")
    assert gate["rows"][0] == trimmed(sheets["出入登记"])[0]


def test_read_one_sheet_by_id_or_title_as_csv(tmp_path, sheets):
    folder = write_csv(tmp_path / "csv", sheets)
    for name in ("gate_log", "出入登记", "Gate log", " GATE LOG "):
        assert [t["title"] for t in printed(folder, "--sheet", name)] == ["出入登记"]
    out = sync_read("--source", str(folder), "--sheet", "gate_log", "--format", "csv")
    assert out.returncode == 0
    assert list(csv.reader(io.StringIO(out.stdout))) == trimmed(sheets["出入登记"])


def test_read_usage_errors_exit_2(tmp_path, sheets):
    folder = write_csv(tmp_path / "csv", sheets)
    many = sync_read("--source", str(folder), "--format", "csv")
    assert many.returncode == 2 and "--sheet" in many.stderr and "出入登记" in many.stderr
    missing = sync_read("--source", str(folder), "--sheet", "no_such_tab")
    assert missing.returncode == 2 and "no_such_tab" in missing.stderr and "Traceback" not in missing.stderr
    gone = sync_read("--source", str(tmp_path / "nothing.xlsx"))
    assert gone.returncode == 2 and "Traceback" not in gone.stderr


def test_read_says_why_a_tab_cannot_be_read(tmp_path):
    bad = HEADER_ROW + '<row r="2">' + number("A2", "-1e20", 1) + "</row>"    # a panic inside calamine 0.9.1
    good = HEADER_ROW + '<row r="2">' + number("A2", "43872", 1) + "</row>"
    path = write_book(tmp_path / "bad.xlsx", {"坏": sheet_xml(bad), "好": sheet_xml(good)},
                      parts={"xl/styles.xml": styles_xml([14])})
    tabs = printed(path)
    assert tabs[0]["title"] == "坏" and tabs[0]["rows"] == [] and "damaged" in tabs[0]["unreadable"]
    assert tabs[1] == {"title": "好", "rows": [["a", "b"], ["2020-02-11"]]}
    out = sync_read("--source", str(path), "--sheet", "坏", "--format", "csv")
    assert out.returncode == 2 and "damaged" in out.stderr and "panicked" not in out.stderr


def test_read_of_a_tab_reaching_xfd1048576(tmp_path):
    """Its cells, as any tab's: the far row is there at its place, blank rows are left out."""
    far = HEADER_ROW + '<row r="2">' + number("A2", "1") + '</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = write_book(tmp_path / "far.xlsx", {"远": sheet_xml(far)})
    rows = printed(path)[0]["rows"]
    assert rows[:2] == [["a", "b"], ["1"]] and len(rows) == 3 and rows[2][-1] == "1" and len(rows[2]) == 16384


def test_read_help():
    out = sync_read("--help")
    assert out.returncode == 0 and "--sheet" in out.stdout and "json|csv" in out.stdout


def test_a_csv_that_cannot_be_read_leaves_the_others(tmp_path, sheets):
    """A stray '.csv' that is no file (here a folder) makes only its own sheet unavailable."""
    folder = write_csv(tmp_path / "csv", sheets)
    (folder / "出入登记.csv").unlink()
    (folder / "出入登记.csv").mkdir()
    tabs = {t["title"]: t for t in printed(folder)}
    assert "cannot read" in tabs["出入登记"]["unreadable"] and tabs["出入登记"]["rows"] == []
    assert tabs["值班表"]["rows"] == trimmed(sheets["值班表"])
    out = subprocess.run([sys.executable, "-m", "sync", "check", "--source", str(folder), "--format", "json",
                          "--date", "2020-02-11"], capture_output=True, text=True, cwd=ROOT)
    codes = {(i["code"], i["sheet"]) for i in json.loads(out.stdout)["issues"]}
    assert out.returncode == 1 and ("unreadable-sheet", "gate_log") in codes
    assert not any(code == "missing-sheet" for code, _ in codes)
