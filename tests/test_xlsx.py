"""The workbook reader (python-calamine + gaps.py) on the forms real programs write.

Each form is built by hand (tests/xlsx_forms.py) where no library writes it; xlsxwriter and
openpyxl stand for themselves. The contract: every cell as the text the validator receives
(dates from the cell's number format as 2020-02-11, numbers as typed, error values as #DIV/0!).
"""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from unittest import mock

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.errors import SourceError
from sync.read import gaps, read_source
from sync.read.xlsx import read_workbook
from xlsx_forms import (CHARTSHEET, HEADER_ROW, MAIN, REL, WORKSHEET, inline, number, sheet_xml, sst_xml, styles_xml,
                        workbook_xml, write_book)

ROOT = Path(__file__).resolve().parent.parent
HEADER = HEADER_ROW


def cells(path: Path) -> dict[str, list[list[str]]]:
    """{tab: rows of texts, header first}, as the validator receives them."""
    out = {}
    for t in read_workbook(path).tables:
        assert t.unreadable is None, t.unreadable
        columns = [c.texts() for c in t.columns]
        out[t.title] = [list(t.header)] + [[col[i] for col in columns] for i in range(t.n_rows)]
    return out


# --- the writers' own files -------------------------------------------------------------------

def test_xlsxwriter_values_read_as_the_contract_says(tmp_path):
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("单位日报")
    date, stamp, clock = (wb.add_format({"num_format": f}) for f in ("yyyy-mm-dd", "yyyy-mm-dd hh:mm", "hh:mm"))
    ws.write_row(0, 0, ["日期", "时间", "体温", "零报告", "公式", "备注", "钟点", "数"])
    ws.write_number(1, 0, 43872, date)
    ws.write_number(1, 1, 43872.354166666664, stamp)
    ws.write_number(1, 2, 36.5)
    ws.write_boolean(1, 3, True)
    ws.write_formula(1, 4, "=1/0", None, "#DIV/0!")
    ws.write_string(1, 5, "  前后空格 ")
    ws.write_number(1, 6, 0.5, clock)
    ws.write_number(1, 7, 7)
    ws.write_formula(2, 4, "=A1", None, "#N/A")
    wb.close()
    assert cells(path)["单位日报"][1:] == [
        ["2020-02-11", "2020-02-11 08:30:00", "36.5", "TRUE", "#DIV/0!", "  前后空格 ", "12:00:00", "7"],
        ["", "", "", "", "#N/A", "", "", ""]]


def test_openpyxl_workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "开放"
    ws.append(["日期", "时间", "姓名", "数量"])
    ws.append([dt.date(2020, 2, 11), dt.time(8, 30), "Anna & <Petrova>", 120])
    ws.append([dt.datetime(2020, 2, 11, 9, 10), None, "a\nb", 0.25])
    path = tmp_path / "openpyxl.xlsx"
    wb.save(path)
    assert cells(path)["开放"][1:] == [["2020-02-11", "08:30:00", "Anna & <Petrova>", "120"],
                                      ["2020-02-11 09:10:00", "", "a\nb", "0.25"]]


def test_demo_workbook_reads_every_tab():
    book = read_source(ROOT / "examples" / "demo.xlsx")
    assert len(book.tables) > 5 and sum(t.n_rows for t in book.tables) > 100
    assert all(t.unreadable is None for t in book.tables)


# --- forms written by hand ----------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["x:", "main:"])
def test_namespace_prefixed_workbook_rels_and_sheet(tmp_path, prefix):
    """Tencent Docs and OpenXML SDK exports prefix every element: every tab is still found."""
    p = prefix
    rows = (f'<{p}row r="1"><{p}c r="A1" t="inlineStr"><{p}is><{p}t>名</{p}t></{p}is></{p}c></{p}row>'
            f'<{p}row r="2"><{p}c r="A2"><{p}v>7</{p}v></{p}c><{p}c r="B2" t="e"><{p}v>#REF!</{p}v></{p}c></{p}row>')
    path = write_book(tmp_path / "prefixed.xlsx", {"表": sheet_xml(rows, p), "二": sheet_xml(rows, p)}, prefix=p)
    assert b"<" + p.encode() + b"sheet " in zipfile.ZipFile(path).read("xl/workbook.xml")
    assert cells(path) == {"表": [["名", ""], ["7", "#REF!"]], "二": [["名", ""], ["7", "#REF!"]]}


def test_carriage_returns_in_shared_strings_read_as_xml_says(tmp_path):
    """A raw CR LF or CR inside a string is a line end to any XML parser: LF."""
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
    sst = sst_xml(["<t>a\r\nb</t>", '<t xml:space="preserve">c\rd</t>', "<t>e&#13;&#10;f</t>"])
    path = write_book(tmp_path / "cr.xlsx", {"s": sheet_xml(rows)}, parts={"xl/sharedStrings.xml": sst})
    assert cells(path)["s"] == [["a\nb", "c\nd", "e\r\nf"]]


EAST_ASIAN = [*range(27, 37), *range(50, 59)]


def test_east_asian_builtin_date_formats_are_dates(tmp_path):
    """Built-in formats 27-36 and 50-58 (年/月/日 in Chinese Excel and WPS) carry no format code
    in styles.xml: they are dates all the same; 14 and 22 too, and 46 ([h]:mm:ss) is a duration."""
    formats = EAST_ASIAN + [14, 22, 46]
    row = "".join(number(f"{_col(i)}2", "43872", i + 1) for i in range(len(formats)))
    row3 = "".join(number(f"{_col(i)}3", "43872.5", i + 1) for i in range(len(formats)))
    path = write_book(tmp_path / "ea.xlsx", {"s": sheet_xml(HEADER + f'<row r="2">{row}</row><row r="3">{row3}</row>')},
                      parts={"xl/styles.xml": styles_xml(formats)})
    got = cells(path)["s"]
    assert got[1] == ["2020-02-11"] * (len(formats) - 1) + ["1052928:00:00"]
    assert got[2] == ["2020-02-11 12:00:00"] * (len(formats) - 1) + ["1052940:00:00"]


def _col(i: int) -> str:
    return chr(65 + i) if i < 26 else "A" + chr(65 + i - 26)


def test_conditional_format_numbers_are_not_cell_formats(tmp_path):
    """A dxf (the look of a conditional format) with a date format does not make its cells dates."""
    dxfs = '<dxfs count="1"><dxf><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></dxf></dxfs>'
    rows = HEADER + '<row r="2">' + number("A2", "43872", 1) + number("B2", "43872") + "</row>"
    path = write_book(tmp_path / "dxf.xlsx", {"s": sheet_xml(rows)}, parts={"xl/styles.xml": styles_xml([2], dxfs=dxfs)})
    assert cells(path)["s"][1] == ["43872", "43872"]


def test_empty_values_do_not_widen_the_tab(tmp_path):
    """<v/> and <v></v> (formulas not yet calculated) are empty cells: the tab stays two wide."""
    rows = HEADER + '<row r="2"><c r="A2"><v>1</v></c><c r="D2"><v/></c><c r="F2" t="s"><v></v></c><c r="H2" t="str"><v/></c></row>'
    assert cells(write_book(tmp_path / "v.xlsx", {"s": sheet_xml(rows)}))["s"] == [["a", "b"], ["1", ""]]


def test_excel_escapes_decode_once(tmp_path):
    """_x000D_ is Excel's escape of a CR; _x005F_ escapes the underscore itself."""
    rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c>' + inline("B1", "a_x000D_b") + "</row>")
    sst = sst_xml(["<t>c_x000D_d_x005F_x0041_</t>"])
    path = write_book(tmp_path / "x.xlsx", {"s": sheet_xml(rows)}, parts={"xl/sharedStrings.xml": sst})
    assert cells(path)["s"] == [["c\rd_x0041_", "a\rb"]]


def test_1904_dates(tmp_path):
    """Excel for Mac's 1904 date system: serial 42410 is 2020-02-11 there."""
    rows = HEADER + '<row r="2">' + number("A2", "42410", 1) + number("B2", "0.5", 1) + "</row>"
    path = write_book(tmp_path / "1904.xlsx", {"s": sheet_xml(rows)}, parts={"xl/styles.xml": styles_xml([14])},
                      date1904=True)
    assert cells(path)["s"][1] == ["2020-02-11", "12:00:00"]


def test_chart_sheets_are_not_tabs(tmp_path):
    """A chartsheet holds no cells: it is left out, and the worksheets around it are read."""
    chart = (f'<?xml version="1.0" encoding="UTF-8"?><chartsheet xmlns="{MAIN}" xmlns:r="{REL}">'
             '<sheetViews><sheetView workbookViewId="0"/></sheetViews></chartsheet>')
    path = write_book(tmp_path / "chart.xlsx", {"数据": sheet_xml(HEADER), "图": chart, "后": sheet_xml(HEADER)},
                      kinds=[WORKSHEET, CHARTSHEET, WORKSHEET])
    assert list(cells(path)) == ["数据", "后"]


def test_xlsxwriter_chartsheet(tmp_path):
    path = tmp_path / "chart.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数据")
    ws.write_column(0, 0, ["体温", 36.5, 37.25])
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=数据!$A$2:$A$3"})
    wb.add_chartsheet("图").set_chart(chart)
    wb.close()
    assert cells(path) == {"数据": [["体温"], ["36.5"], ["37.25"]]}


def test_rich_text_joins_its_runs(tmp_path):
    """Rich text, shared and inline, is its runs' text; Japanese phonetic guides (<rPh>) are left out."""
    rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><r><rPr><b/></rPr><t>红</t></r>'
            '<r><t xml:space="preserve"> 色</t></r></is></c></row>')
    sst = sst_xml(['<r><rPr><b/></rPr><t>红</t></r><r><t xml:space="preserve"> 色 </t></r><rPh sb="0" eb="1"><t>ホン</t></rPh>'])
    path = write_book(tmp_path / "rich.xlsx", {"s": sheet_xml(rows)}, parts={"xl/sharedStrings.xml": sst})
    assert cells(path)["s"] == [["红 色 ", "红 色"]]


def test_cells_without_references_follow_each_other(tmp_path):
    """Some exporters leave out r= on cells (and rows): each cell is the next one along."""
    rows = ('<row><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c></row>'
            '<row><c><v>1</v></c><c><v>2</v></c></row><row r="5"><c><v>3</v></c></row>')
    assert cells(write_book(tmp_path / "norefs.xlsx", {"s": sheet_xml(rows)}))["s"] == \
        [["a", "b"], ["1", "2"], ["", ""], ["", ""], ["3", ""]]


def test_inline_and_formula_strings_and_booleans(tmp_path):
    rows = HEADER + ('<row r="2"><c r="A2" t="str"><f>A1</f><v>x</v></c><c r="B2" t="b"><v>1</v></c></row>'
                     + '<row r="3">' + inline("A3", " 空格 ", space=True) + '<c r="B3" t="b"><v>0</v></c></row>')
    assert cells(write_book(tmp_path / "str.xlsx", {"s": sheet_xml(rows)}))["s"][1:] == [["x", "TRUE"], [" 空格 ", "FALSE"]]


# --- hostile workbooks --------------------------------------------------------------------------

def test_not_a_workbook_is_a_source_error_a_person_understands(tmp_path):
    bad = tmp_path / "book.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(SourceError) as caught:
        read_workbook(bad)
    assert str(bad) in str(caught.value) and "not an .xlsx workbook, or it is damaged" in str(caught.value)
    assert "EOCD" not in str(caught.value)


def _far(path: Path, far_cell: str) -> Path:
    far_row = "".join(c for c in far_cell.split('r="')[1].split('"')[0] if c.isdigit())
    rows = HEADER + '<row r="2">' + number("A2", "1") + "</row>" + f'<row r="{far_row}">{far_cell}</row>'
    return write_book(path, {"远": sheet_xml(rows), "好": sheet_xml(HEADER + '<row r="2">' + number("A2", "2") + "</row>")})


def test_a_value_at_xfd1048576_is_read_in_memory_of_the_cells_present(tmp_path):
    """calamine would ask for 512 GiB and abort the process: gaps keeps the tab from it and it is
    read row by row (sparse.py), each cell at its place, blank rows left out; the other tab is read
    by calamine. In a fresh process, to measure its peak memory."""
    import subprocess
    import sys
    path = _far(tmp_path / "far.xlsx", '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>')
    probe = ("import sys; from pathlib import Path; from sync.read.xlsx import read_workbook\n"
             "far, good = read_workbook(Path(sys.argv[1])).tables\n"
             "print(far.unreadable, far.header[:3], far.row_numbers.tolist(), len(far.header), len(far.columns),"
             " far.columns[0].texts(), far.columns[-1].texts(), good.columns[0].texts(),"
             # VmHWM, not ru_maxrss: a child spawned by vfork inherits its parent's high-water mark
             # through exec, and late in the suite pytest itself holds more than the limit
             " [int(l.split()[1]) // 1024 for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    *seen, peak_mb = out.stdout.rsplit(" ", 1)
    assert " ".join(seen) == "None ['a', 'b', ''] [2, 1048576] 16384 16384 ['1', ''] ['', 'x'] ['2']"
    assert int(peak_mb) < 400


def test_a_far_tab_reads_as_calamine_reads_the_same_cells(tmp_path):
    """The row-by-row read gives the texts calamine gives: dates from the number format, whole
    numbers, error values, negative serials, booleans, a date at midnight."""
    row = ('<row r="2">' + number("A2", "43872", 1) + '<c r="B2" t="e"><v>#DIV/0!</v></c>' + number("C2", "-5", 1)
           + number("D2", "7") + number("E2", "123456789012345678") + number("F2", "36.5") + '<c r="G2" t="b"><v>1</v></c>'
           + number("H2", "43872.354166666664", 2) + number("I2", "0.5", 3) + "</row>")
    styles = {"xl/styles.xml": styles_xml([14, 22, 20])}
    near = write_book(tmp_path / "near.xlsx", {"s": sheet_xml(HEADER + row)}, parts=styles)
    far = write_book(tmp_path / "far.xlsx", {"s": sheet_xml(HEADER + row + '<row r="1048576">' +
                                                            number("XFD1048576", "1") + "</row>")}, parts=styles)
    expected = ["2020-02-11", "#DIV/0!", "-5", "7", "1.2345678901234568e+17", "36.5", "TRUE", "2020-02-11 08:30:00",
                "12:00:00"]
    assert cells(near)["s"][1] == expected
    table = read_workbook(far).tables[0]
    assert table.unreadable is None and [c.texts()[0] for c in table.columns[:9]] == expected


def test_a_far_tab_openpyxl_cannot_read_is_unavailable_alone(tmp_path):
    """A far tab whose XML openpyxl refuses: that tab says why, the other tab is read."""
    path = _far(tmp_path / "far.xlsx", '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>')
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            out.writestr(info, data.replace(b"</sheetData>", b"<row r=\"3\"><c r=\"A3\"><v>1</v></c>")
                         if b"XFD1048576" in data else data)
    far, good = read_workbook(broken).tables
    assert "XFD1048576" in far.unreadable and "delete the stray cells" in far.unreadable and far.n_rows == 0
    assert good.unreadable is None and good.columns[0].texts() == ["2"]


def test_a_formatted_empty_cell_at_xfd1048576_costs_nothing(tmp_path):
    """Excel's used range often reaches a formatted cell with no value: the tab reads as its data."""
    path = _far(tmp_path / "far.xlsx", '<c r="XFD1048576" s="0"/>')
    assert cells(path)["远"] == [["a", "b"], ["1", ""]]


# --- where calamine 0.9 is wrong: put right in gaps.py --------------------------------------------

def _utf16(xml: str) -> bytes:
    return xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml",
                                  "xl/sharedStrings.xml"])
def test_utf16_parts(tmp_path, part):
    """calamine refuses a UTF-16 workbook.xml, rels or string table and reads a UTF-16 sheet as
    empty: the workbook is read from a copy with those parts in UTF-8, every tab and cell there."""
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c>' + inline("B1", "二") + "</row><row r=\"2\">" + \
        number("A2", "7") + '<c r="B2" t="e"><v>#DIV/0!</v></c></row>'
    source = write_book(tmp_path / "utf8.xlsx", {"十六": sheet_xml(rows), "二": sheet_xml(rows)},
                        parts={"xl/sharedStrings.xml": sst_xml(["<t>共享</t>"])})
    with zipfile.ZipFile(source) as archive:
        original = archive.read(part).decode("utf-8")
    path = write_book(tmp_path / "utf16.xlsx", {"十六": sheet_xml(rows), "二": sheet_xml(rows)},
                      parts={"xl/sharedStrings.xml": sst_xml(["<t>共享</t>"]), part: _utf16(original)})
    assert zipfile.ZipFile(path).read(part)[:2] == b"\xff\xfe"
    expected = [["共享", "二"], ["7", "#DIV/0!"]]
    assert cells(path) == {"十六": expected, "二": expected}


def test_negative_date_serials_stay_numbers(tmp_path):
    """calamine reads -5 in a date format as 00:00:00; Excel shows ####: the number as typed."""
    rows = HEADER + ('<row r="2">' + number("A2", "-5", 1) + number("B2", "-0.5", 2) + number("C2", "-1.25", 3)
                     + number("D2", "-3") + number("E2", "43872", 1) + "</row>")
    path = write_book(tmp_path / "neg.xlsx", {"s": sheet_xml(rows)}, parts={"xl/styles.xml": styles_xml([14, 20, 46])})
    assert cells(path)["s"][1] == ["-5", "-0.5", "-1.25", "-3", "2020-02-11"]


def test_error_values_keep_their_text_in_every_form(tmp_path):
    """calamine hands error cells over as '': found again with or without r=, prefixed, in any
    attribute order."""
    rows = (HEADER + '<row r="2"><c t="e" r="A2"><f>1/0</f><v>#DIV/0!</v></c><c r="B2" s="0" t="e"><v>#N/A</v></c></row>'
            '<row><c t="e"><v>#REF!</v></c><c><v>-2</v></c><c t="e"><v>#NAME?</v></c></row>')
    assert cells(write_book(tmp_path / "errors.xlsx", {"s": sheet_xml(rows)}))["s"] == \
        [["a", "b", ""], ["#DIV/0!", "#N/A", ""], ["#REF!", "-2", "#NAME?"]]


def test_single_quoted_attributes_are_searched_too(tmp_path):
    """XML allows r='A2': gaps' quick byte tests (memchr for the rare byte first) must not let an
    error value, a negative serial or a far cell in that form slip past. The far cell in a fresh
    process: were it missed, calamine would abort the process."""
    import subprocess
    import sys
    rows = (HEADER + "<row r='2'><c r='A2' t='e'><v>#REF!</v></c><c r='B2' s='1'><v>-5</v></c></row>")
    styles = {"xl/styles.xml": styles_xml([14])}
    assert cells(write_book(tmp_path / "quoted.xlsx", {"s": sheet_xml(rows)}, parts=styles))["s"][1] == ["#REF!", "-5"]
    far = write_book(tmp_path / "far.xlsx", {"s": sheet_xml(rows + "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>")},
                     parts=styles)
    probe = ("import sys; from pathlib import Path; from sync.read.xlsx import read_workbook\n"
             "t = read_workbook(Path(sys.argv[1])).tables[0]\n"
             "print(t.unreadable, t.row_numbers.tolist(), t.columns[0].texts(), t.columns[1].texts(), t.columns[-1].texts())")
    out = subprocess.run([sys.executable, "-c", probe, str(far)], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == "None [2, 1048576] ['#REF!', ''] ['-5', ''] ['', '1']".split()


def _panicking(path: Path, bad: str = "坏") -> Path:
    """A real Rust panic inside calamine 0.9.1: -1e20 in a date format overflows chrono's TimeDelta."""
    rows = HEADER + '<row r="2">' + number("A2", "-1e20", 1) + "</row>"
    good = HEADER + '<row r="2">' + number("A2", "5") + "</row>"
    return write_book(path, {bad: sheet_xml(rows), "好": sheet_xml(good)}, parts={"xl/styles.xml": styles_xml([14])})


def test_a_panic_in_calamine_makes_its_tab_unreadable_not_a_traceback(tmp_path):
    bad, good = read_workbook(_panicking(tmp_path / "panic.xlsx")).tables
    assert bad.title == "坏" and "panic.xlsx" in bad.unreadable and "坏" in bad.unreadable
    assert good.unreadable is None and good.columns[0].texts() == ["5"]


def test_a_panic_is_a_source_error_naming_the_file(tmp_path):
    """PanicException derives from BaseException, not Exception: caught all the same."""
    from python_calamine import CalamineWorkbook
    from sync.read.xlsx import _call
    path = _panicking(tmp_path / "panic.xlsx")
    book = CalamineWorkbook.from_path(str(path))
    try:
        book.get_sheet_by_name("坏").to_python()
    except BaseException as exc:            # noqa: B036 - the point of the test
        panic = exc
    assert not isinstance(panic, Exception) and type(panic).__name__ == "PanicException"

    def opening():
        raise panic
    with pytest.raises(SourceError, match="not an .xlsx workbook, or it is damaged") as caught:
        _call(path, opening)
    assert str(path) in str(caught.value)
    with pytest.raises(KeyboardInterrupt):
        _call(path, lambda: (_ for _ in ()).throw(KeyboardInterrupt()))


def test_check_of_a_workbook_with_an_unreadable_tab_names_it(tmp_path):
    """Through the CLI: no traceback; the tab's sheet is reported unreadable, the others checked."""
    import subprocess
    import sys
    import json
    path = _panicking(tmp_path / "panic.xlsx", bad="出入登记")
    out = subprocess.run([sys.executable, "-m", "sync", "check", "--source", str(path), "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert "Traceback" not in out.stderr and out.returncode == 1
    found = [i for i in json.loads(out.stdout)["issues"] if i["code"] == "unreadable-sheet"]
    assert [(i["sheet"], i["tab"]) for i in found] == [("gate_log", "出入登记")]
    assert "panic.xlsx" in found[0]["value"] and "PanicException" not in out.stdout


@pytest.mark.parametrize("backtrace", ["0", "1"])
def test_no_panic_report_reaches_stderr(tmp_path, backtrace):
    """Rust's panic hook prints its report before pyo3 raises: check says which tab, and only that."""
    import os
    import subprocess
    import sys
    path = _panicking(tmp_path / "panic.xlsx", bad="出入登记")
    out = subprocess.run([sys.executable, "-m", "sync", "check", "--source", str(path), "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT, env={**os.environ, "RUST_BACKTRACE": backtrace})
    assert out.returncode == 1 and "unreadable-sheet" in out.stdout
    assert "panicked" not in out.stderr and "backtrace" not in out.stderr and "chrono" not in out.stderr


def test_other_stderr_output_of_a_read_still_arrives(capfd):
    """Only the panic report is held back: anything else written to fd 2 during a read follows it."""
    import os
    from sync.read.xlsx import _panic_reports_dropped
    with _panic_reports_dropped():
        os.write(2, b"before\n")
        os.write(2, b"thread '<unnamed>' (42) panicked at src/lib.rs:1:2:\nout of bounds\n"
                    b"note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n")
        os.write(2, b"after\n")
        assert capfd.readouterr().err == ""
    assert capfd.readouterr().err == "before\nafter\n"


# --- other formats calamine reads -----------------------------------------------------------------

def test_ods_as_libreoffice_saves_it(tmp_path):
    """Dates, times, numbers, booleans, repeated empty cells; =1/0 is stored as the float 0 marked
    calcext:value-type="error", which calamine reads as 0: read as #DIV/0!."""
    from xlsx_forms import ods_cell, write_ods
    row = "<table:table-row>{}</table:table-row>".format
    rows = [row(ods_cell("string", "", "日期") + ods_cell("string", "", "体温") + ods_cell("string", "", "错")
                + ods_cell("string", "", "时")),
            row(ods_cell("date", 'office:date-value="2020-02-11"', "2020-02-11") + ods_cell("float", 'office:value="36.5"')
                + '<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" '
                  'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>'
                + ods_cell("time", 'office:time-value="PT08H30M00S"')),
            '<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="4"/></table:table-row>',
            row('<table:table-cell table:number-columns-repeated="2"/>' + ods_cell("float", 'office:value="0"', "0")
                + ods_cell("boolean", 'office:boolean-value="true"')),
            row('<table:table-cell table:number-columns-repeated="2"/>'
                + '<table:table-cell office:value-type="float" office:value="0" calcext:value-type="error">'
                  '<text:p>#N/A</text:p></table:table-cell>')]
    path = write_ods(tmp_path / "book.ods", {"表": rows, "二": rows[:2]})
    expected = [["日期", "体温", "错", "时"], ["2020-02-11", "36.5", "#DIV/0!", "08:30:00"], ["", "", "", ""],
                ["", "", "", ""], ["", "", "0", "TRUE"], ["", "", "#N/A", ""]]
    assert cells(path) == {"表": expected, "二": expected[:2]}


def test_xls_errors_and_negative_dates(tmp_path):
    """An Excel 97-2003 .xls: calamine reads its error cells as '' and -5 in a date format as
    00:00:00; xlrd finds both (gaps.xls_gaps)."""
    import xlwt
    book = xlwt.Workbook()
    ws = book.add_sheet("表")
    dates = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for c, title in enumerate(["日期", "体温", "错", "是"]):
        ws.write(0, c, title)
    ws.write(1, 0, dt.date(2020, 2, 11), dates)
    ws.write(1, 1, 36.5)
    ws.row(1).set_cell_error(2, "#DIV/0!")
    ws.write(1, 3, True)
    ws.write(2, 0, -5, dates)
    ws.row(2).set_cell_error(2, "#REF!")
    book.add_sheet("二").write(0, 0, "只")
    path = tmp_path / "book.xls"
    book.save(str(path))
    assert cells(path) == {"表": [["日期", "体温", "错", "是"], ["2020-02-11", "36.5", "#DIV/0!", "TRUE"],
                                 ["-5", "", "#REF!", ""]], "二": [["只"]]}


# --- gaps.py against random workbooks -------------------------------------------------------------

ERRORS = ["#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"]


@st.composite
def _books(draw):
    """{title: {(row, col): (kind, value)}}: error results, negative and positive date serials,
    numbers and text scattered over a few tabs."""
    cell = st.one_of(st.tuples(st.just("error"), st.sampled_from(ERRORS)),
                     st.tuples(st.just("date"), st.integers(-80_000, 80_000)),
                     st.tuples(st.just("number"), st.integers(-10 ** 6, 10 ** 6)),
                     st.tuples(st.just("text"), st.text("ab张-_ e", min_size=1, max_size=6)))
    titles = draw(st.lists(st.sampled_from(["甲", "乙", "Sheet 3", "A&B"]), min_size=1, max_size=3, unique=True))
    return {t: draw(st.dictionaries(st.tuples(st.integers(1, 40), st.integers(0, 30)), cell, max_size=30))
            for t in titles}


def _expected(kind, value) -> str:
    if kind == "error":
        return value
    if kind == "date":
        return (dt.date(1899, 12, 30) + dt.timedelta(days=value)).isoformat() if value >= 61 else \
            str(value) if value < 0 else None
    return str(value)


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(book=_books(), chunk=st.sampled_from([64, 300, 8 << 20]), inline=st.booleans())
def test_errors_and_negative_serials_land_on_their_cells(tmp_path_factory, book, chunk, inline):
    """Wherever they sit and however the XML is cut into chunks, error values and negative date
    serials come back on their own cells, and nothing else changes."""
    path = tmp_path_factory.mktemp("gaps") / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": inline})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for title, cells_ in book.items():
        ws = wb.add_worksheet(title)
        ws.write_string(0, 0, "header")
        for (r, c), (kind, value) in sorted(cells_.items()):
            if kind == "error":
                ws.write_formula(r, c, "=1/0", None, value)
            elif kind == "date":
                ws.write_number(r, c, value, date)
            elif kind == "number":
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, value)
    wb.close()
    with mock.patch.object(gaps, "_CHUNK", chunk):
        got = cells(path)
    for title, cells_ in book.items():
        rows = got[title]
        for (r, c), (kind, value) in cells_.items():
            want = _expected(kind, value)
            if want is not None:            # serials 0-60 (1900's leap-year bug) are calamine's business
                assert rows[r][c] == want, (title, r, c, kind, value)
