"""The upward report: the day's unit-by-unit table with totals, as CSV and .xlsx, bilingual headers.

It goes to the provincial education department, so it carries figures per unit and nothing
personal (no reporter, no notes). Every expected unit has a row; a missing one says so and
has blank figures (blank, not zero). The count columns are unit_daily's integer fields, with
the headers the sheet schema gives them.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

import xlsxwriter

from ..policy import Policy

UNDER_REVIEW = "待核实 under review"
# The fixed columns, in order (README: "The upward export"); unit_daily's count columns follow.
COLUMNS = ["单位代码 Unit id", "单位 Unit", "Unit (English)", "已报 Reported", "零报告 Zero report",
           "填报时间 Submitted at", "是否按时 On time"]
TIMING = {"on_time": "按时 on time", "late": "迟报 late", "time_unknown": "时间不详 unknown"}


def _yes_no(value) -> str:
    return "" if value is None else ("是 yes" if value else "否 no")


def table(rows: list[dict], policy: Policy) -> list[list]:
    """Header, a row per unit, then the totals row."""
    counts = [f for f in policy.sheets["unit_daily"].fields if f.type == "integer"]
    header = COLUMNS + [f"{f.title['zh']} {f.title['en']}" for f in counts]
    body = []
    for r in rows:
        reported = "是 yes" if r["reported"] else "否 no (未报 missing)"
        submitted = r["submitted_at"].strftime("%Y-%m-%d %H:%M") if r["submitted_at"] else ""
        body.append([r["id"], r["zh"], r["en"], reported, _yes_no(r["zero_report"]), submitted,
                     TIMING.get(r["timing"], "")]
                    + [UNDER_REVIEW if f.name in r.get("held", ()) else r[f.name] for f in counts])
    done = [r for r in rows if r["reported"]]
    total = ["", "合计 Total", "Total", f"{len(done)} / {len(rows)}", sum(1 for r in done if r["zero_report"]),
             "", sum(1 for r in done if r["timing"] == "on_time")]
    for f in counts:
        known = sum(r[f.name] or 0 for r in done)
        # A held value is left out: the total of the rest says it is incomplete.
        held = any(f.name in r.get("held", ()) for r in done)
        total.append(f"{known} + {UNDER_REVIEW} (不完整 incomplete)" if held else known)
    return [header, *body, total]


def csv_bytes(lines: list[list]) -> bytes:
    """A table as CSV: UTF-8 with a byte-order mark, so that Excel opens the Chinese headers as
    Chinese; None is blank."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(["" if v is None else v for v in line] for line in lines)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(lines: list[list], title: str, day: dt.date, frozen_columns: int,
               widths: list[tuple[int, int, int]]) -> bytes:
    """A table as one worksheet named by the day, header and totals row in bold, numbers as
    numbers. The file's creation date is the day, so that a rerun writes the same bytes.
    widths: (first column, last column, width)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": f"{day.isoformat()} {title}", "created": dt.datetime.combine(day, dt.time())})
    sheet = book.add_worksheet(day.isoformat())
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for r, line in enumerate(lines):
        style = bold if r in (0, len(lines) - 1) else None
        for c, value in enumerate(line):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, c, value, style)
            elif value not in (None, ""):
                sheet.write_string(r, c, str(value), style)
            elif style is not None:
                sheet.write_blank(r, c, None, style)
    sheet.freeze_panes(1, frozen_columns)
    for first, last, width in widths:
        sheet.set_column(first, last, width)
    book.close()
    return buffer.getvalue()


def to_csv(rows: list[dict], policy: Policy) -> bytes:
    return csv_bytes(table(rows, policy))


def to_xlsx(rows: list[dict], policy: Policy, day: dt.date) -> bytes:
    lines = table(rows, policy)
    return xlsx_bytes(lines, "单位日报汇总 Unit daily reports", day, 2,
                      [(0, 0, 16), (1, 2, 22), (3, len(lines[0]) - 1, 14)])
