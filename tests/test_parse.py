import math
import pickle
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, strategies as st

from sync.validate.parse import (
    SPREADSHEET_ERRORS, ParseError, is_blank, normalize, parse_boolean, parse_date, parse_datetime,
    parse_integer, parse_number, parse_string, parse_time,
)

PARSERS = [parse_integer, parse_number, parse_boolean, parse_date, parse_time, parse_datetime, parse_string]
EPOCH = datetime(1899, 12, 30)
FULL_WIDTH = str.maketrans("0123456789-+,.", "０１２３４５６７８９－＋，．")


def assert_rejects(parser, text):
    with pytest.raises(ParseError) as info:
        parser(text)
    assert info.value.expected_zh and info.value.expected_en


# --- normalize, is_blank, parse_string, ParseError -------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("３６．５", "36.5"), ("（备注）", "(备注)"), ("\u3000 12 \u00a0", "12"), ("ＡＢＣ", "ABC"),
    ("36.5℃", "36.5°C"), ("  张 三　", "张 三"), ("", ""),
])
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("text, blank", [
    ("", True), (" ", True), ("\u3000", True), ("\u00a0\t\n", True), ("a", False), (" 0 ", False), ("—", False),
])
def test_is_blank(text, blank):
    assert is_blank(text) is blank


@pytest.mark.parametrize("text, expected", [
    ("  张三　", "张三"), ("ＡＢＣ１２３", "ABC123"), ("a  b", "a  b"), ("#REF!", "#REF!"),
])
def test_parse_string(text, expected):
    assert parse_string(text) == expected


def test_spreadsheet_errors():
    assert {"#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!",
            "#ERROR!"} == SPREADSHEET_ERRORS


def test_parse_error_carries_both_languages_and_pickles():
    error = ParseError("整数，如 12", "a whole number such as 12")
    assert isinstance(error, ValueError)
    assert (error.expected_zh, error.expected_en) == ("整数，如 12", "a whole number such as 12")
    assert "整数" in str(error) and "whole number" in str(error)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.expected_zh, copy.expected_en) == (error.expected_zh, error.expected_en)


@pytest.mark.parametrize("parser, expected_zh, expected_en", [
    (parse_integer, "整数，如 12", "a whole number such as 12"),
    (parse_number, "数字，如 36.5", "a number such as 36.5"),
    (parse_boolean, "是 或 否", "yes or no (是/否)"),
    (parse_date, "日期，如 2020-02-11", "a date such as 2020-02-11"),
    (parse_time, "时间，如 08:30", "a time such as 08:30"),
    (parse_datetime, "日期和时间，如 2020-02-11 08:30", "a date and time such as 2020-02-11 08:30"),
])
def test_expected_messages(parser, expected_zh, expected_en):
    with pytest.raises(ParseError) as info:
        parser("???")
    assert (info.value.expected_zh, info.value.expected_en) == (expected_zh, expected_en)


# --- integers --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("12", 12), ("+12", 12), ("-3", -3), ("0", 0), ("1,234", 1234), ("1,234,567", 1234567), ("１２", 12),
    ("－３", -3), ("\u22123", -3), ("12.0", 12), ("12.00", 12), ("1,234.0", 1234), (" 12 ", 12), ("\u300012\u3000", 12),
    ("12人", 12), ("2019级", 2019), ("3 次", 3), ("12 pcs", 12), ("12人次", 12), ("60千克", 60),
    ("99999999999999", 99999999999999), ("007", 7),
])
def test_parse_integer_accepts(text, expected):
    assert parse_integer(text) == expected


@pytest.mark.parametrize("text", [
    "12.5", "12.01", "1,2", "1,2345", "12,34", ",123", "12abc1", "", "   ", "abc", "1e3", "12 abcd", "12%",
    "nan", "inf", "--3", "+-3", "1_000", "0x10", "12.", ".0", "١٢", "12万", "3亿人", "5千", "#REF!", "12 人 次",
    "1" * 5000,
])
def test_parse_integer_rejects(text):
    assert_rejects(parse_integer, text)


# --- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("36.5", 36.5), ("-1.5", -1.5), ("+2", 2.0), (".5", 0.5), ("-.5", -0.5), ("1,234.5", 1234.5),
    ("３６．５", 36.5), ("1e3", 1000.0), ("1.5E-3", 0.0015), ("2e+2", 200.0), ("12", 12.0),
    ("36.5℃", 36.5), ("36.5 ℃", 36.5), ("36.5°C", 36.5), ("36.5 °C", 36.5), ("36.5° C", 36.5), ("36.5度", 36.5),
    ("500mg/L", 500.0), ("500 mg/l", 500.0), ("75%", 75.0), ("1.5L", 1.5), ("2升", 2.0), ("250 ml", 250.0),
    ("3个", 3.0), ("60千克", 60.0), ("98.6°F", 98.6), ("1e300", 1e300),
])
def test_parse_number_accepts(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", [
    "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e400", "-1e400", "36.5.1", "abc", "36,5", "1,23.5", "",
    ".", "-", "e5", "36.5 degrees", "1_000.5", "0x1p3", "12万", "1.5亿", "--1", "#DIV/0!", "36.5 ℃ ℃",
])
def test_parse_number_rejects(text):
    assert_rejects(parse_number, text)


# --- booleans --------------------------------------------------------------------------------

TRUE_FORMS = ["是", "有", "Y", "y", "yes", "Yes", "YES", "true", "TRUE", "True", "1", "1.0", "✓", "√", "✔", "对", "Ｙ"]
FALSE_FORMS = ["否", "无", "N", "n", "no", "No", "NO", "false", "FALSE", "0", "0.0", "✗", "×", "✘", "错", "０"]


@pytest.mark.parametrize("text, expected", [(t, True) for t in TRUE_FORMS] + [(t, False) for t in FALSE_FORMS])
def test_parse_boolean_accepts(text, expected):
    assert parse_boolean(text) is expected


@pytest.mark.parametrize("text", ["x", "X", "maybe", "2", "10", "-1", "yess", "t", "f", "", "是否", "1.5", "ok"])
def test_parse_boolean_rejects(text):
    assert_rejects(parse_boolean, text)


# --- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "2020-02-11", "2020/2/11", "2020/02/11", "2020年2月11日", "2020年2月11号", "2020 年 2 月 11 日", "2020.2.11",
    "2020-2-11", "20200211", "43872", "43872.0", "2020-02-11 00:00:00", "2020-02-11 00:00", "2020-02-11T00:00:00",
    "２０２０－０２－１１", "2020年2月11日 0点",
])
def test_parse_date_accepts(text):
    assert parse_date(text) == date(2020, 2, 11)


@pytest.mark.parametrize("text, expected", [
    ("18264", date(1950, 1, 1)), ("2958465", date(9999, 12, 31)), ("2020-02-29", date(2020, 2, 29)),
    ("0001-01-01", date(1, 1, 1)),
])
def test_parse_date_edges(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [
    "2020-02-30", "2019-02-29", "2020-13-01", "2020-00-10", "2020-02-00", "2020年2月30日", "20201301", "0000-01-01",
    "2020-02-11 08:30", "2020-02-11 00:00:01", "43872.5", "0", "0.0", "2958466", "-1", "2020", "1", "20-02-11", "2020-02",
    "2020/02-11", "2020-2-11x", "2020-02-11 25:00", "abc", "", "2020年2月11", "202002111", "2020-002-11",
])
def test_parse_date_rejects(text):
    assert_rejects(parse_date, text)


# --- times -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("08:30", time(8, 30)), ("8:30", time(8, 30)), ("8:30:15", time(8, 30, 15)), ("08:30:00", time(8, 30)),
    ("０８：３０", time(8, 30)), ("23:59:59", time(23, 59, 59)), ("0:00", time(0, 0)),
    ("8点30分", time(8, 30)), ("8点30", time(8, 30)), ("8点", time(8)), ("8时30分", time(8, 30)),
    ("8点30分15秒", time(8, 30, 15)), ("8点半", time(8, 30)), ("8 点 5 分", time(8, 5)),
    ("上午8点30分", time(8, 30)), ("下午3点", time(15)), ("晚上9点", time(21)), ("中午12点", time(12)),
    ("中午1点", time(13)), ("凌晨2点", time(2)), ("早上7点", time(7)), ("晚上12点", time(0)), ("下午3:30", time(15, 30)),
    ("3:30 PM", time(15, 30)), ("3:30pm", time(15, 30)), ("12:00 AM", time(0)), ("12:00 PM", time(12)),
    ("11:59 p.m.", time(23, 59)), ("0.354166666", time(8, 30)), ("0", time(0)), ("0.5", time(12)),
    (".75", time(18)), ("1.1574074074074073e-05", time(0, 0, 1)),
])
def test_parse_time_accepts(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", [
    "25:00", "24:00", "8:61", "8:60", "8:30:60", "8:5", "830", "8", "abc", "", "1", "1.0", "1.5", "-0.5",
    "0.99999999", "13:00 PM", "下午13点", "下午3:30 PM", "8点61分", "8点30秒", "25点", "8:30 XM", "8::30",
    "2020-02-11 08:30",
])
def test_parse_time_rejects(text):
    assert_rejects(parse_time, text)


# --- datetimes -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2020-02-11 08:30", datetime(2020, 2, 11, 8, 30)), ("2020/2/11 8:30:00", datetime(2020, 2, 11, 8, 30)),
    ("2020年2月11日 8点30分", datetime(2020, 2, 11, 8, 30)), ("2020-02-11T08:30:00", datetime(2020, 2, 11, 8, 30)),
    ("2020年2月11日8点30分", datetime(2020, 2, 11, 8, 30)), ("2020年2月11号下午3点", datetime(2020, 2, 11, 15)),
    ("20200211 08:30", datetime(2020, 2, 11, 8, 30)), ("2020.2.11  3:30 PM", datetime(2020, 2, 11, 15, 30)),
    ("43872.354166666", datetime(2020, 2, 11, 8, 30)), ("43872", datetime(2020, 2, 11)),
    ("2020-02-11", datetime(2020, 2, 11)), ("2020年2月11日", datetime(2020, 2, 11)),
    ("2958465.5", datetime(9999, 12, 31, 12)),
])
def test_parse_datetime_accepts(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", [
    "2020-02-30 08:30", "2020-02-11 25:00", "2020-02-11 8:61", "2020-02-1108:30", "2020-02-11X08:30",
    "2020-02-11T", "2020-02-11 T08:30", "2020-02-11 0.5", "abc", "", "0.5", "2958466", "2020", "1", "2958465.99999999",
    "08:30", "2020-02-11 08:30 +08:00",
])
def test_parse_datetime_rejects(text):
    assert_rejects(parse_datetime, text)


# --- properties ------------------------------------------------------------------------------

@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_round_trip(d):
    serial = (d - EPOCH.date()).days
    forms = [
        d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日", f"{d.year}.{d.month}.{d.day}",
        f"{d:%Y%m%d}", f"{d.isoformat()} 00:00:00",
    ] + ([str(serial), f"{serial}.0"] if d.year >= 1950 else [])
    for form in forms:
        assert parse_date(form) == d, form
        assert parse_datetime(form) == datetime.combine(d, time()), form


@given(st.times().map(lambda t: t.replace(microsecond=0)))
def test_times_round_trip(t):
    forms = [f"{t:%H:%M:%S}", f"{t.hour}:{t.minute:02}:{t.second:02}",
             f"{t.hour}点{t.minute}分{t.second}秒", repr((t.hour * 3600 + t.minute * 60 + t.second) / 86400)]
    if t.second == 0:
        hour12, am = t.hour % 12 or 12, t.hour < 12
        forms += [f"{t:%H:%M}", f"{t.hour}点{t.minute}分", f"{t.hour}时{t.minute}分", f"{t.hour}点{t.minute}",
                  f"{hour12}:{t.minute:02} {'AM' if am else 'PM'}", f"{'上午' if am else '下午'}{hour12}点{t.minute}分"]
    for form in forms:
        assert parse_time(form) == t, form


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)).map(
    lambda dt: dt.replace(microsecond=0)))
def test_datetimes_round_trip(dt):
    serial = [repr((dt - EPOCH) / timedelta(days=1))] if dt.year >= 1950 else []
    forms = serial + [f"{dt:%Y-%m-%d %H:%M:%S}", f"{dt:%Y-%m-%dT%H:%M:%S}", f"{dt:%Y/%m/%d} {dt.hour}:{dt.minute:02}:{dt.second:02}",
             f"{dt.year}年{dt.month}月{dt.day}日{dt.hour}点{dt.minute}分{dt.second}秒"]
    for form in forms:
        assert parse_datetime(form) == dt, form


@given(st.integers())
def test_integers_round_trip(n):
    for form in (str(n), f"{n:,}", str(n).translate(FULL_WIDTH), f"{n:,}".translate(FULL_WIDTH), f"{n}.0", f"{n} 人"):
        assert parse_integer(form) == n, form


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_round_trip(x):
    for form in (repr(x), repr(x) + "℃", repr(x) + " ℃", repr(x).translate(FULL_WIDTH)):
        assert parse_number(form) == x, form
    if abs(x) < 1e15:
        assert math.isclose(parse_number(f"{x:,.6f}"), x, rel_tol=1e-6, abs_tol=1e-6)


@given(st.booleans(), st.data())
def test_booleans_round_trip(value, data):
    form = data.draw(st.sampled_from(TRUE_FORMS if value else FALSE_FORMS))
    case = data.draw(st.sampled_from([str.upper, str.lower, str.title, str]))
    assert parse_boolean(f" {case(form)}\u3000") is value


CELL_LIKE = st.text(alphabet="0123456789０１.,:-/+eE T年月日号点时分秒半上下午晚凌晨中%℃°人万xX是否", max_size=24)


@pytest.mark.parametrize("parser", PARSERS)
@given(text=st.one_of(st.text(), CELL_LIKE))
def test_never_a_traceback(parser, text):
    try:
        parser(text)
    except ParseError as error:
        assert error.expected_zh and error.expected_en
