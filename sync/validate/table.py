"""A validated sheet: typed columns, which rows are blank, which rows carry an error."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import issues as iss
from ..policy import Sheet
from ..read.table import RawTable
from .cells import TypedColumn


def day_field(sheet: Sheet) -> str | None:
    """The field that dates a sheet's rows: `date`, failing that its first datetime field (the gate
    log's `time`); None for a snapshot sheet (the roster), whose rows belong to every day."""
    by_name = {f.name: f for f in sheet.fields}
    if "date" in by_name and by_name["date"].type == "date":
        return "date"
    return next((f.name for f in sheet.fields if f.type == "datetime"), None)


@dataclass
class Table:
    sheet: Sheet
    raw: RawTable
    columns: dict[str, TypedColumn]     # every field of the schema, present or not
    live: np.ndarray                    # per row: not a blank row
    invalid: np.ndarray                 # per row: an error was found in it

    @property
    def n_rows(self) -> int:
        return self.raw.n_rows

    def row_number(self, i: int) -> int:
        return self.raw.row_number(i)

    def text(self, name: str, i: int) -> str:
        column = self.columns[name]
        return column.texts[column.codes[i]]

    def issue(self, code: str, name: str, i: int, **extra) -> iss.Issue:
        """An issue at field `name` of row i, with its A1 cell and the text as typed."""
        column = self.columns[name]
        number = self.row_number(i)
        cell = f"{iss.column_letter(column.index)}{number}" if column.index is not None else None
        return iss.make(code, self.sheet.name, row=number, column=column.header or column.field.title["zh"],
                        cell=cell, value=self.text(name, i), field=name, source=self.raw.source,
                        tab=self.raw.title, **extra)

    def valid_rows(self) -> np.ndarray:
        return np.flatnonzero(self.live & ~self.invalid)

    def records(self, valid_only: bool = True) -> list[dict]:
        """Rows as {field: typed value}, with "_row" the row number a person sees."""
        index = self.valid_rows() if valid_only else np.flatnonzero(self.live)
        names = list(self.columns)
        rows = index.tolist()
        per_field = []
        for name in names:
            values = self.columns[name].values
            per_field.append([values[c] for c in self.columns[name].codes[index].tolist()])
        numbers = self.raw.row_numbers[index].tolist() if self.raw.row_numbers is not None else \
            [i + 2 for i in rows]
        return [dict(zip(names, cells), _row=number) for *cells, number in zip(*per_field, numbers)]

    def day_numbers(self, name: str) -> np.ndarray:
        """Per row, the day of field `name` as a proleptic ordinal (datetimes floored); -1 where unreadable."""
        num = np.floor(self.columns[name].row_num())
        return np.where(np.isnan(num), -1, num).astype(np.int64)
