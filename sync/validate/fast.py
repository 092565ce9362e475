"""Vectorised reading of the common, well-formed cell forms with Arrow.

Most distinct texts in a big sheet are plain: an ISO date, a whole number, a name. Arrow
reads those in C; whatever does not match a strict pattern here is handed to the tolerant
parsers of parse.py one by one, so the rules for what is accepted live in one place and
this module only makes the usual case fast. Every shortcut is checked to agree with
parse.py by tests/test_fast.py.
"""
from __future__ import annotations

from typing import Any

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .parse import SPREADSHEET_ERRORS

ORDINAL_1970 = 719163          # datetime.date(1970, 1, 1).toordinal()
_ERRORS = pa.array(sorted(SPREADSHEET_ERRORS))
# Arrow's own strptime would roll 2020-02-30 over into March, so dates are taken apart with
# regular expressions and checked here instead.
# Y-M-D with one separator used twice (RE2 has no back-references, hence one pattern each),
# then an optional H:M[:S] after a space or T.
_CLOCK = r"(?:[ T](?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?)"
_YMD = [rf"^(?P<year>[0-9]{{4}}){sep}(?P<month>[0-9]{{1,2}}){sep}(?P<day>[0-9]{{1,2}})" for sep in ("-", "/", r"\.")]
_CHINESE = (r"^(?P<year>[0-9]{4})年(?P<month>[0-9]{1,2})月(?P<day>[0-9]{1,2})[日号]"
            r"(?:\s*(?P<hour>[0-9]{1,2})[点时](?:(?P<minute>[0-9]{1,2})分?)?)?$")
# The commonest form, every field at its place: read by position, without regex captures.
_ISO_FIXED = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?$"
_ISO_PLACES = {"year": (0, 4), "month": (5, 7), "day": (8, 10), "hour": (11, 13), "minute": (14, 16),
               "second": (17, 19)}
_TIME = r"^(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?$"
_INTEGER = r"^-?[0-9]{1,15}$"
_NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"


def prepare(column) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Normalised texts (NFKC, trimmed), and per text: blank? spreadsheet error? Made once per column."""
    if column.prepared is None:
        norm = pc.utf8_trim_whitespace(pc.utf8_normalize(column.dictionary, "NFKC"))
        blank = pc.equal(norm, "").to_numpy(zero_copy_only=False)
        error = pc.is_in(pc.utf8_upper(norm), value_set=_ERRORS).to_numpy(zero_copy_only=False)
        column.prepared = (norm, blank, error)
    return column.prepared


def read(kind: str, norm: pa.Array):
    """(values, num, ok) for the texts of `norm` that are in a plain form of `kind`.

    values: Python objects where ok, num: float for the rule engine (NaN where not ok)."""
    n = len(norm)
    if kind == "string" or kind == "enum":
        return norm.to_pylist(), np.full(n, np.nan), np.ones(n, dtype=bool)
    if kind in ("integer", "number"):
        mask = pc.match_substring_regex(norm, _INTEGER if kind == "integer" else _NUMBER)
        numbers = pc.cast(pc.if_else(mask, norm, None), pa.int64() if kind == "integer" else pa.float64())
        num = pc.cast(numbers, pa.float64()).to_numpy(zero_copy_only=False)
        return numbers.to_pylist(), num, mask.to_numpy(zero_copy_only=False)
    if kind == "date":
        return _timestamps(norm, days=True)
    if kind == "datetime":
        return _timestamps(norm, days=False)
    if kind == "time":
        return _times(norm)
    return [None] * n, np.full(n, np.nan), np.zeros(n, dtype=bool)


def matches(norm: pa.Array, pattern: str) -> np.ndarray | None:
    """Which texts fully match a schema pattern, or None when RE2 cannot run the pattern."""
    try:
        return pc.match_substring_regex(norm, f"^(?:{pattern})$").to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return None


class LazyValues:
    """Python date/datetime objects for an Arrow array, made only if someone asks for them:
    typing and rules work on the numbers, and building objects for every distinct timestamp
    of a big log is most of the cost of typing it."""

    def __init__(self, array: pa.Array, ok: np.ndarray):
        self._array, self._ok = array, ok
        self._set: dict[int, Any] = {}

    def __len__(self) -> int:
        return len(self._ok)

    def __setitem__(self, k: int, value) -> None:
        self._set[k] = value

    def __getitem__(self, k: int):
        if k in self._set:
            return self._set[k]
        return self._array[k].as_py() if self._ok[k] else None

    def materialize(self) -> list:
        out = [v if k else None for v, k in zip(self._array.to_pylist(), self._ok.tolist())]
        for k, value in self._set.items():
            out[k] = value
        return out


def _fields(norm: pa.Array, pattern: str, names: tuple[str, ...], among: np.ndarray | None = None):
    """{name: int array (0 where absent)} and the mask of texts (among those given) that match the pattern.
    The regular expressions run on the texts given only, and the captures on those that match."""
    where = np.arange(len(norm)) if among is None else np.flatnonzero(among)
    texts = norm if among is None else norm.take(pa.array(where))
    matched = pc.match_substring_regex(texts, pattern).to_numpy(zero_copy_only=False)
    mask = np.zeros(len(norm), dtype=bool)
    mask[where[matched]] = True
    if not matched.any():
        return None, mask
    parts = pc.extract_regex(texts.filter(pa.array(matched)), pattern=pattern)
    out = {}
    for name in names:
        text = pc.struct_field(parts, name) if name in parts.type.names else None
        ints = np.zeros(len(norm), dtype=np.int64)
        if text is not None:
            filled = pc.if_else(pc.equal(pc.fill_null(text, ""), ""), "0", pc.fill_null(text, "0"))
            ints[mask] = pc.cast(filled, pa.int64()).to_numpy()
        out[name] = ints
    return out, mask


def _days_from_civil(y, m, d):
    """Proleptic Gregorian date -> days since 1970-01-01, for numpy arrays."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _month_days(y, m):
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    return np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(m, 0, 12)] + (leap & (m == 2))


def _fixed_fields(norm: pa.Array):
    """_fields for _ISO_FIXED: the digits at their places (a date alone is padded with zeros)."""
    mask = pc.match_substring_regex(norm, _ISO_FIXED).to_numpy(zero_copy_only=False)
    if not mask.any():
        return None, mask
    texts = pc.utf8_rpad(pc.filter(norm, pa.array(mask)), 19, "0")
    out = {}
    for name, (start, stop) in _ISO_PLACES.items():
        out[name] = np.zeros(len(norm), dtype=np.int64)
        out[name][mask] = pc.cast(pc.utf8_slice_codeunits(texts, start, stop), pa.int64()).to_numpy()
    return out, mask


def _timestamps(norm: pa.Array, days: bool):
    n = len(norm)
    seconds = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    names = ("year", "month", "day", "hour", "minute", "second")
    filled = pc.not_equal(norm, "").to_numpy(zero_copy_only=False)
    for shape in [None] + [ymd + f"{_CLOCK}?$" for ymd in _YMD] + [_CHINESE]:
        if shape is None:
            parts, mask = _fixed_fields(norm)
        elif (rest := filled & ~ok).any():     # the forms below only for what the fixed one left
            parts, mask = _fields(norm, shape, names, among=rest)
        else:
            break
        if parts is None:
            continue
        y, m, d, hh, mm, ss = (parts[k] for k in names)
        good = mask & (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= _month_days(y, m)) & (hh < 24) & (mm < 60) & (ss < 60)
        seconds = np.where(good, _days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss, seconds)
        ok |= good
    if days:
        # A date cell holding a datetime is only a date at midnight; parse.py decides the rest.
        ok &= seconds % 86400 == 0
    num = np.where(ok, seconds / 86400 + ORDINAL_1970, np.nan)
    stamps = pa.array(np.where(ok, seconds, 0), type=pa.int64()).cast(pa.timestamp("s"))
    return LazyValues(stamps.cast(pa.date32()) if days else stamps, ok), num, ok


def _times(norm: pa.Array):
    parts, ok = _fields(norm, _TIME, ("hour", "minute", "second"))
    if parts is None:
        return [None] * len(norm), np.full(len(norm), np.nan), ok
    hh, mm, ss = parts["hour"], parts["minute"], parts["second"]
    ok &= (hh < 24) & (mm < 60) & (ss < 60)
    seconds = hh * 3600 + mm * 60 + ss
    values = [dt.time(s // 3600, s // 60 % 60, s % 60) if k else None for s, k in zip(seconds.tolist(), ok.tolist())]
    return values, np.where(ok, seconds / 86400, np.nan), ok
