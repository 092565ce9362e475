"""The fast .xlsx reader (sheetxml + xlsxtext) against calamine, which it stands in for.

The contract: for every workbook read_plain either raises Unsupported (or BadValue) or gives
exactly what calamine gives, tab by tab, row by row; read_workbook falls back to calamine on
anything the fast path refuses. Workbooks are real files from xlsxwriter and openpyxl.
"""
from __future__ import annotations

import copy
import io
import re
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import openpyxl
import pyarrow as pa
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.errors import SourceError
from sync.issues import column_letter
from sync.read import calamine, sheetxml, xlsx, xlsxtext
from sync.read.sheetxml import Unsupported
from sync.read.xlsx import read_plain, read_workbook

ROOT = Path(__file__).resolve().parent.parent
SHEET1 = "xl/worksheets/sheet1.xml"
HYPOTHESIS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- comparing workbooks ---------------------------------------------------------------------

def same(got, expected) -> None:
    """got and expected have the same tabs in the same order, and each the same header, number
    of rows and text per cell; the message names the first tab, cell and texts that differ."""
    titles = [t.title for t in got.tables], [t.title for t in expected.tables]
    assert titles[0] == titles[1], f"tab titles differ: got {titles[0]!r}, expected {titles[1]!r}"
    for g, e in zip(got.tables, expected.tables):
        where = f"tab {g.title!r}"
        assert len(g.header) == len(e.header), \
            f"{where}: {len(g.header)} columns, expected {len(e.header)} (header {g.header!r} vs {e.header!r})"
        for c, (gh, eh) in enumerate(zip(g.header, e.header)):
            assert gh == eh, f"{where} cell {column_letter(c)}1 (header): got {gh!r}, expected {eh!r}"
        assert g.n_rows == e.n_rows, f"{where}: {g.n_rows} data rows, expected {e.n_rows}"
        assert len(g.columns) == len(g.header) and len(e.columns) == len(e.header), f"{where}: columns vs header"
        for c, (gc, ec) in enumerate(zip(g.columns, e.columns)):
            gt, et = gc.texts(), ec.texts()
            assert len(gt) == g.n_rows and len(et) == e.n_rows, f"{where} column {column_letter(c)}: length"
            for i, (a, b) in enumerate(zip(gt, et)):
                assert a == b, f"{where} cell {column_letter(c)}{i + 2}: got {a!r}, expected {b!r}"


def test_same_names_the_first_difference():
    """The helper itself: equal books pass, and a difference is reported by tab and cell."""
    from sync.read.table import RawTable, Workbook

    def book(rows):
        return Workbook(source="x", tables=[RawTable.from_rows("表", "x", rows)])
    same(book([["a", "b"], ["1", "2"]]), book([["a", "b"], ["1", "2"]]))
    with pytest.raises(AssertionError, match=r"tab '表' cell B3: got '3', expected '4'"):
        same(book([["a", "b"], ["1", "2"], ["", "3"]]), book([["a", "b"], ["1", "2"], ["", "4"]]))
    with pytest.raises(AssertionError, match=r"cell A1 \(header\)"):
        same(book([["a"]]), book([["b"]]))
    with pytest.raises(AssertionError, match="data rows"):
        same(book([["a"], ["1"]]), book([["a"]]))


@contextmanager
def block_size(size: int):
    """sheetxml reads and cuts blocks of `size` bytes, so that block boundaries fall anywhere."""
    with mock.patch.object(sheetxml, "BLOCK", size):
        yield


def agree(path: Path, sizes=(64, 200)) -> None:
    """read_plain gives calamine's workbook, with the usual block size and with tiny ones."""
    expected = calamine.read_workbook(path)
    same(read_plain(path), expected)
    for size in sizes:
        with block_size(size):
            same(read_plain(path), expected)


def _rewrite(source: Path, target: Path, member: str, change) -> Path:
    """A copy of the workbook with one zip member's bytes passed through change()."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(copy.copy(info), change(data) if info.filename == member else data)
    return target


# --- generated workbooks: xlsxwriter ---------------------------------------------------------

FORMATS = ["yyyy-mm-dd", "yyyy-mm-dd hh:mm", "hh:mm", "hh:mm:ss", "[h]:mm", 'yyyy"年"m"月"d"日"', "0.00", "@",
           "0%", "[$-804]yyyy/m/d", "m/d/yy h:mm AM/PM", "[h]:mm:ss", "General"]
ERRORS = ["#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"]
TRICKY = ["", " ", "  both  ", "a\nb", "\t", "\r\n", "\x01", "\x1f", "a\x00b", "_x0041_", "_x000D_", "_x005F_",
          "x_x0041_y", "&amp;", "&#13;", "&<>\"'", "<t>", "]]>", "张三", "备注：无", "  体温 ", "#DIV/0!", "TRUE",
          "36.5", "0192010001", "=1+1", "\u3000", "😷", "\u0085", "\u2028"]
TEXTS = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=10),
    st.text(alphabet="ab 张&<>\"'\n\t\x01_x0041D;", max_size=12),
)
# xlsxwriter writes a formula's string result as it is, control characters and all; a raw CR is
# refused by the fast path (see the fallback tests) and the others are not XML at all.
FORMULA_TEXTS = TEXTS.filter(lambda s: s and not re.search("[\x00-\x08\x0b-\x1f]", s))
NUMBERS = st.one_of(
    st.sampled_from([0, 7, 7.0, -3, 36.5, 1e-7, 0.1 + 0.2, 2 ** 53, 10 ** 15, 123456789012345678, 1e300, -0.0]),
    st.integers(-10 ** 12, 10 ** 12),
    st.floats(allow_nan=False, allow_infinity=False),
)
SERIALS = st.one_of(                   # whole days and minutes from 1899-12-31 to 2119; negative ones differ
    st.integers(0, 80_000),
    st.integers(0, 80_000 * 1440).map(lambda m: m / 1440),
    st.sampled_from([0, 0.5, 1, 59, 59.5, 60, 60.25, 61, 43872, 43872.354166666664, 1 / 1440, 1439 / 1440]),
)
CELLS = st.one_of(
    st.tuples(st.just("string"), TEXTS),
    st.tuples(st.just("number"), NUMBERS),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("formatted"), SERIALS, st.sampled_from(FORMATS)),
    st.tuples(st.just("formula"), st.one_of(NUMBERS, FORMULA_TEXTS, st.sampled_from(ERRORS), st.booleans())),
    st.tuples(st.just("blank"), st.sampled_from(FORMATS)),      # a formatted cell without a value
    st.tuples(st.just("url"), st.sampled_from(["https://example.org/a?b=1&c=2", "mailto:x@example.org"])),
)
TITLES = ["Sheet1", "单位日报", "A&B", "x<y>z", 'say "hi"', "it's", "数据 2", "   ", "#1"]


@st.composite
def sheets(draw):
    """{title: {(row, col): cell}}: a few tabs of sparse cells, with empty rows and columns between."""
    titles = draw(st.lists(st.sampled_from(TITLES), min_size=1, max_size=3, unique=True))
    book = {}
    for title in titles:
        rows = draw(st.sampled_from([3, 6, 14]))
        book[title] = draw(st.dictionaries(st.tuples(st.integers(0, rows), st.integers(0, 6)), CELLS, max_size=24))
    return book


def write(path: Path, book: dict, options: dict | None = None) -> Path:
    """The generated book as a real .xlsx, cells written in row order (constant_memory needs it)."""
    workbook = xlsxwriter.Workbook(str(path), options or {})
    formats = {}

    def fmt(code):
        if code not in formats:
            formats[code] = workbook.add_format({"num_format": code})
        return formats[code]
    for title, cells in book.items():
        ws = workbook.add_worksheet(title)
        for (r, c), cell in sorted(cells.items()):
            kind, *args = cell
            if kind == "string":
                ws.write_string(r, c, args[0])
            elif kind == "number":
                ws.write_number(r, c, args[0])
            elif kind == "bool":
                ws.write_boolean(r, c, args[0])
            elif kind == "formatted":
                ws.write_number(r, c, args[0], fmt(args[1]))
            elif kind == "formula":
                ws.write_formula(r, c, "=A1", None, args[0])
            elif kind == "blank":
                ws.write_blank(r, c, None, fmt(args[0]))
            elif kind == "url":
                ws.write_url(r, c, args[0])
    workbook.close()
    return path


MODES = {"shared strings": {}, "inline strings": {"constant_memory": True}, "1904": {"date_1904": True},
         "inline 1904": {"constant_memory": True, "date_1904": True}}


@pytest.mark.parametrize("mode", MODES)
@settings(HYPOTHESIS, max_examples=50)
@given(book=sheets(), size=st.integers(6, 400))
def test_generated_workbooks_read_as_calamine_reads_them(tmp_path_factory, mode, book, size):
    """Strings with escapes and control characters, numbers, booleans, date/time/duration formats,
    formula results and gaps: the fast path gives calamine's texts cell for cell, whatever the
    block size."""
    path = write(tmp_path_factory.mktemp("gen") / "book.xlsx", book, MODES[mode])
    agree(path, sizes=(size,))


def test_edge_values_read_as_calamine_reads_them(tmp_path):
    """A fixed workbook with the values most likely to differ, so a failure needs no shrinking."""
    book = {"边界": {}}
    cells = book["边界"]
    for c, text in enumerate(TRICKY[1:]):
        cells[(0, c)] = ("string", text)
    for c, number in enumerate([7, 7.0, 36.5, 1e-7, 2 ** 53, 123456789012345678, -0.0, 1e300, 0.1 + 0.2]):
        cells[(1, c)] = ("number", number)
    for r, code in enumerate(FORMATS, start=2):
        for c, serial in enumerate([0, 0.5, 1, 59, 59.5, 60, 60.25, 61, 43872, 43872.354166666664, 73050.999988]):
            cells[(r, c)] = ("formatted", serial, code)
    r = 2 + len(FORMATS)
    for c, value in enumerate([3, "abc", "#DIV/0!", True, False, "_x0041_", 36.5]):
        cells[(r, c)] = ("formula", value)
    cells[(r + 3, 9)] = ("blank", "0.00")
    for options in MODES.values():
        agree(write(tmp_path / "edge.xlsx", book, options))


def test_stored_zip_members_read_as_calamine_reads_them(tmp_path):
    """Members stored without compression take the same path (no inflater) and read the same."""
    source = _plain_sheet(tmp_path / "plain.xlsx")
    path = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as new:
        for info in old.infolist():
            stored = copy.copy(info)
            stored.compress_type = zipfile.ZIP_STORED
            new.writestr(stored, old.read(info))
    assert zipfile.ZipFile(path).getinfo(SHEET1).compress_type == zipfile.ZIP_STORED
    agree(path)
    same(read_plain(path), read_plain(source))


# --- openpyxl --------------------------------------------------------------------------------

def test_openpyxl_workbook_reads_as_calamine_reads_it(tmp_path):
    """openpyxl writes inline strings with t="n" dates and its own styles: the same texts as calamine."""
    import datetime as dt
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "开放"
    ws.append(["日期", "时间", "姓名", "体温", "零报告", "数量", "备注"])
    ws.append([dt.date(2020, 2, 11), dt.time(8, 30), "李明", 36.5, True, 120, "  前后空格 "])
    ws.append([dt.datetime(2020, 2, 11, 9, 10), dt.time(23, 59, 59), "Anna & <Petrova>", 37.25, False, 0, "a\nb"])
    ws.append([None, None, None, None, None, None, None])
    ws.append([dt.date(1999, 12, 31), None, "", 1e-7, None, 2 ** 40, "_x0041_ _x000D_"])
    ws["J7"] = "far"
    ws["B9"] = dt.timedelta(hours=30, minutes=15)
    ws["C9"].number_format = "[h]:mm:ss"
    ws["C9"] = 1.25
    ws["D9"] = 0.75
    ws["D9"].number_format = 'yyyy"年"m"月"d"日"'
    second = wb.create_sheet("Second")
    second["A1"] = "only"
    second["C5"] = 5
    wb.create_sheet("空")
    path = tmp_path / "openpyxl.xlsx"
    wb.save(path)
    agree(path)


# --- the demo --------------------------------------------------------------------------------

def test_demo_workbook_takes_the_fast_path_and_matches_calamine():
    """examples/demo.xlsx is in the plain form (read_plain does not refuse it) and reads the same."""
    path = ROOT / "examples" / "demo.xlsx"
    plain = read_plain(path)
    assert len(plain.tables) > 1 and sum(t.n_rows for t in plain.tables) > 100
    same(plain, calamine.read_workbook(path))
    with mock.patch.object(calamine, "read_workbook", side_effect=AssertionError("fell back to calamine")):
        same(read_workbook(path), plain)


# --- fallbacks -------------------------------------------------------------------------------

def _plain_sheet(path: Path, options=None) -> Path:
    wb = xlsxwriter.Workbook(str(path), options or {})
    ws = wb.add_worksheet("表一")
    ws.write_row(0, 0, ["姓名", "体温", "日期", "备注"])
    ws.write_row(1, 0, ["李明", 36.5])
    ws.write_number(1, 2, 43872, wb.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write_string(1, 3, "CRMARK")
    ws.write_row(3, 0, ["Anna", 37.25, None, "a & b"])
    wb.close()
    return path


def falls_back(path: Path):
    """read_plain refuses the workbook and read_workbook gives calamine's reading instead."""
    with pytest.raises(Unsupported):
        read_plain(path)
    expected = calamine.read_workbook(path)
    same(read_workbook(path), expected)
    return expected


def test_inline_rich_string_falls_back_to_calamine(tmp_path):
    """An inline rich string (<is><r>...) is not the plain form."""
    path = tmp_path / "rich.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["名字", "说明"])
    ws.write_string(1, 0, "plain")
    ws.write_rich_string(1, 1, "红", wb.add_format({"bold": True}), "色", " text")
    wb.close()
    expected = falls_back(path)
    assert expected.tables[0].columns[1].texts() == ["红色 text"]


def test_shared_rich_string_is_read_by_the_fast_path(tmp_path):
    """A rich shared string joins its runs in xlsxtext.shared_strings: no fallback, same texts."""
    path = tmp_path / "rich_shared.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["名字", "说明"])
    ws.write_rich_string(1, 1, "红", wb.add_format({"bold": True}), " 色 ", wb.add_format({"italic": True}), "&x")
    wb.close()
    agree(path)
    assert read_plain(path).tables[0].columns[1].texts() == ["红 色 &x"]


def test_pretty_printed_sheet_falls_back_to_calamine(tmp_path):
    """Whitespace and newlines before every tag (an XML pretty-printer's output)."""
    for options in ({}, {"constant_memory": True}):
        source = _plain_sheet(tmp_path / "plain.xlsx", options)
        path = _rewrite(source, tmp_path / "pretty.xlsx", SHEET1,
                        lambda data: re.sub(rb"><(?!/[tv]>)", b">\n    <", data))
        assert b"\n    <c " in zipfile.ZipFile(path).read(SHEET1)
        expected = falls_back(path)
        same(expected, calamine.read_workbook(source))


@settings(HYPOTHESIS, max_examples=40)
@given(book=sheets(), picks=st.lists(st.integers(0, 10 ** 6), max_size=8), inline=st.booleans())
def test_whitespace_anywhere_between_tags_is_refused_or_harmless(tmp_path_factory, book, picks, inline):
    """Whitespace between any two tags (not inside a value) either makes read_plain refuse the
    sheet or gives what calamine reads: it never shifts a value."""
    base = tmp_path_factory.mktemp("ws")
    source = write(base / "book.xlsx", book, {"constant_memory": inline})

    def spaced(data):
        gaps = [m.end() for m in re.finditer(rb'(?<!<t)(?<!<v)(?<!preserve")><', data)]
        for at in sorted({gaps[p % len(gaps)] - 1 for p in picks} if gaps else (), reverse=True):
            data = data[:at] + b"\n " + data[at:]
        return data
    path = _rewrite(source, base / "spaced.xlsx", SHEET1, spaced)
    expected = calamine.read_workbook(path)
    same(expected, calamine.read_workbook(source))         # the spaces change nothing
    try:
        got = read_plain(path)
    except Unsupported:
        return
    same(got, expected)


def _prefixed(data: bytes) -> bytes:
    """Every element of the sheet in the x: prefix, the spreadsheetml namespace declared for it."""
    data = re.sub(rb"<(/?)(?=[A-Za-z])", rb"<\1x:", data)
    return data.replace(b'xmlns="http', b'xmlns:x="http', 1)


def _prefixed_cells(data: bytes) -> bytes:
    """Only the cells and values prefixed, the root declaring x: as the same namespace."""
    ns = re.search(rb'xmlns="([^"]+)"', data).group(1)
    data = data.replace(b"<worksheet ", b'<worksheet xmlns:x="' + ns + b'" ', 1)
    return re.sub(rb"<(/?)(c|v|is|t)\b", rb"<\1x:\2", data)


@pytest.mark.parametrize("change", [_prefixed, _prefixed_cells])
@pytest.mark.parametrize("inline", [False, True])
def test_prefixed_namespace_falls_back_to_calamine(tmp_path, change, inline):
    """<x:sheetData>, <x:c>, ...: refused by the fast path; calamine (0.9) reads it as the plain file."""
    source = _plain_sheet(tmp_path / "plain.xlsx", {"constant_memory": inline})
    path = _rewrite(source, tmp_path / "prefixed.xlsx", SHEET1, change)
    assert b"<x:c " in zipfile.ZipFile(path).read(SHEET1)
    same(falls_back(path), calamine.read_workbook(source))


@pytest.mark.parametrize("change", [lambda d: re.sub(rb"><(?!/[tv]>)", b">\n    <", d), _prefixed],
                         ids=["pretty-printed", "prefixed"])
def test_error_cell_keeps_its_text_in_the_fallback(tmp_path, change):
    """#DIV/0! stays #DIV/0! when the sheet is read by calamine because the fast path refused it."""
    source = tmp_path / "error.xlsx"
    wb = xlsxwriter.Workbook(str(source))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["a", "b"])
    ws.write_formula(1, 0, "=1/0", None, "#DIV/0!")
    ws.write_number(1, 1, 5)
    wb.close()
    assert read_plain(source).tables[0].columns[0].texts() == ["#DIV/0!"]
    path = _rewrite(source, tmp_path / "changed.xlsx", SHEET1, change)
    assert falls_back(path).tables[0].columns[0].texts() == ["#DIV/0!"]


def test_raw_carriage_return_in_sheet_falls_back_to_calamine(tmp_path):
    """A raw CR byte in an inline string (an XML parser would normalise CR LF): refused."""
    source = _plain_sheet(tmp_path / "plain.xlsx", {"constant_memory": True})
    path = _rewrite(source, tmp_path / "cr.xlsx", SHEET1, lambda d: d.replace(b"CRMARK", b"a\r\nb\rc"))
    falls_back(path)


def test_character_reference_carriage_return_takes_the_fast_path(tmp_path):
    """&#13; and _x000D_ are CRs that survive XML parsing: the fast path reads them as calamine does."""
    for options, member in (({"constant_memory": True}, SHEET1), ({}, "xl/sharedStrings.xml")):
        source = _plain_sheet(tmp_path / "plain.xlsx", options)
        path = _rewrite(source, tmp_path / "ref.xlsx", member,
                        lambda d: d.replace(b"CRMARK", b"a&#13;&#10;b_x000D_c&#x41;"))
        agree(path)
        assert read_plain(path).tables[0].columns[3].texts()[0] == "a\r\nb\rcA"


def test_formula_cached_as_empty_string_reads_as_calamine_reads_it(tmp_path):
    """xlsxwriter writes a formula whose value is '' as <v></v> without t="str" (to force a
    recalculation): an empty cell to both readers."""
    path = tmp_path / "empty_formula.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["a", "b"])
    ws.write_formula(1, 0, '=""', None, "")
    ws.write_number(1, 1, 2)
    wb.close()
    agree(path)
    assert read_plain(path).tables[0].columns[0].texts() == [""]


def test_chart_sheet_falls_back_to_calamine(tmp_path):
    """A chartsheet is not a worksheet: the fast path refuses the workbook and calamine lists it."""
    path = tmp_path / "chart.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数据")
    ws.write_column(0, 0, ["体温", 36.5, 37.25])
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=数据!$A$2:$A$3"})
    wb.add_chartsheet("图").set_chart(chart)
    wb.close()
    assert [t.title for t in falls_back(path).tables] == ["数据", "图"]


# --- known differences -----------------------------------------------------------------------

def _one_cell(path: Path, value: float, code: str, options=None) -> Path:
    wb = xlsxwriter.Workbook(str(path), options or {})
    ws = wb.add_worksheet()
    ws.write_string(0, 0, "值")
    ws.write_number(1, 0, value, wb.add_format({"num_format": code}))
    wb.close()
    return path


def test_time_that_rounds_to_midnight_stays_a_time(tmp_path):
    total = sum([1 / 24] * 24)
    assert total < 1
    agree(_one_cell(tmp_path / "midnight.xlsx", total, "hh:mm"), sizes=())


def test_1904_serial_past_year_9999_stays_a_number(tmp_path):
    agree(_one_cell(tmp_path / "far.xlsx", 2957436.5, "yyyy-mm-dd", {"date_1904": True}), sizes=())


def test_huge_duration_is_not_a_traceback(tmp_path):
    """A duration past what a timedelta holds: the fast path keeps the number as typed (calamine
    cannot read the tab, which its reader reports as a SourceError, never a traceback)."""
    path = _one_cell(tmp_path / "huge.xlsx", 1e9, "[h]:mm")
    assert read_workbook(path).tables[0].columns[0].texts() == ["1000000000"]
    with pytest.raises(SourceError):
        calamine.read_workbook(path)


@pytest.mark.parametrize("inline, member", [(True, SHEET1), (False, "xl/sharedStrings.xml")],
                         ids=["inline", "shared"])
@pytest.mark.parametrize("text", [b" a ", b"a&#10;", b"&#32;"])
def test_unpreserved_whitespace_reads_as_calamine_reads_it(tmp_path, inline, member, text):
    """calamine trims the ends of a <t> without xml:space="preserve" (also &#10; or &#32;): shared
    strings are trimmed the same way; an inline one is left to calamine."""
    source = _plain_sheet(tmp_path / "plain.xlsx", {"constant_memory": inline})
    path = _rewrite(source, tmp_path / "ws.xlsx", member, lambda d: d.replace(b"CRMARK", text))
    if inline:
        falls_back(path)
    else:
        agree(path, sizes=())


@pytest.mark.parametrize("text", [b"&#X42;", b"&unknown;", b"&#0;"])
def test_reference_that_is_not_xml_is_not_read_as_text(tmp_path, text):
    source = _plain_sheet(tmp_path / "plain.xlsx", {"constant_memory": True})
    path = _rewrite(source, tmp_path / "ref.xlsx", SHEET1, lambda d: d.replace(b"CRMARK", text))
    with pytest.raises(SourceError):
        calamine.read_workbook(path)
    try:
        read_plain(path)
    except (Unsupported, xlsxtext.BadValue):
        return
    raise AssertionError(f"read_plain read {text!r}, which calamine refuses")


# --- damaged files ---------------------------------------------------------------------------

def _member_data(path: Path, member: str) -> tuple[int, int]:
    """(offset, size) of a zip member's compressed bytes in the file."""
    info = zipfile.ZipFile(path).getinfo(member)
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        local = fh.read(30)
    return info.header_offset + 30 + int.from_bytes(local[26:28], "little") + \
        int.from_bytes(local[28:30], "little"), info.compress_size


def _damaged(tmp_path: Path, inflates: bool) -> Path:
    """A workbook with one byte of its worksheet's deflate data flipped, the zip directory intact.
    inflates: the damaged stream still inflates (to other bytes, caught by the CRC); else it is
    not valid deflate data at all. The first suitable byte from the middle on is chosen."""
    source = tmp_path / "good.xlsx"
    wb = xlsxwriter.Workbook(str(source), {"constant_memory": True})
    ws = wb.add_worksheet("数据")
    for r in range(60):
        ws.write_row(r, 0, [f"name{r}", r * 1.5, r % 3 == 0, "张三"])
    wb.close()
    data = source.read_bytes()
    start, size = _member_data(source, SHEET1)
    good = zlib.decompress(data[start:start + size], -15)
    for i, bit in ((i, bit) for i in range(size // 2, size) for bit in (1, 2, 4, 8, 16, 32, 64, 128)):
        damaged = bytearray(data)
        damaged[start + i] ^= bit
        try:
            inflated = zlib.decompress(bytes(damaged[start:start + size]), -15)
        except zlib.error:
            ok = not inflates
        else:
            ok = inflates and len(inflated) == len(good) and inflated != good
        if ok:
            path = tmp_path / "damaged.xlsx"
            path.write_bytes(damaged)
            return path
    raise AssertionError("no suitable byte to flip")


def test_damaged_member_that_still_inflates_is_a_source_error(tmp_path):
    """Flipped data that inflates to other bytes: the CRC says so; a SourceError naming the
    file, not a traceback and not wrong cells."""
    path = _damaged(tmp_path, inflates=True)
    with pytest.raises((Unsupported, xlsxtext.BadValue)):
        read_plain(path)
    with pytest.raises(SourceError, match=re.escape(str(path))):
        read_workbook(path)


def test_damaged_member_that_does_not_inflate_is_a_source_error(tmp_path):
    """Flipped data that is no longer a deflate stream: a SourceError naming the file."""
    path = _damaged(tmp_path, inflates=False)
    with pytest.raises((Unsupported, zlib.error, xlsx.inflate.error)):
        read_plain(path)
    with pytest.raises(SourceError, match=re.escape(str(path))):
        read_workbook(path)


# --- xlsxtext --------------------------------------------------------------------------------

@pytest.mark.parametrize("code, kind", [
    ("yyyy-mm-dd", xlsxtext.DATE), ("yyyy-mm-dd hh:mm", xlsxtext.DATE), ("m/d/yy", xlsxtext.DATE),
    ("hh:mm", xlsxtext.DATE), ("hh:mm:ss", xlsxtext.DATE), ("h:mm AM/PM", xlsxtext.DATE),
    ("mm:ss.0", xlsxtext.DATE), ("d-mmm", xlsxtext.DATE), ('yyyy"年"m"月"d"日"', xlsxtext.DATE),
    ('[$-804]yyyy"年"m"月"d"日"', xlsxtext.DATE), ("[$-409]mmmm d, yyyy", xlsxtext.DATE),
    ("[Red]yyyy-mm-dd", xlsxtext.DATE), ("yyyy-mm-dd;@", xlsxtext.DATE),
    ("[h]:mm:ss", xlsxtext.DURATION), ("[h]:mm", xlsxtext.DURATION), ("[mm]:ss", xlsxtext.DURATION),
    ("[ss]", xlsxtext.DURATION), ("[hh]:mm", xlsxtext.DURATION), ("[Red][h]:mm", xlsxtext.DURATION),
    ("0.00", xlsxtext.NUMBER), ("@", xlsxtext.NUMBER), ("General", xlsxtext.NUMBER), ("0%", xlsxtext.NUMBER),
    ("[Red]0.00", xlsxtext.NUMBER), ('"h"0', xlsxtext.NUMBER), ('0" days"', xlsxtext.NUMBER),
    ("0\\h", xlsxtext.NUMBER), ("#,##0_);[Red](#,##0)", xlsxtext.NUMBER), ("0.00E+00", xlsxtext.NUMBER),
    ("[$¥-804]#,##0.00", xlsxtext.NUMBER), ("0;yyyy-mm-dd", xlsxtext.NUMBER), ("_(* #,##0_)", xlsxtext.NUMBER),
    ('[<=9999999]###-####;(###) ###-####', xlsxtext.NUMBER), ("", xlsxtext.NUMBER),
])
def test_format_kind(code, kind):
    assert xlsxtext.format_kind(code) == kind


def test_format_codes_read_as_calamine_reads_them(tmp_path):
    """Every code of the table above on a whole day, a time of day and a date and time: the
    fast path's reading of the format agrees with calamine's."""
    codes = [code for mark in test_format_kind.pytestmark if mark.name == "parametrize"
             for code, _ in mark.args[1]]
    book = {"格式": {(r, c): ("formatted", serial, code) for r, serial in enumerate([43872, 0.75, 43872.5, 1.25])
                     for c, code in enumerate(codes)}}
    for options in ({}, {"date_1904": True}):
        agree(write(tmp_path / "formats.xlsx", book, options), sizes=())


@pytest.mark.parametrize("raw, text", [
    ("plain", "plain"), ("a &amp; b", "a & b"), ("&lt;t&gt;", "<t>"), ("&quot;&apos;", "\"'"),
    ("&#13;&#10;", "\r\n"), ("&#x41;", "A"), ("&#x4e2d;", "中"), ("_x000D_", "\r"), ("_x0041__x0042_", "AB"),
    ("_x005F_x0041_", "_x0041_"), ("_x00zz_", "_x00zz_"), ("&amp;lt;", "&lt;"), ("&#38;#13;", "&#13;"),
    ("_x0001_", "\x01"), ("_xD83D__xDE37_", "_xD83D__xDE37_"), ("", ""),
])
def test_unescape(raw, text):
    """Entities, decimal and hex character references and _xHHHH_, each decoded once, left to right;
    _xHHHH_ of a surrogate stays as written, as calamine leaves it."""
    assert xlsxtext.unescape(raw) == text


@pytest.mark.parametrize("raw", ["&#X42;", "&unknown;", "a & b", "&#0;", "&#xD800;", "&#1114112;"])
def test_unescape_refuses_what_is_not_xml(raw):
    """A stray & or a reference to no XML character: BadValue, so calamine (which refuses the
    file with a message) decides, never a silently different text."""
    with pytest.raises(xlsxtext.BadValue):
        xlsxtext.unescape(raw)


def test_shared_strings_join_runs_and_leave_out_phonetics():
    data = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="x" count="6" uniqueCount="6">'
            '<si><t>plain</t></si>'
            '<si><r><rPr><b/></rPr><t>红</t></r><r><t xml:space="preserve"> 色 </t></r></si>'
            '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>'
            '<si><r><t>a&amp;b</t></r><rPh sb="0" eb="1"><t>x</t></rPh><r><t>_x000D_</t></r></si>'
            '<si/><si><t/></si><si><t></t></si>'
            '</sst>').encode()
    assert xlsxtext.shared_strings(data).to_pylist() == ["plain", "红 色 ", "東京", "a&b\r", "", "", ""]


def test_texts_convert_each_class():
    """Raw XML texts to cell texts: numbers, dates (1900 and 1904), durations, booleans, escapes."""
    def texts(kind, raw, date1904=False, shared=()):
        return xlsxtext.texts(kind, pa.array(raw, pa.string()), pa.array(list(shared), pa.string()), date1904).to_pylist()
    assert texts(xlsxtext.NUMBER, ["7", "7.0", "36.5", "1E-07", "-0", "1.234567890123457E+17"]) == \
        ["7", "7", "36.5", "1e-07", "0", "1.234567890123457e+17"]
    assert texts(xlsxtext.DATE, ["43872", "43872.354166666664", "0.5", "60", "61", "59.5"]) == \
        ["2020-02-11", "2020-02-11 08:30:00", "12:00:00", "1900-02-28", "1900-03-01", "1900-02-28 12:00:00"]
    assert texts(xlsxtext.DATE, ["0", "42410"], date1904=True) == ["00:00:00", "2020-02-11"]
    assert texts(xlsxtext.DURATION, ["1.25", "0.0208333333333333"]) == ["30:00:00", "00:30:00"]
    assert texts(xlsxtext.BOOL, ["1", "0"]) == ["TRUE", "FALSE"]
    assert texts(xlsxtext.ERROR, ["#DIV/0!"]) == ["#DIV/0!"]
    assert texts(xlsxtext.SHARED, ["1", "0"], shared=["a&b", "A"]) == ["A", "a&b"]     # the table is final text
    assert texts(xlsxtext.NUMBER, ["", "7"]) == ["", "7"]                                # <v></v>
    with pytest.raises(xlsxtext.BadValue):
        texts(xlsxtext.SHARED, ["2"], shared=["a"])
    with pytest.raises(xlsxtext.BadValue):
        texts(xlsxtext.NUMBER, ["abc"])


def test_date_styles_reads_custom_and_builtin_formats():
    styles = ('<styleSheet><numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/>'
              '<numFmt numFmtId="165" formatCode="[h]:mm"/><numFmt numFmtId="166" formatCode="0.00"/></numFmts>'
              '<cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165"/>'
              '<xf numFmtId="166"/><xf numFmtId="14"/><xf numFmtId="46"/><xf fontId="1"/></cellXfs></styleSheet>')
    assert xlsxtext.date_styles(styles) == {1: xlsxtext.DATE, 2: xlsxtext.DURATION, 4: xlsxtext.DATE,
                                            5: xlsxtext.DURATION}


# --- sheetxml on hand-made XML ---------------------------------------------------------------

RAW_TEXTS = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r"), max_size=8).map(
    lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
# Cell attributes after r=, short and long (over the 16 bytes _classes keys without a string);
# the trivial classify() gives each its position here, so a misread attribute text fails loudly.
ATTRS = [' t="inlineStr"', "", ' s="1"', ' t="s"', ' s="2" t="s"', ' s="12" t="str"', ' t="b"', ' t="e"',
         ' s="3" t="n"', ' s="123"', ' s="7" t="s" cm="1"', ' s="1" t="str" cm="1" vm="2"', ' t="n" s="12345678"']


def classify(attrs: str) -> int:
    return ATTRS.index(attrs)


@st.composite
def hand_sheets(draw):
    """(sheet XML, {(row, col): (raw value, class)}): rows and cells in reference order, values
    in every form a plain writer uses, cells without values, empty rows."""
    cells, xml = {}, []
    row = 0
    n_rows = draw(st.integers(0, 12))
    for k in range(n_rows):
        row += draw(st.integers(1, 300))
        attrs = draw(st.sampled_from(["", ' spans="1:5"', ' ht="30" customHeight="1"']))
        parts, col = [], -1
        for _ in range(draw(st.integers(0, 6))):
            col += draw(st.integers(1, 800))
            if col >= 16384:
                break
            ref = f"{column_letter(col)}{row}"
            form = draw(st.integers(0, 5))
            text = draw(RAW_TEXTS)
            cell = draw(st.integers(1, len(ATTRS) - 1))
            if form == 0:
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
                cells[(row, col)] = (text, 0)
            elif form == 1:
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve"> {text} </t></is></c>')
                cells[(row, col)] = (f" {text} ", 0)
            elif form == 2:
                number = draw(st.sampled_from(["1.5", "7", "1E-07", "43872.354166666664", "-3", "0", ""]))
                parts.append(f'<c r="{ref}"{ATTRS[cell]}><v>{number}</v></c>')
                cells[(row, col)] = (number, cell)
            elif form == 3:
                parts.append(f'<c r="{ref}"{ATTRS[cell]}><f>A1&amp;"x"</f><v>{text}</v></c>')
                cells[(row, col)] = (text, cell)
            elif form == 4:
                parts.append(f'<c r="{ref}"{ATTRS[cell]}><f t="shared" ref="A1:A9" si="0"/><v>{text}</v></c>')
                cells[(row, col)] = (text, cell)
            else:
                parts.append(f'<c r="{ref}"{ATTRS[cell]}/>')         # formatted, no value
        xml.append(f'<row r="{row}"{attrs}>{"".join(parts)}</row>' if parts or draw(st.booleans())
                   else f'<row r="{row}"{attrs}/>')
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://x">'
             '<dimension ref="A1"/><sheetData>' + "".join(xml) + '</sheetData><pageMargins left="0.7"/></worksheet>')
    return sheet.encode(), cells


def cells_of(data: bytes) -> list[tuple[int, int, str, int]]:
    """(row, column, raw value, class) of every valued cell, block by block."""
    found = []
    for block in sheetxml.blocks(io.BytesIO(data)):
        assert block.startswith(b"<row "), block[:40]
        cells = sheetxml.block_cells(block, classify)
        found += zip(cells.rows.tolist(), cells.cols.tolist(), cells.values.to_pylist(), cells.classes.tolist())
    return found


@settings(HYPOTHESIS, max_examples=200)
@given(sheet=hand_sheets(), size=st.integers(1, 300))
def test_block_cells_finds_every_cell_once(sheet, size):
    """Whatever the block size, every valued cell comes back once with its row, column, raw text
    and the class of its attributes."""
    data, expected = sheet
    with block_size(size):
        try:
            found = cells_of(data)
        except Unsupported:                 # calamine trims these ends; sheetxml leaves them to it
            assert re.search(rb"<t>(?:[ \t\n]|&#)|(?:[ \t\n]|;)</t>", data), data
            return
    assert len(found) == len(expected)
    assert {(r, c): (v, k) for r, c, v, k in found} == expected


def test_bare_empty_row_at_the_end_of_the_sheet_is_read_by_read_workbook(tmp_path):
    """<row r="9"/> closing sheetData: read_workbook gives calamine's reading either way."""
    source = _plain_sheet(tmp_path / "plain.xlsx", {"constant_memory": True})
    path = _rewrite(source, tmp_path / "bare.xlsx", SHEET1,
                    lambda d: d.replace(b"</sheetData>", b'<row r="9"/></sheetData>'))
    same(read_workbook(path), calamine.read_workbook(path))


def test_bare_empty_row_at_the_end_of_the_sheet_keeps_the_contract(tmp_path):
    """read_plain on it reads what calamine reads, or raises Unsupported: nothing else."""
    source = _plain_sheet(tmp_path / "plain.xlsx", {"constant_memory": True})
    path = _rewrite(source, tmp_path / "bare.xlsx", SHEET1,
                    lambda d: d.replace(b"</sheetData>", b'<row r="9"/></sheetData>'))
    try:
        got = read_plain(path)
    except (Unsupported, xlsxtext.BadValue):
        return
    same(got, calamine.read_workbook(path))


@pytest.mark.parametrize("xml", [
    b'<sheetData><row r="1"><c t="s"><v>0</v></c></row></sheetData>',                     # no reference
    b'<sheetData><row r="1"><c s="1" r="A1"><v>0</v></c></row></sheetData>',               # r not first
    b'<sheetData><row r="1"><c r="A1"> <v>0</v></c></row></sheetData>',                    # whitespace
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r></is></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1"><v><![CDATA[1]]></v></c></row></sheetData>',
    b'<sheetData><row r="1"><!-- note --><c r="A1"><v>1</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a\r\nb</t></is></c></row></sheetData>',
    b'<x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData>',
    b'<sheetData><row><c r="A1"><v>1</v></c></row></sheetData>',                            # row without r
    b'<sheetData><row r="1"><c r="A1"><v xml:space="preserve">1</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1"><v>1</v><v>2</v></c></row></sheetData>',              # two values
    b'<sheetData><row r="1"><c r="a1"><v>1</v></c></row></sheetData>',                      # lower case
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>\xff</t></is></c></row></sheetData>',  # not UTF-8
    b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>',                                   # cut short
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t xml:space="default">a</t></is></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1"><extLst/><v>1</v></c></row></sheetData>',             # unknown tag
])
def test_block_cells_refuses_what_is_not_the_plain_form(xml):
    with pytest.raises(Unsupported):
        for block in sheetxml.blocks(io.BytesIO(b"<worksheet>" + xml + b"</worksheet>")):
            sheetxml.block_cells(block, lambda attrs: 0)


SST_ITEMS = st.one_of(
    RAW_TEXTS.map(lambda t: f"<si><t>{t}</t></si>"),
    RAW_TEXTS.map(lambda t: f'<si><t xml:space="preserve"> {t} </t></si>'),
    st.sampled_from(["<si><t/></si>", "<si/>", "<si><t></t></si>", "<si><t>a&amp;b_x000D_</t></si>",
                     '<si><r><rPr><b/></rPr><t>红</t></r><r><t xml:space="preserve"> 色</t></r></si>',
                     '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>',
                     '<si><t>東京</t><phoneticPr fontId="1" type="noConversion"/></si>']),
)


@settings(HYPOTHESIS, max_examples=200)
@given(items=st.lists(SST_ITEMS, max_size=12))
def test_vectorised_shared_strings_agree_with_the_item_by_item_reader(items):
    """sheetxml.shared_strings either refuses the table or gives xlsxtext.shared_strings' texts."""
    data = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://x" count="9" '
            f'uniqueCount="{len(items)}">{"".join(items)}</sst>').encode()
    expected = xlsxtext.shared_strings(data).to_pylist()
    assert len(expected) == len(items)
    try:
        got = xlsxtext.shared_texts(*sheetxml.shared_strings(data)).to_pylist()
    except Unsupported:
        return
    assert got == expected
