"""Highlights and notes in a department's own tabs (Google): each cell with an error or a holding
warning turns red or amber and carries a note with the message in Chinese and English, written in
the same batchUpdate as the status tab; a cell marked by an earlier run and now fixed is cleared.

Which cells an earlier run marked is kept in the archive (reading every note of a 10-million-cell
spreadsheet back would cost far more than the write). Only the note and the background of those
cells are touched: a department's values are never written.
"""
from __future__ import annotations

import re
from collections import defaultdict

from openpyxl.utils.cell import coordinate_to_tuple

from .. import issues as iss
from ..policy import Policy
from .annotate import note

COLOUR = {iss.ERROR: {"red": 0.957, "green": 0.78, "blue": 0.765},
          iss.WARNING: {"red": 0.988, "green": 0.91, "blue": 0.698}}
FIELDS = "note,userEnteredFormat.backgroundColor"
_A1 = re.compile(r"^([A-Z]+)(\d+)$")


def _cell(sheet_id: int, address: str, value: dict) -> dict:
    row, col = coordinate_to_tuple(address)      # 1-based; requests() keeps only cells in A1 form
    return {"updateCells": {"range": {"sheetId": sheet_id, "startRowIndex": row - 1, "endRowIndex": row,
                                      "startColumnIndex": col - 1, "endColumnIndex": col},
                            "rows": [{"values": [value]}], "fields": FIELDS}}


def requests(issues: list[iss.Issue], props: list[dict], policy: Policy,
             previous: set[tuple[str, str]]) -> tuple[list[dict], set[tuple[str, str]]]:
    """(batchUpdate requests, the (tab, cell) pairs now marked) for one spreadsheet's issues."""
    ids = {p["title"]: p["sheetId"] for p in props}
    now: dict[tuple[str, str], list[iss.Issue]] = defaultdict(list)
    for issue in issues:
        if issue.cell and issue.tab and issue.tab in ids and _A1.match(issue.cell) and (
                issue.severity == iss.ERROR or issue.code in policy.hold):
            now[(issue.tab, issue.cell)].append(issue)
    out = []
    for (tab, address), found in sorted(now.items()):
        worst = iss.ERROR if any(i.severity == iss.ERROR for i in found) else iss.WARNING
        out.append(_cell(ids[tab], address, {"note": note(found),
                                             "userEnteredFormat": {"backgroundColor": COLOUR[worst]}}))
    for tab, address in sorted(previous - set(now)):
        if tab in ids and _A1.match(address):
            out.append(_cell(ids[tab], address, {}))     # the fields listed and absent: cleared
    return out, set(now)
