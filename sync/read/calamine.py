"""Any workbook calamine (Rust) reads: .xls, .ods, and the .xlsx files sheetxml does not take.

calamine hands error cells (#REF!, #DIV/0!, ...) over as empty strings, which would turn a
broken formula into a silent blank; they are found again in the sheet's XML (cells with
t="e") and put back as their error text so the validator can point at them.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from python_calamine import CalamineError, CalamineWorkbook

from ..errors import SourceError
from .table import Column, RawTable, Workbook, cell_text
from .xlsxtext import unescape

# Any writer's form: attributes in any order, a namespace prefix, whitespace between tags.
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c\s*>)", re.S)
_REF = re.compile(rb'\br\s*=\s*"([A-Z]+)(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v\s*>([^<]*)</(?:\w+:)?v\s*>")


def read_workbook(path: Path) -> Workbook:
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise SourceError(f"{path}: not a readable workbook / 无法读取工作簿: {exc}") from None
    errors = _error_cells(path) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
    tables = []
    for name in book.sheet_names:
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except (CalamineError, ValueError, OverflowError) as exc:
            raise SourceError(f"{path}: tab {name!r} cannot be read: {exc}") from None
        for (row, col), value in errors.get(name, {}).items():
            if row < len(rows) and col < len(rows[row]):
                rows[row][col] = value
        while rows and all(v == "" for v in rows[-1]):
            rows.pop()
        tables.append(_table(name, str(path), rows))
    return Workbook(source=str(path), tables=tables)


def _table(name: str, source: str, rows: list[list]) -> RawTable:
    """calamine's rows are rectangular: transpose once, then turn each column into text."""
    if not rows:
        return RawTable(title=name, source=source, header=[], columns=[], n_rows=0)
    header, columns = [], []
    for values in zip(*rows):
        header.append(cell_text(values[0]))
        columns.append(Column.from_texts(_texts(values[1:])))
    return RawTable(title=name, source=source, header=header, columns=columns, n_rows=len(rows) - 1)


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


def _error_cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """{tab name: {(row index, column index): '#REF!'}} for every error cell of the workbook."""
    found: dict[str, dict] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for name, member in sheet_members(archive).items():
                data = archive.read(member)
                for hit in re.finditer(rb'\bt\s*=\s*"e"', data):
                    cell = _CELL.match(data, data.rfind(b"<", 0, hit.start()))
                    ref = cell and _REF.search(cell.group(1))
                    value = cell and _VALUE.search(cell.group(2) or b"")
                    if ref and value:
                        letters, row = ref.groups()
                        found.setdefault(name, {})[(int(row) - 1, _column_index(letters.decode()))] = \
                            value.group(1).decode()
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, ValueError):
        return {}                           # damaged: calamine's own read says so
    return found


def sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """{tab name: zip member of its XML}, in the workbook's order."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update({rid: t for t, rid in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    members = {}
    for tag in re.findall(r"<sheet [^>]*>", workbook):
        name = re.search(r'name="([^"]*)"', tag)
        rid = re.search(r'r:id="([^"]*)"', tag)
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)]
            member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            members[unescape(name.group(1))] = member
    return members


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1
