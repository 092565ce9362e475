"""Find each sheet's tab and each field's column, forgiving as people type headers.

A tab matches by the sheet's id or its Chinese or English title; a column by its Chinese or
English header (or an alias). Surrounding spaces, full-width brackets and case do not matter.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import issues as iss
from ..policy import Policy, Sheet, fold
from ..read.table import RawTable, Workbook
from . import parse

TITLE_ROWS = 5      # how far down a header may sit below title rows such as "英语学院疫情日报"


def match_sheets(workbook: Workbook, policy: Policy) -> tuple[dict[str, RawTable], list[iss.Issue]]:
    names = {}
    for sheet in policy.sheets.values():
        for label in (sheet.name, sheet.title.get("zh"), sheet.title.get("en")):
            if label:
                names[fold(label)] = sheet.name
    found: dict[str, RawTable] = {}
    problems = []
    for table in workbook.tables:
        name = table.sheet if table.sheet in policy.sheets else names.get(fold(table.title))
        if name is None:
            problems.append(iss.make("unknown-sheet", table.title, source=table.source, tab=table.title))
        elif name in found:
            problems.append(iss.make("duplicate-sheet", name, source=table.source, tab=table.title,
                                     value=found[name].title))
        else:
            found[name] = table
    for sheet in policy.sheets.values():
        if sheet.name not in found and not sheet.optional:
            problems.append(iss.make("missing-sheet", sheet.name, sheet_title=f"{sheet.title['zh']} / "
                                     f"{sheet.title['en']}", source=workbook.source))
    return found, problems


def locate_header(table: RawTable, sheet: Sheet) -> RawTable:
    """The header is row 1, unless row 1 names no field and a row just below it names two or more:
    departments like to put a title above the table. Row numbers stay as the user sees them."""
    known = {fold(h) for f in sheet.fields for h in f.headers()}

    def hits(cells):
        return sum(fold(c) in known for c in cells if not parse.is_blank(c))

    if hits(table.header) or not table.columns:
        return table
    for k in range(min(TITLE_ROWS, table.n_rows)):
        cells = [c.uniques[c.codes[k]] for c in table.columns]
        if hits(cells) >= 2:
            numbers = np.array([table.row_number(i) for i in range(k + 1, table.n_rows)], dtype=np.int64)
            columns = [c.rows(k + 1) for c in table.columns]
            return RawTable(title=table.title, source=table.source, header=cells, columns=columns,
                            n_rows=table.n_rows - k - 1, row_numbers=numbers, ragged=table.ragged)
    return table


def match_columns(table: RawTable, sheet: Sheet) -> tuple[dict[str, int], list[iss.Issue]]:
    """{field name: column index} and the header problems of one tab."""
    lookup = {}
    for f in sheet.fields:
        for header in f.headers():
            lookup[fold(header)] = f.name
    header_row = table.row_number(0) - 1 if table.n_rows else 1
    where: dict[str, Any] = {"sheet": sheet.name, "source": table.source, "tab": table.title, "row": header_row}
    columns: dict[str, int] = {}
    problems = []
    for index, header in enumerate(table.header):
        cell = f"{iss.column_letter(index)}{header_row}"
        if parse.is_blank(header):
            if _has_data(table, index):
                problems.append(iss.make("blank-header", cell=cell, **where))
            continue
        name = lookup.get(fold(header))
        if name is None:
            problems.append(iss.make("unknown-column", column=header, cell=cell, value=header, **where))
        elif name in columns:
            problems.append(iss.make("duplicate-header", column=header, cell=cell, value=header, field=name, **where))
        else:
            columns[name] = index
    for f in sheet.fields:
        if f.required and f.name not in columns:
            problems.append(iss.make("missing-column", sheet.name, source=table.source, tab=table.title,
                                     field=f.name, expected=f"{f.title['zh']} / {f.title['en']}"))
    return columns, problems


def _has_data(table: RawTable, index: int) -> bool:
    column = table.columns[index]
    return any(not parse.is_blank(text) for text in column.uniques)
