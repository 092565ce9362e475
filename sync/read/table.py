"""What every reader hands on: a tab as header texts and dictionary-encoded text columns.

Cells stay text here (typing is the validator's job). A column keeps each distinct text
once and an array of codes, one per row, so typing and most rules cost one call per
distinct value instead of one per cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import datetime as dt

import numpy as np
import pyarrow as pa


class Column:
    """Distinct cell texts (an Arrow string array) and, per data row, the index of its text."""

    def __init__(self, dictionary: pa.Array, codes: np.ndarray):
        self.dictionary = dictionary
        self.codes = codes
        self.prepared = None        # the validator's normalised view, kept so it is made once

    @cached_property
    def uniques(self) -> list[str]:
        return self.dictionary.to_pylist()

    @classmethod
    def from_texts(cls, texts: list[str]) -> "Column":
        return cls.from_arrow(pa.array(texts, type=pa.string()))

    @classmethod
    def from_arrow(cls, array) -> "Column":
        if isinstance(array, pa.ChunkedArray):
            array = array.unify_dictionaries().combine_chunks() if pa.types.is_dictionary(array.type) \
                else array.combine_chunks()
        if not pa.types.is_dictionary(array.type):
            array = array.dictionary_encode()
        dictionary = array.dictionary.cast(pa.string())
        return cls(dictionary, array.indices.to_numpy(zero_copy_only=False).astype(np.int32))

    @classmethod
    def blank(cls, n_rows: int) -> "Column":
        return cls(pa.array([""], type=pa.string()), np.zeros(n_rows, dtype=np.int32))

    def rows(self, start: int) -> "Column":
        """The same column without its first `start` rows."""
        return Column(self.dictionary, self.codes[start:])

    def texts(self) -> list[str]:
        uniques = self.uniques
        return [uniques[c] for c in self.codes.tolist()]


@dataclass
class RawTable:
    title: str                  # tab title or file stem, as found
    source: str                 # the workbook, folder file or spreadsheet it came from
    header: list[str]           # header texts as typed (row 1)
    columns: list[Column]       # one per header position
    n_rows: int                 # data rows below the header
    row_numbers: np.ndarray | None = None   # user-visible row per data row; None means i + 2
    ragged: list[tuple[int, str]] = field(default_factory=list)   # (row, text) of rows with extra cells
    unreadable: str | None = None           # why the tab could not be read (then it has no cells)
    sheet: str | None = None    # the sheet id it holds when the source says so (a Google tab by gid), else by title

    def row_number(self, i: int) -> int:
        return int(self.row_numbers[i]) if self.row_numbers is not None else i + 2

    def index_of(self, number: int) -> int | None:
        """The data row index of a row number as the user sees it; None for the header or above."""
        if self.row_numbers is None:
            i = number - 2
        else:
            i = int(np.searchsorted(self.row_numbers, number))
            if i >= len(self.row_numbers) or int(self.row_numbers[i]) != number:
                return None
        return i if 0 <= i < self.n_rows else None

    def rows(self) -> list[list[str]]:
        """The header and every data row as texts, blank cells at the end of each row left out."""
        if not self.header:
            return []
        columns = [c.texts() for c in self.columns]
        rows = [list(self.header)] + [[col[i] for col in columns] for i in range(self.n_rows)]
        for row in rows:
            while row and row[-1] == "":
                row.pop()
        return rows

    @classmethod
    def unreadable_tab(cls, title: str, source: str, reason: str) -> "RawTable":
        """A tab that is there but cannot be read: its sheet is unavailable, the others are not."""
        return cls(title=title, source=source, header=[], columns=[], n_rows=0, unreadable=reason)

    @classmethod
    def from_rows(cls, title: str, source: str, rows: list[list[str]]) -> "RawTable":
        """Build from text rows (row 0 the header); short rows are padded, as spreadsheets drop trailing blanks."""
        header = list(rows[0]) if rows else []
        body = rows[1:]
        width = max([len(header), *(len(r) for r in body)]) if rows else 0
        header += [""] * (width - len(header))
        padded = [r if len(r) == width else list(r) + [""] * (width - len(r)) for r in body]
        columns = [Column.from_texts(list(col)) for col in zip(*padded)] if padded else \
            [Column.blank(0) for _ in range(width)]
        return cls(title=title, source=source, header=header, columns=columns, n_rows=len(body))


@dataclass
class Workbook:
    source: str
    tables: list[RawTable]
    unavailable: list[str] = field(default_factory=list)   # sources that could not be read (Google)


def cell_text(value) -> str:
    """A cell value from a reader as the text a person typed, near enough: 7.0 -> "7",
    True -> "TRUE", a date cell -> 2020-02-11 (calamine and Google JSON values alike)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = int(round(value.total_seconds()))
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return "" if value is None else str(value)
