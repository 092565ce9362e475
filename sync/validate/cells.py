"""Type every cell of a column and check its own constraints, once per distinct text.

A column's distinct texts are parsed and checked one by one; the verdicts then spread to
every row through the column's codes with numpy. A typed column keeps, per distinct text,
its value, a number for the rule engine (days for dates, 1/0 for booleans) and whether it
is an error.
"""
from __future__ import annotations

from typing import Any

import datetime as dt
import math
import re
from dataclasses import dataclass

import numpy as np

from .. import issues as iss
from ..policy import Field, Policy, fold
from ..read.table import Column
from . import fast, parse

# Beyond 2**53 a float no longer holds every whole number and sums drift, or reach infinity
# (two inflows of 1e308): no campus count or quantity comes near. A schema's maximum is tighter.
MAX_MAGNITUDE = 1e15

PARSERS = {
    "string": parse.parse_string, "enum": parse.parse_string, "integer": parse.parse_integer,
    "number": parse.parse_number, "boolean": parse.parse_boolean, "date": parse.parse_date,
    "time": parse.parse_time, "datetime": parse.parse_datetime,
}


@dataclass
class TypedColumn:
    field: Field
    index: int | None           # position in the tab; None when the column is absent
    header: str | None          # as typed
    codes: np.ndarray           # per row
    column: Column              # the texts as typed
    lazy: Any                   # per distinct text: typed value, None when blank or unusable (see values)
    num: np.ndarray             # per distinct text: float for the rule engine, NaN when none
    error: np.ndarray           # per distinct text: an error that makes the row invalid

    @property
    def texts(self) -> list[str]:
        return self.column.uniques

    @property
    def values(self) -> list:
        """The typed values as a list, made on first use (fast.LazyValues defers dates)."""
        if not isinstance(self.lazy, list):
            self.lazy = self.lazy.materialize()
        return self.lazy

    def value(self, k: int):
        """The typed value of distinct text k, without making the whole list: a few rows of a big log."""
        return self.lazy[k]

    def row_values(self) -> list:
        values = self.values
        return [values[c] for c in self.codes.tolist()]

    def row_num(self) -> np.ndarray:
        return self.num[self.codes]

    def row_error(self) -> np.ndarray:
        return self.error[self.codes]


def as_number(value) -> float:
    """The rule engine compares everything as floats: dates in days, times as a fraction of a day."""
    if value is None or isinstance(value, str):
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int):
        return float(value) if abs(value) < 1e300 else (math.inf if value > 0 else -math.inf)   # no OverflowError
    if isinstance(value, float):
        return value
    if isinstance(value, dt.datetime):
        return value.toordinal() + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, dt.date):
        return float(value.toordinal())
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return math.nan


class _Typist:
    """Reads one distinct text of one field: (value, issue code or None, template values)."""

    def __init__(self, field: Field, policy: Policy, missing_values: set[str]):
        self.field = field
        self.parse = PARSERS[field.type]
        self.missing = missing_values
        self.labels = {fold(label): v["id"] for v in field.values for label in (v["id"], v["zh"], v["en"])}
        self.ref = policy.lists.get(field.reference) if field.reference else None
        self.pattern = re.compile(field.pattern) if field.pattern else None
        self.ranged = field.minimum is not None or field.maximum is not None
        default = field.default
        if isinstance(default, dict):
            default = policy.thresholds.get(default["threshold"])
        self.default = default

    @property
    def constrained(self) -> bool:
        return bool(self.labels or self.ref or self.pattern or self.ranged)

    def blank(self):
        return (None, "missing-value", {}) if self.field.required else (self.default, None, {})

    def __call__(self, text: str):
        """The whole way, for a text the fast path did not read."""
        if parse.is_blank(text) or text.strip() in self.missing:
            return self.blank()
        if parse.normalize(text).upper() in parse.SPREADSHEET_ERRORS:
            return None, "spreadsheet-error", {}
        try:
            value = self.parse(text)
        except parse.ParseError as exc:
            return None, "type-error", {"expected_zh": exc.expected_zh, "expected_en": exc.expected_en}
        return self.constrain(value)

    def constrain(self, value):
        f = self.field
        if self.labels:
            key = self.labels.get(fold(value))
            if key is None:
                choices = ", ".join(f"{v['zh']}/{v['en']}" for v in f.values)
                return None, "not-in-list", {"expected": choices}
            value = key
        if self.ref is not None:
            key = self.ref.find(value)
            if key is None:
                return None, "unknown-reference", {"expected_zh": self.ref.title.get("zh", self.ref.name),
                                                   "expected_en": self.ref.title.get("en", self.ref.name)}
            value = key
        if self.pattern is not None and not self.pattern.fullmatch(value):
            return None, "pattern-mismatch", {"expected": self.pattern.pattern}
        return self._range(value)

    def _range(self, value):
        low, high = self.field.minimum, self.field.maximum
        if not isinstance(value, (int, float)) or ((low is None or value >= low) and (high is None or value <= high)):
            return value, None, {}
        if self.field.decimal_slip and low is not None and high is not None:
            for factor in (10, 100, 0.1, 0.01):
                guess = round(value / factor, 4)
                if low <= guess <= high:
                    return None, "decimal-slip", {"expected": f"{guess:g}"}
        bounds = f"{'' if low is None else f'{low:g}'}–{'' if high is None else f'{high:g}'}"
        return None, "out-of-range", {"expected": bounds}


def type_column(field: Field, column: Column | None, index: int | None, header: str | None,
                n_rows: int, policy: Policy, missing_values: set[str]):
    """Type one column. Returns the TypedColumn and, per distinct text, its issue (code, extras) or None."""
    column = column or Column.blank(n_rows)
    typist = _Typist(field, policy, missing_values)
    norm, blank, sheet_error = fast.prepare(column)
    values, num, ok = fast.read(field.type, norm)
    num, ok = np.array(num, dtype=np.float64), ok & ~blank & ~sheet_error     # writable copies
    problems: list = [None] * len(values)
    texts = None
    for k in np.flatnonzero(~ok).tolist():
        texts = texts or column.uniques
        value, code, extra = typist(texts[k])
        values[k], num[k] = value, as_number(value)
        problems[k] = (code, extra) if code else None
    if typist.constrained:
        for k in _to_constrain(typist, norm, num, ok).tolist():
            value, code, extra = typist.constrain(values[k])
            if value != values[k] or code:
                values[k], num[k] = value, as_number(value)
                problems[k] = (code, extra) if code else None
    _outer_bounds(field, policy, values, num, problems)
    error = np.array([p is not None and iss.CATALOGUE[p[0]][0] == iss.ERROR for p in problems], dtype=bool)
    typed = TypedColumn(field=field, index=index, header=header, codes=column.codes, column=column,
                        lazy=values, num=num, error=error)
    return typed, problems


def _outer_bounds(field: Field, policy: Policy, values, num: np.ndarray, problems: list) -> None:
    """Numbers within +-MAX_MAGNITUDE, dates within the campus's `dates:`, whatever the schema says."""
    if field.type in ("integer", "number"):
        low, high, expected = -MAX_MAGNITUDE, MAX_MAGNITUDE, f"{-MAX_MAGNITUDE:g}–{MAX_MAGNITUDE:g}"
    elif field.type in ("date", "datetime"):
        earliest, latest = policy.dates
        low, high, expected = earliest.toordinal(), latest.toordinal() + 0.99999, f"{earliest}–{latest}"
    else:
        return
    with np.errstate(invalid="ignore"):
        far = np.flatnonzero((num < low) | (num > high))
    for k in far.tolist():
        values[k], num[k] = None, math.nan
        problems[k] = ("out-of-range", {"expected": expected})


def _to_constrain(typist: _Typist, norm, num: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """The fast-read texts that still need a look in Python: every one for lists and labels,
    only suspects for patterns and ranges (RE2 and numpy have already cleared the rest)."""
    if typist.labels or typist.ref:
        return np.flatnonzero(ok)
    suspect = np.zeros(len(ok), dtype=bool)
    if typist.pattern is not None:
        matched = fast.matches(norm, typist.pattern.pattern)
        suspect |= ~matched if matched is not None else True
    low, high = typist.field.minimum, typist.field.maximum
    with np.errstate(invalid="ignore"):
        if low is not None:
            suspect |= num < low
        if high is not None:
            suspect |= num > high
    return np.flatnonzero(ok & suspect)


def cell_issues(typed: TypedColumn, problems: list, live: np.ndarray, sheet: str, tab: str, source: str,
                row_number) -> list[iss.Issue]:
    """One issue per live row whose text has a problem."""
    flagged = np.array([p is not None for p in problems], dtype=bool) if problems else np.zeros(0, dtype=bool)
    if not flagged.any():
        return []
    rows = np.flatnonzero(flagged[typed.codes] & live)
    letter = iss.column_letter(typed.index) if typed.index is not None else None
    column = typed.header or typed.field.title["zh"]
    out = []
    for i in rows.tolist():
        code, extra = problems[typed.codes[i]]
        text = typed.texts[typed.codes[i]]
        number = row_number(i)
        out.append(iss.make(code, sheet, row=number, column=column, cell=f"{letter}{number}" if letter else None,
                            value=text, field=typed.field.name, source=source, tab=tab, **extra))
    return out
