"""Read a spreadsheet cell's text as a typed value.

Departments type data by hand, in Chinese or English, so each reader accepts the
forms people actually type (full-width digits, 年月日, 下午3点, a unit after a
number) as well as what spreadsheet exports produce (serial day numbers, "12.0"
for a whole number, TRUE/FALSE). Every failure is a ParseError that says, in both
languages, what was expected; no other exception escapes a parse_* function.
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta

from ..vocabulary import BOOLEANS, EXPECTED

__all__ = [
    "SPREADSHEET_ERRORS", "ParseError", "is_blank", "normalize", "parse_boolean", "parse_date",
    "parse_datetime", "parse_integer", "parse_number", "parse_string", "parse_time",
]


class ParseError(ValueError):
    """A cell's text could not be read as the expected type."""

    def __init__(self, expected_zh: str, expected_en: str):
        # Both go into args so the exception pickles (e.g. from a worker process).
        super().__init__(expected_zh, expected_en)
        self.expected_zh = expected_zh
        self.expected_en = expected_en

    def __str__(self) -> str:
        return f"应为{self.expected_zh} / expected {self.expected_en}"


# Error values that Excel, LibreOffice and Google Sheets show in place of a formula's result.
SPREADSHEET_ERRORS = frozenset({
    "#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!", "#ERROR!",
})

_INTEGER, _NUMBER, _BOOLEAN = EXPECTED["integer"], EXPECTED["number"], EXPECTED["boolean"]
_DATE, _TIME, _DATETIME = EXPECTED["date"], EXPECTED["time"], EXPECTED["datetime"]

# Digits are spelled [0-9], not \d: \d also matches e.g. Arabic-Indic digits, which NFKC keeps.
_SIGN = r"(?P<sign>[-+\u2212]?)"  # U+2212 is the minus sign word processors substitute for "-"
_MINUS = ("-", "\u2212")
# Thousands separators only in groups of three, so a comma decimal such as "36,5" is rejected
# rather than read as 365.
_DIGITS = r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+"
_LETTER = r"[^\W\d_]"  # any letter, CJK ideographs included
_INTEGER_RE = re.compile(rf"{_SIGN}(?P<digits>{_DIGITS})(?:\.0+)?(?:\s*(?P<unit>{_LETTER}{{1,3}}))?")
_NUMBER_RE = re.compile(
    rf"{_SIGN}(?P<mantissa>(?:{_DIGITS})(?:\.[0-9]+)?|\.[0-9]+)(?P<exponent>[eE][-+]?[0-9]+)?"
    rf"(?:\s*(?P<unit>°\s?[CcFf]|(?:{_LETTER}|[°/%]){{1,5}}))?"
)
# "12万" means 120000, not 12 of some unit: refuse units made only of magnitude characters or
# starting with 万/亿. 千克 and 千米 stay valid units.
_MULTIPLIER_RE = re.compile(r"[十百千万萬亿億]+\Z|[万萬亿億]")

# Separators must agree ("2020-2/11" is refused). Each form may be followed by a time in a datetime.
_DATE_FORMS = tuple(re.compile(form) for form in (
    r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})",
    r"(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*[日号]",
    r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})",
))
_CLOCK_RE = re.compile(
    r"(?P<period>凌晨|早上|上午|中午|下午|晚上)?\s*(?P<h>[0-9]{1,2})(?:"
    r":(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?(?:\s*(?P<ampm>[AaPp])\.?[Mm]\.?)?"
    r"|\s*[点时]\s*(?:(?P<half>半)|(?P<cm>[0-9]{1,2})(?:\s*分(?:\s*(?P<cs>[0-9]{1,2})\s*秒)?)?)?)"
)
# First hour of the 12 hours each period names; "a"/"p" are AM/PM.
_PERIOD_START = {"凌晨": 0, "早上": 0, "上午": 0, "a": 0, "中午": 10, "下午": 12, "p": 12, "晚上": 18}
_DAY_FRACTION_RE = re.compile(r"[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?")
_SERIAL_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Day 0 of spreadsheet serials. Excel pretends 1900 was a leap year, so its serials below 61
# (before 1900-03-01) are one day later than this reading; nobody reports data from then.
_EPOCH = datetime(1899, 12, 30)
_LAST_SERIAL = 2958465  # 9999-12-31
# Serials before 1950 are refused: a bare year typed into a date cell ("2020") would
# otherwise read as a day in 1905.
_FIRST_SERIAL = 18264  # 1950-01-01
_MIDNIGHT = time()


def normalize(text: str) -> str:
    """NFKC (full-width to half-width, ℃ to °C) and strip whitespace, U+3000 and NBSP included."""
    return unicodedata.normalize("NFKC", text).strip()


def is_blank(text: str) -> bool:
    """True for "" or text of whitespace only (U+3000 included)."""
    return not text.strip()


def parse_integer(text: str) -> int:
    """"12", "-3", "1,234", "１２", "12.0", "12人", "12 pcs"."""
    return _parse(_read_integer, text, _INTEGER)


def parse_number(text: str) -> float:
    """"36.5", ".5", "1,234.5", "1e3", "36.5℃", "5 mg/L"; never nan or infinity."""
    return _parse(_read_number, text, _NUMBER)


def parse_boolean(text: str) -> bool:
    """是/否, 有/无, 对/错, Y/N, yes/no, true/false, 1/0, ✓/✗ (any case)."""
    return _parse(_read_boolean, text, _BOOLEAN)


def parse_date(text: str) -> date:
    """"2020-02-11", "2020/2/11", "2020年2月11日", "20200211", a serial day, or a datetime at midnight."""
    return _parse(_read_date, text, _DATE)


def parse_time(text: str) -> time:
    """"08:30", "8:30:15", "8点30分", "下午3点", "3:30 PM", or a fraction of a day such as "0.3541666"."""
    return _parse(_read_time, text, _TIME)


def parse_datetime(text: str) -> datetime:
    """A date, then a time after a space or "T" (or straight after 日); a serial; or a date alone."""
    return _parse(_read_datetime, text, _DATETIME)


def parse_string(text: str) -> str:
    """The text, normalized."""
    return normalize(text)


def _parse(reader, text, expected):
    # Readers return None for text of the wrong shape; date(), time() and int() raise ValueError
    # or OverflowError for well-shaped text out of range ("2020-02-30", 5000 digits).
    try:
        value = reader(normalize(text))
    except (ValueError, OverflowError):
        value = None
    if value is None:
        raise ParseError(*expected)
    return value


def _is_multiplier(unit: str | None) -> bool:
    return unit is not None and _MULTIPLIER_RE.match(unit) is not None


def _read_integer(s: str) -> int | None:
    m = _INTEGER_RE.fullmatch(s)
    if m is None or _is_multiplier(m["unit"]):
        return None
    value = int(m["digits"].replace(",", ""))
    return -value if m["sign"] in _MINUS else value


def _read_number(s: str) -> float | None:
    m = _NUMBER_RE.fullmatch(s)
    if m is None or _is_multiplier(m["unit"]):
        return None
    value = float(m["mantissa"].replace(",", "") + (m["exponent"] or ""))
    if not math.isfinite(value):  # "1e400"
        return None
    return -value if m["sign"] in _MINUS else value


def _read_boolean(s: str) -> bool | None:
    return BOOLEANS.get(s.casefold())


def _read_date(s: str) -> date | None:
    # Exports write dates as datetimes at midnight; any other time of day is not a date.
    moment = _read_datetime(s)
    if moment is None or moment.time() != _MIDNIGHT:
        return None
    return moment.date()


def _read_datetime(s: str) -> datetime | None:
    m = next(filter(None, (form.match(s) for form in _DATE_FORMS)), None)
    if m is None:
        return _read_serial(s)
    day = date(int(m["y"]), int(m["m"]), int(m["d"]))
    rest = s[m.end():]
    if not rest:
        return datetime.combine(day, _MIDNIGHT)
    if rest[0] in "Tt":
        rest = rest[1:]
    elif not (rest[0].isspace() or m.group()[-1] in "日号"):
        return None  # "2020-02-1108:30": no telling where the day ends
    clock = _read_clock(rest.lstrip())
    return None if clock is None else datetime.combine(day, clock)


def _read_serial(s: str) -> datetime | None:
    if _SERIAL_RE.fullmatch(s) is None:
        return None
    days = float(s)
    if not _FIRST_SERIAL <= days < _LAST_SERIAL + 1:
        return None
    # To the nearest second; rounding up past 9999-12-31 raises OverflowError.
    return _EPOCH + timedelta(seconds=round(days * 86400))


def _read_time(s: str) -> time | None:
    if _DAY_FRACTION_RE.fullmatch(s) is None:
        return _read_clock(s)
    fraction = float(s)
    if not 0 <= fraction < 1:
        return None
    # A fraction within half a second of 1 makes hour 24, which time() refuses.
    hour, seconds = divmod(round(fraction * 86400), 3600)
    return time(hour, *divmod(seconds, 60))


def _read_clock(s: str) -> time | None:
    m = _CLOCK_RE.fullmatch(s)
    if m is None:
        return None
    hour = int(m["h"])
    minute = 30 if m["half"] else int(m["m"] or m["cm"] or 0)
    second = int(m["s"] or m["cs"] or 0)
    if m["period"] or m["ampm"]:
        if (m["period"] and m["ampm"]) or hour > 12:
            return None
        # Of h and h+12, take the one inside the period's 12 hours: 12 AM is 00:00, 中午1点 is
        # 13:00, 晚上12点 is midnight.
        start = _PERIOD_START[m["period"] or m["ampm"].lower()]
        hour %= 12
        if (hour - start) % 24 >= 12:
            hour += 12
    return time(hour, minute, second)
