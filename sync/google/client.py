"""One connection to Google per run: credentials, one access token, the run's network budget,
and each spreadsheet's tab properties fetched once and kept for the write-back."""
from __future__ import annotations

import contextlib
import copy
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import google.auth.exceptions
import gspread
import requests
from google.auth.transport.requests import AuthorizedSession
from gspread.exceptions import APIError

from ..errors import ConfigError, SourceError
from ..read.google_config import GoogleConfig, Spreadsheet
from .http import Budget, BudgetSpent, RetryingHTTPClient, Rewrite, TokenRequest

SHEETS_API = "https://sheets.googleapis.com"
TOKEN_API = "https://oauth2.googleapis.com"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
DEFAULT_FILES = ("service_account.json", "authorized_user.json")   # gspread's default folder
# What one metadata request asks for: enough to find tabs by gid or title and to size writes.
SHEET_FIELDS = "sheets.properties(sheetId,title,index,gridProperties(rowCount,columnCount,frozenRowCount))"


@dataclass
class Client:
    http: RetryingHTTPClient
    account: str | None         # the e-mail to share spreadsheets with, when known
    config: GoogleConfig
    budget: Budget
    credentials: Any = None                     # google-auth credentials; None: credentials: none
    token_request: TokenRequest | None = None
    _properties: dict = field(default_factory=dict)     # key -> [sheet properties], one request each
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def properties(self, sheet: Spreadsheet) -> list[dict]:
        """[{sheetId, title, index, gridProperties}] of every tab: one metadata request per
        spreadsheet per run; each caller gets its own copy to extend (a tab it adds)."""
        with self._lock:
            found = self._properties.get(sheet.key)
        if found is None:
            with self.failures(sheet):
                body = self.http.fetch_sheet_metadata(sheet.key, params={"fields": SHEET_FIELDS})
            found = [s["properties"] for s in body.get("sheets", [])]
            with self._lock:
                self._properties[sheet.key] = found
        return copy.deepcopy(found)

    def authorize(self, sheet: Spreadsheet | None = None) -> None:
        """Get the run's one access token now, before requests go out side by side (each would
        otherwise fetch its own)."""
        if self.credentials is None or self.credentials.valid:
            return
        with self._lock, self.failures(sheet):
            if not self.credentials.valid:
                self.credentials.refresh(self.token_request)

    @contextlib.contextmanager
    def failures(self, sheet: Spreadsheet | None):
        """Turn gspread, requests and google-auth failures into SourceError naming the spreadsheet."""
        name = sheet.name if sheet else str(self.config.path)
        try:
            yield
        except APIError as exc:
            raise SourceError(self._api_message(exc, sheet, name)) from None
        except BudgetSpent:
            raise SourceError(f"{name}: not tried: the run's network budget ({self.config.network.budget:g} s, "
                              f"network.budget) is spent / 本次运行的网络时间预算已用完") from None
        except requests.Timeout:
            raise SourceError(f"{name}: no answer within {self.config.network.timeout:g} s / 请求超时") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            raise SourceError(f"{name}: cannot reach {self.config.endpoint or SHEETS_API} / 无法连接") from None
        except google.auth.exceptions.GoogleAuthError as exc:
            raise SourceError(f"{name}: could not get an access token ({type(exc).__name__}) "
                              f"/ 无法获取访问令牌") from None

    def _api_message(self, exc: APIError, sheet: Spreadsheet | None, name: str) -> str:
        status = exc.response.status_code
        if status == 403:
            en, zh = (self.account, f" {self.account}") if self.account else ("the account of the credentials",
                                                                             "凭据所属账号")
            return (f"{name}: no access (403): share the spreadsheet with {en} as Editor "
                    f"/ 无权访问：请将表格以编辑者身份共享给{zh}")
        if status == 404 and sheet is not None:
            return (f"{name}: no spreadsheet with key {sheet.key} (404); check the key in {self.config.path} "
                    f"/ 找不到该表格，请检查 key")
        detail = exc.error.get("message", "") if isinstance(exc.error, dict) else ""
        return f"{name}: Google answered HTTP {status}: {detail[:200]} / Google 返回错误"


def connect(config: GoogleConfig) -> Client:
    """A client for one run: its budget starts now."""
    credentials, account = _credentials(config)
    budget = Budget(config.network)
    token_session = requests.Session()
    if config.token_endpoint:
        token_session.mount(TOKEN_API + "/", Rewrite(TOKEN_API, config.token_endpoint))
    token_request = TokenRequest(token_session, budget)
    session = AuthorizedSession(credentials, auth_request=token_request) if credentials else requests.Session()
    if config.endpoint:
        session.mount(SHEETS_API + "/", Rewrite(SHEETS_API, config.endpoint))
    http = gspread.Client(auth=credentials, session=session, http_client=RetryingHTTPClient).http_client
    assert isinstance(http, RetryingHTTPClient)
    http.budget = budget
    return Client(http=http, account=account, config=config, budget=budget, credentials=credentials,
                  token_request=token_request)


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
