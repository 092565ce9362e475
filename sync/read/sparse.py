"""A tab whose cells reach too far for calamine, read a row at a time with openpyxl.

calamine holds a tab as one dense block from its first cell to its last, so a single value at
XFD1048576 would ask it for 512 GiB (gaps.py finds such tabs before calamine sees them).
openpyxl's read-only mode streams the sheet's XML a row at a time: the tab is read in memory in
proportion to the cells present. Blank rows are left out (each row kept has its own number) and
the columns with nothing in them share one blank column.

openpyxl types a few values otherwise than calamine; they are put right here, so that the texts
are those every other tab gives: a date at midnight is the date, whole numbers are numbers as
calamine gives them (1e+17, not 100000000000000000), negative date serials are the numbers gaps
found. Error values come as their text (#DIV/0!) from openpyxl itself. Left as openpyxl reads
them, in such a tab only: the East Asian built-in date formats (ids 27-36 and 50-58), which
openpyxl does not know as dates, read as their serial numbers.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import warnings
from pathlib import Path

import numpy as np

from .table import Column, RawTable, cell_text


def read_sparse(source: Path | io.BytesIO, name: str, where: str,
                negative: dict[tuple[int, int], str]) -> RawTable:
    """Tab `name` of the workbook at source (a path, or the in-memory copy gaps made); where is
    the file as the user knows it; negative the tab's negative serials {(row, col): '-5'}."""
    import openpyxl     # imported only for such a tab

    with contextlib.ExitStack() as stack:
        # A file of ours, closed whatever openpyxl makes of it.
        stream = source if isinstance(source, io.BytesIO) else stack.enter_context(open(source, "rb"))
        with warnings.catch_warnings():     # "no default style" and the like: nothing for the user
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        stack.callback(book.close)
        sheet = book[name]
        sheet.reset_dimensions()        # each row as long as its cells, not the <dimension> claimed
        header: dict[int, str] = {}
        cells: dict[int, dict[int, str]] = {}      # column -> {index of the kept row: text}
        numbers: list[int] = []
        fixes: dict[int, dict[int, str]] = {}
        for (row, col), raw in negative.items():
            fixes.setdefault(row + 1, {})[col] = raw
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            texts = {c: _text(v) for c, v in enumerate(values) if v is not None}
            for c, raw in fixes.get(number, {}).items():
                if isinstance(values[c] if c < len(values) else None, (dt.date, dt.time, dt.timedelta)):
                    texts[c] = _serial(raw)
            texts = {c: t for c, t in texts.items() if t != ""}
            if number == 1:
                header = texts
            elif texts:
                for c, text in texts.items():
                    cells.setdefault(c, {})[len(numbers)] = text
                numbers.append(number)
    width = max([*header, *cells], default=-1) + 1
    n_rows = len(numbers)
    blank = Column.blank(n_rows)
    columns = [Column.from_texts([cells[c].get(k, "") for k in range(n_rows)]) if c in cells else blank
               for c in range(width)]
    return RawTable(title=name, source=where, header=[header.get(c, "") for c in range(width)],
                    columns=columns, n_rows=n_rows, row_numbers=np.array(numbers, dtype=np.int64))


def _text(value) -> str:
    if type(value) is int:                  # calamine reads every number of an .xlsx as a float
        return cell_text(float(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()     # as calamine hands a date at midnight over
    return cell_text(value)


def _serial(raw: str) -> str:
    try:
        return cell_text(float(raw))
    except ValueError:
        return raw
