"""Google Sheets: the config file, one HTTP client with bounded retries, reads and low-level writes.

The only module that imports gspread (and google-auth). Everything else calls the functions
here, which raise SourceError with a message a person can act on (share the spreadsheet
with this e-mail, check this key).

Requests per run: one values:batchGet per spreadsheet for all its tabs, plus one metadata
GET (fields=sheets.properties) only where a tab is configured by gid alone or a configured
title no longer exists.
"""
from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import os
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path

import google.auth.exceptions
import gspread
import requests
from google.auth.transport.requests import AuthorizedSession, Request
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from gspread.utils import absolute_range_name
from requests.adapters import HTTPAdapter

from ..errors import ConfigError, SourceError
from .google_config import GoogleConfig, GoogleWorkbook, Network, Spreadsheet, load_config
from .table import RawTable, cell_text

log = logging.getLogger(__name__)

SHEETS_API = "https://sheets.googleapis.com"
TOKEN_API = "https://oauth2.googleapis.com"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# What one metadata request asks for: enough to find tabs by gid or title and to size writes.
SHEET_FIELDS = "sheets.properties(sheetId,title,index,gridProperties(rowCount,columnCount,frozenRowCount))"
# UNFORMATTED_VALUE + SERIAL_NUMBER: the value a cell holds, not how it is displayed. Displayed
# text depends on each cell's number format and the spreadsheet's locale: a 0-decimal format
# shows 37.4 as "37" (a fever hidden), an en_US locale shows 2020-02-11 as "2/11/2020" (our
# parsers rightly refuse month-first dates). Serial days are unambiguous and sync.validate.parse
# reads them (and day fractions for times). Text typed as text ("007", "2019级", 36.5℃) is a
# string either way. The cost: a date cell's value reads as its serial (43872) in messages.
READ_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
               "majorDimension": "ROWS"}
DEFAULT_FILES = ("service_account.json", "authorized_user.json")   # gspread's default folder


# --- HTTP ---------------------------------------------------------------------------------------

class RetryingHTTPClient(HTTPClient):
    """gspread's HTTPClient with a request timeout and bounded retries.

    gspread's BackOffHTTPClient retries forever, ignores Retry-After and never retries timeouts
    or dropped connections; this one retries 429/5xx, timeouts and connection errors with
    exponential backoff and jitter, waits as long as Retry-After says, and gives up when the
    retries or the call's time budget run out. Status comes from the HTTP response, not the
    JSON body (a proxy's HTML error page would give APIError.code -1).
    """

    network = Network()

    def request(self, method, endpoint, *args, **kwargs):
        net = self.network
        deadline = time.monotonic() + net.budget
        for attempt in range(net.retries + 1):
            left = max(deadline - time.monotonic(), 0.001)
            self.timeout = min(net.timeout, left)
            try:
                return super().request(method, endpoint, *args, **kwargs)
            except APIError as exc:
                if exc.response.status_code not in RETRY_STATUSES:
                    raise
                failure, wait = exc, _retry_after(exc.response)
            except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                # A POST that timed out or lost its connection may have been applied (a
                # batchUpdate is not idempotent: a second addSheet fails): retry it only when
                # it never reached the server.
                if method.upper() != "GET" and not isinstance(exc, requests.ConnectTimeout):
                    raise
                failure, wait = exc, None
            if wait is None:
                wait = min(net.backoff * 2 ** attempt, net.max_backoff) * random.uniform(0.5, 1.0)
            if attempt == net.retries or time.monotonic() + wait >= deadline:
                raise failure
            # The key stays out of logs: they can end up in a CI job's public output.
            log.info("%s %s failed (%s); retrying in %.1f s", method.upper(),
                     re.sub(r"/spreadsheets/[^/:?]+", "/spreadsheets/<key>", endpoint.split("?")[0]),
                     _short(failure), wait)
            time.sleep(wait)


def _retry_after(response) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    value = response.headers.get("Retry-After") or ""
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(email.utils.parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


def _short(exc) -> str:
    return f"HTTP {exc.response.status_code}" if isinstance(exc, APIError) else type(exc).__name__


class _Rewrite(HTTPAdapter):
    """Send requests for one origin (Google's) to another (a reverse proxy, a test server)."""

    def __init__(self, origin: str, target: str):
        super().__init__()
        self.origin, self.target = origin, target.rstrip("/")

    def send(self, request, **kwargs):
        request = request.copy()
        request.url = self.target + request.url[len(self.origin):]
        return super().send(request, **kwargs)


@dataclass
class Connection:
    http: RetryingHTTPClient
    account: str | None         # the e-mail to share spreadsheets with, when known
    config: GoogleConfig


def connect(config: GoogleConfig) -> Connection:
    credentials, account = _credentials(config)
    token_session = requests.Session()
    if config.token_endpoint:
        token_session.mount(TOKEN_API + "/", _Rewrite(TOKEN_API, config.token_endpoint))
    session = (AuthorizedSession(credentials, auth_request=Request(token_session)) if credentials
               else requests.Session())
    if config.endpoint:
        session.mount(SHEETS_API + "/", _Rewrite(SHEETS_API, config.endpoint))
    client = gspread.Client(auth=credentials, session=session, http_client=RetryingHTTPClient)
    client.http_client.network = config.network
    return Connection(http=client.http_client, account=account, config=config)


def _credentials(config: GoogleConfig):
    """(credentials, e-mail) from the config's path, $GOOGLE_APPLICATION_CREDENTIALS or gspread's default."""
    if config.credentials and config.credentials.lower() == "none":
        return None, None
    env = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    defaults = [Path(gspread.auth.DEFAULT_CONFIG_DIR) / name for name in DEFAULT_FILES]
    candidates = [Path(config.credentials)] if config.credentials else [Path(env)] if env else defaults
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise ConfigError([f"{config.path}: no Google credentials at {', '.join(map(str, candidates))}: set "
                           f"GOOGLE_APPLICATION_CREDENTIALS or 'credentials:' to a service-account JSON key "
                           f"/ 未找到 Google 凭据"])
    from google.oauth2 import credentials as user_credentials, service_account
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        if info.get("type") == "authorized_user":
            return user_credentials.Credentials.from_authorized_user_info(info, SCOPES), None
        found = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        return found, found.service_account_email
    except (OSError, ValueError, KeyError, AttributeError):
        # Never echo the file or the parser's message: both can hold the private key.
        raise ConfigError([f"{path}: not a service-account or authorized-user JSON key file "
                           f"/ 不是有效的凭据文件"]) from None


# --- reads and writes ---------------------------------------------------------------------------

def read_google(path: str | Path) -> GoogleWorkbook:
    """Every configured tab of every spreadsheet; a spreadsheet that fails is listed as unavailable."""
    config = load_config(path)
    conn = connect(config)
    tables, unavailable, reasons = [], [], {}
    readable = [s for s in config.spreadsheets if s.tabs]
    for sheet in readable:
        try:
            tables += read_spreadsheet(conn, sheet)
        except SourceError as exc:
            unavailable.append(sheet.name)
            reasons[sheet.name] = str(exc)
    if readable and len(unavailable) == len(readable):
        raise SourceError("\n".join(reasons.values()))
    for reason in reasons.values():
        log.warning("%s", reason)      # printed on stderr by logging's last-resort handler
    return GoogleWorkbook(str(path), tables, unavailable, reasons)


def read_spreadsheet(conn: Connection, sheet: Spreadsheet) -> list[RawTable]:
    """All tabs of one spreadsheet in one values:batchGet (plus a metadata GET when titles are unknown)."""
    properties = None if all(t.title for t in sheet.tabs) else sheet_properties(conn, sheet)
    while True:
        titles = _titles(sheet, properties)
        try:
            with _failures(conn, sheet):
                body = conn.http.values_batch_get(sheet.key, [absolute_range_name(t) for t in titles],
                                                  params=dict(READ_PARAMS)) if titles else {}
            break
        except SourceError as exc:
            # A configured title that was renamed fails the whole batch with 400 "Unable to
            # parse range": look the titles up once and read what is there.
            if properties is not None or "Unable to parse range" not in str(exc):
                raise
            properties = sheet_properties(conn, sheet)
    tables = []
    for title, found in zip(titles, body.get("valueRanges", [])):
        rows = [[cell_text(v) for v in row] for row in found.get("values", [])]   # no "values": empty tab
        while rows and not any(rows[-1]):
            rows.pop()
        tables.append(RawTable.from_rows(title, sheet.name, rows))
    return tables


def _titles(sheet: Spreadsheet, properties: list[dict] | None) -> list[str]:
    if properties is None:
        return [t.title for t in sheet.tabs]
    by_gid = {p["sheetId"]: p["title"] for p in properties}
    present = set(by_gid.values())
    titles = []
    for tab in sheet.tabs:
        title = by_gid.get(tab.gid) if tab.gid is not None else tab.title if tab.title in present else None
        if title is None:
            log.warning("%s: tab %s not found / 找不到工作表", sheet.name, tab.title or f"gid={tab.gid}")
        else:
            titles.append(title)
    return titles


def sheet_properties(conn: Connection, sheet: Spreadsheet) -> list[dict]:
    """[{sheetId, title, index, gridProperties}] of every tab, in one metadata request."""
    with _failures(conn, sheet):
        body = conn.http.fetch_sheet_metadata(sheet.key, params={"fields": SHEET_FIELDS})
    return [s["properties"] for s in body.get("sheets", [])]


def read_headers(conn: Connection, sheet: Spreadsheet, titles: list[str]) -> list[list[str]]:
    """Row 1 of several tabs of one spreadsheet, in one values:batchGet."""
    if not titles:
        return []
    with _failures(conn, sheet):
        body = conn.http.values_batch_get(sheet.key, [absolute_range_name(t, "1:1") for t in titles],
                                          params=dict(READ_PARAMS))
    return [[cell_text(v) for v in (found.get("values") or [[]])[0]] for found in body.get("valueRanges", [])]


def batch_update(conn: Connection, sheet: Spreadsheet, requests_: list[dict]) -> dict:
    """One spreadsheets:batchUpdate: applied all together or not at all."""
    with _failures(conn, sheet):
        return conn.http.batch_update(sheet.key, {"requests": requests_})


def cell_url(sheet: Spreadsheet, gid: int | None = None, cell: str | None = None) -> str:
    """A link to a tab (and cell) for people: written as plain text, never as a formula."""
    where = "" if gid is None else f"#gid={gid}" + (f"&range={cell}" if cell else "")
    return f"https://docs.google.com/spreadsheets/d/{sheet.key}/edit{where}"


@contextlib.contextmanager
def _failures(conn: Connection, sheet: Spreadsheet):
    """Turn gspread, requests and google-auth failures of one spreadsheet into SourceError."""
    try:
        yield
    except APIError as exc:
        status, name = exc.response.status_code, sheet.name
        if status == 403:
            en, zh = (conn.account, f" {conn.account}") if conn.account else ("the account of the credentials",
                                                                             "凭据所属账号")
            message = (f"{name}: no access (403): share the spreadsheet with {en} as Editor "
                       f"/ 无权访问：请将表格以编辑者身份共享给{zh}")
        elif status == 404:
            message = (f"{name}: no spreadsheet with key {sheet.key} (404); check the key in {conn.config.path} "
                       f"/ 找不到该表格，请检查 key")
        else:
            detail = exc.error.get("message", "") if isinstance(exc.error, dict) else ""
            message = f"{name}: Google answered HTTP {status}: {detail[:200]} / Google 返回错误"
        raise SourceError(message) from None
    except requests.Timeout:
        raise SourceError(f"{sheet.name}: no answer within {conn.config.network.timeout:g} s / 请求超时") from None
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
        raise SourceError(f"{sheet.name}: cannot reach {conn.config.endpoint or SHEETS_API} / 无法连接") from None
    except google.auth.exceptions.GoogleAuthError as exc:
        raise SourceError(f"{sheet.name}: could not get an access token ({type(exc).__name__}) "
                          f"/ 无法获取访问令牌") from None
