"""What a raw .xlsx cell value reads as: the text a person typed, near enough, as calamine gives it.

A cell's class comes from its t= attribute and, for numbers, its style's number format; each
class turns the distinct raw XML texts of a column into cell texts in one go.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .table import cell_text

TEXT, SHARED, NUMBER, DATE, DURATION, BOOL, ERROR = range(7)
TYPES = {"inlineStr": TEXT, "str": TEXT, "s": SHARED, "n": NUMBER, "b": BOOL, "e": ERROR}
_BUILTIN_DATES = {*range(14, 23), 45, 47}   # the built-in formats calamine reads as dates; 46 is [h]:mm:ss
_REFERENCE = re.compile(r"&(?:#(\d+)|#x([0-9a-fA-F]+)|(lt|gt|amp|quot|apos));")
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_STRAY_AMPERSAND = re.compile(r"&(?!(?:#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot|apos);)")
_ITEM = re.compile(rb"<si>(.*?)</si>|<si/>", re.S)
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_RUN_TEXT = re.compile(rb"<t(\s[^>]*preserve[^>]*)?(?:\s[^>]*)?>([^<]*)</t>")
_TRIMMED = " \t\n\r"
_LAST_DAY = 2_958_466                       # serial day of 10000-01-01 (1900 system; 1,462 fewer in 1904)


class BadValue(ValueError):
    """A raw value its class cannot read (a shared-string index out of range, a number that is not)."""


def texts(kind: int, raw: pa.Array, shared: pa.Array, date1904: bool) -> pa.Array:
    """The cell texts of distinct raw XML texts of one class (TEXT for shared strings once looked up)."""
    if kind == SHARED:                      # the table's texts are final (shared_texts)
        try:
            return shared.take(pc.cast(raw, pa.int64()))
        except (pa.ArrowInvalid, IndexError):
            raise BadValue("shared string index") from None
    if kind in (TEXT, ERROR):
        if not pc.any(pc.match_substring_regex(raw, "&|_x")).as_py():
            return raw
        return pa.array([unescape(t) for t in raw.to_pylist()], pa.string())
    empty = pc.equal(raw, "")
    if pc.any(empty).as_py():               # <v></v>: a formula whose cached result is empty
        return pc.if_else(empty, "", texts(kind, pc.if_else(empty, "0", raw), shared, date1904))
    if kind == DATE:
        return _dates(raw, date1904)
    convert = {NUMBER: _number, DURATION: _duration, BOOL: _boolean}[kind]
    return pa.array([convert(t) for t in raw.to_pylist()], pa.string())


def _number(text: str) -> str:
    try:
        return cell_text(float(text))
    except ValueError:
        raise BadValue(f"number {text!r}") from None


def _duration(text: str) -> str:
    try:
        return cell_text(dt.timedelta(days=float(text)))
    except OverflowError:                   # past timedelta's 999,999,999 days: the number as typed
        return _number(text)
    except ValueError:
        raise BadValue(f"duration {text!r}") from None


def _boolean(text: str) -> str:
    return "TRUE" if text.strip() in ("1", "true") else "FALSE"


def _dates(raw: pa.Array, date1904: bool) -> pa.Array:
    """Serial day numbers in a date format, as calamine reads them: under 1 a time of day, whole
    a date, else a date and time, to the millisecond. Serial 60 is the 29 February 1900 that
    Excel counts and that never was: read as the 28th. Negative ones stay numbers."""
    try:
        serial = pc.cast(raw, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        raise BadValue("date serial") from None
    usable = (serial >= 0) & (serial < _LAST_DAY - (1462 if date1904 else 0))
    serial = np.where(usable, serial, 0)
    time_only = serial < 1                  # decided before rounding: 0.99999999 is 00:00:00, not a day later
    days = np.floor(serial).astype(np.int64)
    ms = np.rint((serial - days) * 86_400_000).astype(np.int64)
    days += ms >= 86_400_000
    ms %= 86_400_000
    if date1904:
        day = np.datetime64("1904-01-01", "D") + days
    else:
        day = np.datetime64("1899-12-30", "D") + days + ((days >= 1) & (days < 60))
    stamp = pa.array(np.datetime_as_string(day.astype("datetime64[ms]") + ms, unit="us"))  # ...THH:MM:SS.ffffff
    whole_second = ms % 1000 == 0
    forms = [pc.utf8_slice_codeunits(stamp, 11, 19),                     # 08:30:00
             pc.utf8_slice_codeunits(stamp, 11, 26),                     # 08:30:00.009000
             pc.utf8_slice_codeunits(stamp, 0, 10),                      # 2020-02-11
             pc.replace_substring(pc.utf8_slice_codeunits(stamp, 0, 19), "T", " "),
             pc.replace_substring(stamp, "T", " ")]
    form = np.where(time_only, np.where(whole_second, 0, 1),
                    np.where(ms == 0, 2, np.where(whole_second, 3, 4)))
    out = pc.choose(pa.array(form.astype(np.int8)), *forms)
    if usable.all():
        return out
    out = out.to_pylist()
    for i in np.flatnonzero(~usable):
        out[i] = _number(raw[int(i)].as_py())
    return pa.array(out, pa.string())


def unescape(text: str, trim: bool = False) -> str:
    """XML references, then Excel's _xHHHH_ escapes of control characters, decoded; with trim,
    the ends trimmed between the two, as calamine does for a <t> without xml:space="preserve".
    A reference that XML does not allow raises BadValue (calamine refuses such a file too)."""
    if "&" in text:
        if _STRAY_AMPERSAND.search(text):
            raise BadValue(f"not an XML reference in {text[:40]!r}")
        text = _REFERENCE.sub(_reference, text)
    if trim:
        text = text.strip(_TRIMMED)
    return _EXCEL_ESCAPE.sub(_excel_escape, text) if "_x" in text else text


def _reference(m: re.Match) -> str:
    if m.group(3):
        return _NAMED[m.group(3)]
    code = int(m.group(1), 10) if m.group(1) else int(m.group(2), 16)
    if not _xml_char(code):
        raise BadValue(f"&#{code}; is not an XML character")
    return chr(code)


def _excel_escape(m: re.Match) -> str:
    code = int(m.group(1), 16)              # _xD83D_ and other surrogates stay as written, as in calamine
    return m.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def _xml_char(code: int) -> bool:
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def date_styles(styles: str) -> dict[int, int]:
    """{cell style index: DATE or DURATION} for the styles whose number format shows a date or time."""
    formats = {int(i): unescape(code) for i, code in
               re.findall(r'<numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"', styles)}
    cell_xfs = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
    found = {}
    for index, attrs in enumerate(re.findall(r"<xf\b([^>]*)", cell_xfs.group(1) if cell_xfs else "")):
        number = re.search(r'numFmtId="(\d+)"', attrs)
        fmt = int(number.group(1)) if number else 0
        kind = format_kind(formats[fmt]) if fmt in formats else \
            DURATION if fmt == 46 else DATE if fmt in _BUILTIN_DATES else NUMBER
        if kind != NUMBER:
            found[index] = kind
    return found


def format_kind(code: str) -> int:
    """DATE, DURATION or NUMBER for a number format code: whether its first section, outside
    quoted text, escapes and [colour]/[$-804] brackets, shows a date or time part ([h] is elapsed)."""
    section = re.sub(r'"[^"]*"|\\.|_.', "", code).split(";")[0]
    if re.search(r"\[(h+|m+|s+)\]", section, re.I):
        return DURATION
    section = re.sub(r"\[[^\]]*\]|General", "", section, flags=re.I)
    if re.search(r"AM/PM|A/P|[dmhys]", section, re.I):
        return DATE
    return NUMBER


def shared_texts(raw: pa.Array, trimmed: np.ndarray) -> pa.Array:
    """The final texts of a shared-string table's raw items: references decoded, and the ends of
    items without xml:space="preserve" trimmed of spaces, tabs and newlines, as calamine does."""
    if not pc.any(pc.match_substring_regex(raw, "&|_x")).as_py():
        return pc.if_else(pa.array(trimmed), pc.utf8_trim(raw, _TRIMMED), raw)
    return pa.array([unescape(t, trim) for t, trim in zip(raw.to_pylist(), trimmed.tolist())], pa.string())


def shared_strings(data: bytes) -> pa.Array:
    """The final texts of any shared-string table, item by item. Rich text joins its runs; the
    phonetic guide runs (<rPh>) that Japanese Excel adds are left out."""
    items = []
    for si in _ITEM.finditer(data):
        body = _PHONETIC.sub(b"", si.group(1) or b"")
        runs = [unescape(text.decode("utf-8"), trim=not preserve) for preserve, text in _RUN_TEXT.findall(body)]
        items.append("".join(runs))
    return pa.array(items, pa.string())
