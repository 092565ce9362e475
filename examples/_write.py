"""Write generated sheets as CSV files (UTF-8 with BOM, as Excel writes) or one .xlsx, and the manifest."""
from __future__ import annotations

import csv
import datetime as dt

import xlsxwriter

from _fake import XDate
from sync.issues import column_letter as letter  # the validator's own A1 letters

FIXED_TIME = dt.datetime(2020, 2, 23, 12, 0)  # workbook metadata, so that the xlsx depends on the data only


def columns(sheet) -> tuple[list[str], list[str]]:
    """(keys, headers): field ids then extra headers; Chinese headers in schema order."""
    fields = sheet.schema["fields"]
    return [f["name"] for f in fields] + sheet.extra, [f["title"]["zh"] for f in fields] + sheet.extra


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, XDate):
        return value.text
    if isinstance(value, float):
        return format(value, ".10g")
    return str(value)


def write_csv(folder, sheets, notes=None) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    sizes = []
    for sheet in sheets:
        keys, headers = columns(sheet)
        blank = [""] * len(keys)
        n = 0
        with open(folder / f"{sheet.schema['title']['zh']}.csv", "w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)  # Excel's dialect: quotes as needed, CRLF line ends
            out.writerow(headers)
            for row in sheet.rows:
                out.writerow(blank if row is None else
                             [v if type(v) is str else text(v) for v in map(row.cells.get, keys)])
                n += 1
        sizes.append((sheet.name, n, len(keys)))
    if notes:
        with open(folder / "说明.csv", "w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows([line] for line in notes)
    return sizes


def write_xlsx(path, sheets, notes=None, constant_memory=False) -> list:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "Campus Desk example workbook", "created": FIXED_TIME})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    formats = {"date": wb.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})}
    if notes:
        ws = wb.add_worksheet("说明")
        ws.set_column(0, 0, 90)
        for r, line in enumerate(notes):
            ws.write_string(r, 0, line)
    sizes = []
    for sheet in sheets:
        keys, headers = columns(sheet)
        ws = wb.add_worksheet(sheet.schema["title"]["zh"])
        ws.freeze_panes(1, 0)
        for c, header in enumerate(headers):
            ws.set_column(c, c, max(10, 2 * len(header) + 2))
            ws.write_string(0, c, header, bold)
        r = 0
        for r, row in enumerate(sheet.rows, start=1):
            if row is None:
                continue
            for c, key in enumerate(keys):
                value = row.cells.get(key)
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, XDate):
                    ws.write_datetime(r, c, value.value, formats[value.kind])
                else:
                    ws.write_number(r, c, value)
        if r >= 1_048_576:
            raise SystemExit(f"{sheet.name}: {r:,} rows do not fit in an xlsx sheet (1,048,575 at most); use CSV")
        sizes.append((sheet.name, r, len(keys)))
    wb.close()
    return sizes


def manifest(sheets, notes_tab=None) -> list[dict]:
    """What `python -m sync check` must report for these sheets: one entry per deliberate mistake."""
    entries = []
    if notes_tab:
        entries.append({"code": "unknown-sheet", "sheet": notes_tab, "cell": None, "row": None,
                        "note": "instructions tab that is not a sheet of the schema"})
    for sheet in sheets:
        keys, _ = columns(sheet)
        for k, header in enumerate(sheet.extra):
            col = letter(keys.index(header))
            entries.append({"code": "unknown-column", "sheet": sheet.name, "cell": f"{col}1", "row": 1,
                            "note": f"extra column {header} (spare) with a few notes in it"})
        for code, note in sheet.marks:
            entries.append({"code": code, "sheet": sheet.name, "cell": None, "row": None, "note": note})
        for r, row in enumerate(sheet.rows, start=2):
            for code, field, note in (row.marks if row is not None else ()):
                cell = f"{letter(keys.index(field))}{r}" if field else None
                entries.append({"code": code, "sheet": sheet.name, "cell": cell, "row": r, "note": note})
    return sorted(entries, key=lambda e: (e["sheet"], e["row"] or 0, e["cell"] or "", e["code"], e["note"]))
