"""The Google client: connection, credentials, retries, reads and writes of Google Sheets.

The only package that imports gspread and google-auth. The read side (sync/read/gsheets.py)
and the write-back and init-sheets (sync/publish/google.py) both go through it; functions here
raise SourceError with a message a person can act on (share the spreadsheet with this e-mail,
check this key). The config file itself is sync/read/google_config.py.
"""
from .client import SHEETS_API, TOKEN_API, Client, connect
from .http import Budget, BudgetSpent, Rewrite
from .sheets import READ_PARAMS, batch_update, cell_url, find_tab, read_headers, read_values

__all__ = ["READ_PARAMS", "SHEETS_API", "TOKEN_API", "Budget", "BudgetSpent", "Client", "Rewrite", "batch_update",
           "cell_url", "connect", "find_tab", "read_headers", "read_values"]
