"""`check --format xlsx --out FILE`: a copy of the workbook with every cell that has an error or a
holding warning highlighted and a note giving the message in Chinese and English, for the office to
send back to a department (DHIS2 colours a cell at entry; the CTP's cells turned red).

An .xlsx/.xlsm is copied with openpyxl (the maintained library that edits a workbook in place;
XlsxWriter only writes new ones), so the department gets its own layout back. A .csv folder (or a
workbook openpyxl cannot open: .xls, .ods) becomes a new workbook of its tables as read, each row at
the row number the messages give. An issue on a whole row marks its first cell.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from .. import issues as iss
from ..errors import ConfigError
from ..policy import Policy
from ..validate import Result

AUTHOR = "Campus Desk"
FILL = {iss.ERROR: PatternFill("solid", fgColor="FFF4C7C3"), iss.WARNING: PatternFill("solid", fgColor="FFFCE8B2")}


def marked(result: Result, policy: Policy) -> dict[str, dict[str, list[iss.Issue]]]:
    """{tab title: {A1 cell: issues}} for the errors and holding warnings that name a row."""
    out: dict[str, dict[str, list[iss.Issue]]] = defaultdict(lambda: defaultdict(list))
    for issue in result.issues:
        if not issue.row or not issue.tab:
            continue
        if issue.severity == iss.ERROR or issue.code in policy.hold:
            out[issue.tab][issue.cell or f"A{issue.row}"].append(issue)
    return out


def note(issues: list[iss.Issue]) -> str:
    return "\n".join(f"[{i.code}] {i.message['zh']}\n{i.message['en']}" for i in issues)


def _copy(source: Path, result: Result):
    if source.is_file() and source.suffix.lower() in (".xlsx", ".xlsm"):
        return openpyxl.load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table in sorted(result.tables.values(), key=lambda t: t.raw.title):
        raw = table.raw
        sheet = book.create_sheet(raw.title[:31])
        first = raw.row_number(0) if raw.n_rows else 2
        for c, text in enumerate(raw.header, start=1):
            sheet.cell(first - 1, c, text)
        texts = [column.texts() for column in raw.columns]
        for i in range(raw.n_rows):
            for c, column in enumerate(texts, start=1):
                if column[i]:
                    sheet.cell(raw.row_number(i), c, column[i])
    return book


def annotate(source: str | Path, result: Result, policy: Policy, out: str | Path) -> tuple[Path, int]:
    """Write the annotated copy to out; returns (out, cells marked)."""
    source, out = Path(source), Path(out)
    if source.suffix.lower() in (".yml", ".yaml"):
        raise ConfigError([f"{source}: a Google source gets its highlights and notes in the spreadsheets "
                           "themselves (python -m sync run); --format xlsx is for .xlsx and .csv sources"])
    if out.suffix.lower() != ".xlsx":
        raise ConfigError([f"{out}: --out must be an .xlsx file"])
    book = _copy(source, result)
    count = 0
    for tab, cells in marked(result, policy).items():
        if tab not in book.sheetnames:
            continue
        sheet = book[tab]
        for address, issues in cells.items():
            cell = sheet[address]
            worst = iss.ERROR if any(i.severity == iss.ERROR for i in issues) else iss.WARNING
            cell.fill = FILL[worst]
            cell.comment = Comment(note(issues), AUTHOR, width=360, height=40 + 40 * len(issues))
            count += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out, count
