"""The Arrow fast path must never disagree with the tolerant parsers it stands in for."""
from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.read.table import Column
from sync.validate import fast, parse

PARSERS = {"integer": parse.parse_integer, "number": parse.parse_number, "date": parse.parse_date,
           "time": parse.parse_time, "datetime": parse.parse_datetime, "string": parse.parse_string}
CELLS = st.text(alphabet="0123456789-/.:年月日号点时分 T\u3000０１２abc+e", max_size=24)


def _dates():
    return st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 12, 31)).map(
        lambda d: d.replace(microsecond=0))


LIKELY = st.one_of(
    CELLS,
    _dates().map(lambda d: f"{d:%Y-%m-%d %H:%M:%S}"),
    _dates().map(lambda d: f"{d.year}/{d.month}/{d.day} {d.hour}:{d.minute:02}"),
    _dates().map(lambda d: f"{d.year}年{d.month}月{d.day}日 {d.hour}点{d.minute}分"),
    _dates().map(lambda d: f"{d:%Y-%m-%d}"),
    _dates().map(lambda d: f"{d:%Y-%m-%dT%H:%M}"),                 # the fixed form read by position
    _dates().map(lambda d: f"{d:%Y-%m-%d %H:%M}"),
    st.sampled_from(["2020-02-11 25:00", "2020-02-11 08:61:00", "2020-00-11", "2020-02-11T08:30:60"]),
    st.integers(-10**16, 10**16).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["2020-02-30", "2019-02-29", "2020-13-01", "24:00", "8:60", "0000-01-01", "2020-2-1 7:05"]),
)


def _agree(kind, texts):
    column = Column.from_texts(texts)
    norm, blank, error = fast.prepare(column)
    values, num, ok = fast.read(kind, norm)
    for text, value, number, good in zip(column.uniques, values, num, ok & ~blank & ~error):
        if not good:
            continue
        expected = PARSERS[kind](text)             # raises if fast accepted what parse refuses
        assert value == expected, (kind, text, value, expected)
        if kind in ("integer", "number"):
            assert math.isclose(number, float(expected), rel_tol=1e-12)


@settings(max_examples=300, deadline=None)
@given(st.lists(LIKELY, min_size=1, max_size=20))
def test_fast_reads_agree_with_the_parsers(texts):
    for kind in PARSERS:
        _agree(kind, texts)


def test_fast_path_covers_the_usual_forms():
    texts = ["2020-02-11 08:30:00", "2020/2/11 8:30", "2020年2月11日 8点30分", "2020.2.11", "08:30", "36.5", "12"]
    column = Column.from_texts(texts)
    norm = fast.prepare(column)[0]
    assert fast.read("datetime", norm)[2].tolist() == [True, True, True, True, False, False, False]
    assert fast.read("time", norm)[2].tolist() == [False, False, False, False, True, False, False]
    assert fast.read("number", norm)[2].tolist()[-2:] == [True, True]
    assert fast.read("date", pa.array(["2020-02-30", "2020-02-29"]))[2].tolist() == [False, True]
