"""The Google source as the read side sees it: the config (checked by sync/config/google.py's
models) and a Workbook that says why a spreadsheet could not be read. No gspread here:
sync/google/ is the one package that talks to Google.
"""
from __future__ import annotations

from ..config.google import GoogleConfig, Network, Spreadsheet, Tab, load_config
from .table import Workbook

__all__ = ["GoogleConfig", "GoogleWorkbook", "Network", "Spreadsheet", "Tab", "load_config"]


class GoogleWorkbook(Workbook):
    """A Workbook that also says why each unavailable spreadsheet could not be read.

    The reasons name keys and account e-mails: print them to the operator, never publish them.
    """

    def __init__(self, source, tables, unavailable, reasons, client=None):
        super().__init__(source=source, tables=tables, unavailable=unavailable)
        self.reasons: dict[str, str] = reasons
        self.client = client        # sync.google.Client: the run's write-back goes on with it
