"""Reads and writes of spreadsheets, through a run's Client.

Per spreadsheet and run: one metadata GET (the tabs' ids and titles: a tab is found by its gid
or its title among them, never by what an error message says), one values:batchGet for all its
tabs, and for the write-back one spreadsheets:batchUpdate (Google applies it all or nothing).
"""
from __future__ import annotations

import logging

from gspread.utils import absolute_range_name

from ..read.google_config import Spreadsheet, Tab
from .client import Client

log = logging.getLogger("sync.google")

# UNFORMATTED_VALUE + SERIAL_NUMBER: the value a cell holds, not how it is displayed. Displayed
# text depends on each cell's number format and the spreadsheet's locale: a 0-decimal format
# shows 37.4 as "37" (a fever hidden), an en_US locale shows 2020-02-11 as "2/11/2020" (our
# parsers rightly refuse month-first dates). Serial days are unambiguous and sync.validate.parse
# reads them (and day fractions for times). Text typed as text ("007", "2019级", 36.5℃) is a
# string either way. The cost: a date cell's value reads as its serial (43872) in messages.
READ_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
               "majorDimension": "ROWS"}


def find_tab(props: list[dict], tab: Tab) -> dict | None:
    """A configured tab among a spreadsheet's tab properties: by gid when given, else by title."""
    if tab.gid is not None:
        return next((p for p in props if p["sheetId"] == tab.gid), None)
    return next((p for p in props if p["title"] == tab.title), None)


def read_values(client: Client, sheet: Spreadsheet) -> list[tuple[Tab, str, list[list]]]:
    """(tab, its title now, rows of cell values) for every configured tab found; a tab not found is
    logged and left out."""
    props = client.properties(sheet)
    found = []
    for tab in sheet.tabs:
        prop = find_tab(props, tab)
        if prop is None:
            log.warning("%s: tab %s not found / 找不到工作表", sheet.name, tab.title or f"gid={tab.gid}")
        else:
            found.append((tab, prop["title"]))
    if not found:
        return []
    with client.failures(sheet):
        body = client.http.values_batch_get(sheet.key, [absolute_range_name(title) for _, title in found],
                                            params=dict(READ_PARAMS))
    ranges = body.get("valueRanges", [])
    return [(tab, title, (ranges[i].get("values") if i < len(ranges) else None) or [])    # no "values": empty
            for i, (tab, title) in enumerate(found)]


def read_headers(client: Client, sheet: Spreadsheet, titles: list[str]) -> list[list]:
    """Row 1 of several tabs of one spreadsheet, in one values:batchGet (cell values, not yet text)."""
    if not titles:
        return []
    with client.failures(sheet):
        body = client.http.values_batch_get(sheet.key, [absolute_range_name(t, "1:1") for t in titles],
                                            params=dict(READ_PARAMS))
    return [(found.get("values") or [[]])[0] for found in body.get("valueRanges", [])]


def batch_update(client: Client, sheet: Spreadsheet, requests_: list[dict]) -> dict:
    """One spreadsheets:batchUpdate: applied all together or not at all."""
    with client.failures(sheet):
        return client.http.batch_update(sheet.key, {"requests": requests_})


def cell_url(sheet: Spreadsheet, gid: int | None = None, cell: str | None = None) -> str:
    """A link to a tab (and cell) for people: written as plain text, never as a formula."""
    where = "" if gid is None else f"#gid={gid}" + (f"&range={cell}" if cell else "")
    return f"https://docs.google.com/spreadsheets/d/{sheet.key}/edit{where}"
