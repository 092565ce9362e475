"""A workbook (.xlsx, .xlsm, .xls, .ods), one tab per sheet, read by python-calamine as text cells.

calamine (Rust) reads every writer's form: namespace prefixes, UTF-16 parts, rich and inline
strings, cells without references, the built-in and East Asian date formats, 1904 dates. What
it loses or cannot survive is put right in one place, gaps.py (error values, far cells). This
module is the only one that calls the library, so every failure of it, a Rust panic included,
becomes a SourceError naming the file here.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum

from ..errors import SourceError
from . import gaps
from .table import Column, RawTable, Workbook, cell_text

_DATES = (dt.date, dt.time, dt.timedelta)     # dt.datetime is a dt.date
DAMAGED = "this file is not an .xlsx workbook, or it is damaged / 该文件不是 .xlsx 工作簿，或已损坏"
TAB_DAMAGED = "this tab is damaged or holds a value that cannot be read / 此工作表已损坏或含有无法读取的值"


def read_workbook(path: Path) -> Workbook:
    """Every worksheet of the workbook as a RawTable; a tab that cannot be read is kept as an
    unreadable RawTable (its reason said), so the other tabs are still read."""
    utf8 = gaps.utf8_copy(path) if zipfile.is_zipfile(path) else None
    book = _call(path, lambda: CalamineWorkbook.from_filelike(utf8) if utf8 else CalamineWorkbook.from_path(str(path)))
    try:
        xml = gaps.inspect(utf8 or path) if utf8 or zipfile.is_zipfile(path) else \
            gaps.xls_gaps(path) if path.suffix.lower() == ".xls" else gaps.Gaps()
        tables = []
        for meta in _call(path, lambda: book.sheets_metadata):
            if meta.typ not in (SheetTypeEnum.WorkSheet,):
                continue                    # chart and dialog sheets hold no cells
            tables.append(_tab(path, book, meta.name, xml))
    finally:
        book.close()
    return Workbook(source=str(path), tables=tables)


def _tab(path: Path, book: CalamineWorkbook, name: str, xml: "gaps.Gaps") -> RawTable:
    refused = xml.refused.get(name)
    if refused:
        return RawTable.unreadable_tab(name, str(path), refused)
    try:
        rows = _call(path, lambda: book.get_sheet_by_name(name).to_python(skip_empty_area=False), tab=name)
    except SourceError as exc:
        return RawTable.unreadable_tab(name, str(path), str(exc))
    for (row, col), value in xml.errors.get(name, {}).items():
        if row < len(rows) and col < len(rows[row]) and _lost(rows[row][col]):
            rows[row][col] = value
    for (row, col), value in xml.negative.get(name, {}).items():
        if row < len(rows) and col < len(rows[row]) and isinstance(rows[row][col], _DATES):
            rows[row][col] = _number(value)
    while rows and all(v == "" for v in rows[-1]):
        rows.pop()
    return _table(name, str(path), rows)


def _call(path: Path, read, tab: str | None = None):
    """read() with any failure of calamine as a SourceError naming the file (and the tab). A Rust
    panic arrives as pyo3's PanicException, which derives from BaseException, not Exception."""
    where = f"{path}" + (f", tab {tab!r} / 工作表“{tab}”" if tab is not None else "")
    try:
        return read()
    except (KeyboardInterrupt, SystemExit):
        raise
    except OSError as exc:
        raise SourceError(f"{where}: cannot be opened / 无法打开: {exc.strerror or exc}") from None
    except BaseException as exc:            # CalamineError, ValueError, OverflowError, PanicException, ...
        if tab is None:                     # the library's words ("Could not find EOCD") say nothing to a person
            raise SourceError(f"{where}: {DAMAGED}") from None
        # For a tab they help whoever repairs the file, so they follow the message.
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise SourceError(f"{where}: {TAB_DAMAGED} (calamine: {detail})") from None


def _lost(value) -> bool:
    """What calamine puts where an error value was: '' (.xlsx) or the float 0 (.ods)."""
    return value == "" or (type(value) is float and value == 0)


def _number(raw: str):
    """A negative serial calamine read as a date or time: the number typed (Excel shows ####)."""
    try:
        return float(raw)
    except ValueError:
        return raw


def _table(name: str, source: str, rows: list[list]) -> RawTable:
    """calamine's rows are rectangular: transpose once, then turn each column into text.
    Blank columns at the right are left out (an empty formula result, <c t="str"><v/></c>,
    would otherwise widen the tab by however far it sits)."""
    header, columns = [], []
    for values in zip(*rows):
        header.append(cell_text(values[0]))
        columns.append(_texts(values[1:]))
    while header and header[-1] == "" and all(t == "" for t in columns[-1]):
        header.pop()
        columns.pop()
    if not header:
        return RawTable(title=name, source=source, header=[], columns=[], n_rows=0)
    return RawTable(title=name, source=source, header=header, columns=[Column.from_texts(c) for c in columns],
                    n_rows=len(rows) - 1)


def _texts(values) -> list[str]:
    """Strings pass as they are; other values are converted once per distinct value and type."""
    seen: dict = {}
    out = []
    for v in values:
        if type(v) is str:
            out.append(v)
        else:
            key = (type(v), v)
            text = seen.get(key)
            if text is None:
                text = seen[key] = cell_text(v)
            out.append(text)
    return out
