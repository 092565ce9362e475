"""The Google source: every configured tab of every spreadsheet, as RawTables.

HTTP, credentials and retries are sync.google's (the one package that imports gspread). The
spreadsheets are read side by side, all drawing on the run's one network budget: a hung one
neither delays the others nor makes the run longer than the budget; it is listed as
unavailable with the reason.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import google
from ..errors import SourceError
from .google_config import GoogleWorkbook, Spreadsheet, load_config
from .table import RawTable, cell_text

log = logging.getLogger(__name__)
# Side by side, but gently: Google allows 60 requests a minute per user.
PARALLEL = 4


def read_google(path: str | Path) -> GoogleWorkbook:
    """Every configured tab of every spreadsheet; a spreadsheet that fails is listed as unavailable.
    The workbook keeps its client, so that the run's write-back reuses its token, budget and tab lists."""
    config = load_config(path)
    client = google.connect(config)
    readable = [s for s in config.spreadsheets if s.tabs]
    if not readable:
        return GoogleWorkbook(str(path), [], [], {}, client)
    client.authorize()
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(readable))) as pool:
        outcomes = list(pool.map(lambda sheet: _read_one(client, sheet), readable))
    tables, unavailable, reasons = [], [], {}
    for sheet, outcome in zip(readable, outcomes):
        if isinstance(outcome, SourceError):
            unavailable.append(sheet.name)
            reasons[sheet.name] = str(outcome)
        else:
            tables += outcome
    if len(unavailable) == len(readable):
        raise SourceError("\n".join(reasons.values()))
    for reason in reasons.values():
        log.warning("%s", reason)      # printed on stderr by logging's last-resort handler
    return GoogleWorkbook(str(path), tables, unavailable, reasons, client)


def _read_one(client: google.Client, sheet: Spreadsheet) -> list[RawTable] | SourceError:
    try:
        return read_spreadsheet(client, sheet)
    except SourceError as exc:
        return exc


def read_spreadsheet(client: google.Client, sheet: Spreadsheet) -> list[RawTable]:
    """All found tabs of one spreadsheet: one metadata request and one values:batchGet."""
    tables = []
    for tab, title, values in google.read_values(client, sheet):
        rows = [[cell_text(v) for v in row] for row in values]
        while rows and not any(rows[-1]):
            rows.pop()
        table = RawTable.from_rows(title, sheet.name, rows)
        table.sheet = tab.sheet         # the config says which sheet it holds, whatever its title now
        tables.append(table)
    return tables
