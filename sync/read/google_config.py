"""The Google source's config file: which spreadsheets hold which sheets, how to reach them.

Checked whole before any request, every problem with file:line, like policies/. No gspread
here: sync/read/gsheets.py is the one module that talks to Google.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..policy import SNAKE, line_of, read_yaml
from .table import Workbook

_URL_KEY = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")


@dataclass
class Network:
    timeout: float = 30.0       # seconds to connect, and to wait for a response
    budget: float = 120.0       # seconds one call may take, retries and waits included
    retries: int = 5
    backoff: float = 1.0        # first wait in seconds; doubles each retry, with jitter
    max_backoff: float = 32.0


@dataclass
class Tab:
    sheet: str                  # sheet id in policies, e.g. unit_daily
    title: str | None = None
    gid: int | None = None


@dataclass
class Spreadsheet:
    name: str                   # what messages and outputs call it; the key is never published
    key: str
    role: str                   # department | office
    tabs: list[Tab]


@dataclass
class GoogleConfig:
    path: Path
    spreadsheets: list[Spreadsheet]
    credentials: str | None = None      # a JSON key path, "none", or None for the defaults
    endpoint: str | None = None
    token_endpoint: str | None = None
    network: Network = field(default_factory=Network)

    def holder(self, sheet_id: str) -> Spreadsheet | None:
        return next((s for s in self.spreadsheets if any(t.sheet == sheet_id for t in s.tabs)), None)

    @property
    def office(self) -> Spreadsheet | None:
        return next((s for s in self.spreadsheets if s.role == "office"), None)


class GoogleWorkbook(Workbook):
    """A Workbook that also says why each unavailable spreadsheet could not be read.

    The reasons name keys and account e-mails: print them to the operator, never publish them.
    """

    def __init__(self, source, tables, unavailable, reasons):
        super().__init__(source=source, tables=tables, unavailable=unavailable)
        self.reasons: dict[str, str] = reasons


def load_config(path: str | Path) -> GoogleConfig:
    """safe_load and check the whole file; every problem is reported with file:line."""
    path = Path(path)
    data, lines = read_yaml(path)
    problems: list[str] = []

    def problem(keys: tuple, message: str) -> None:
        number = line_of(lines, keys)
        line = f":{number}" if number else ""
        where = ".".join(str(k) for k in keys)
        problems.append(f"{path}{line}: {where + ': ' if where else ''}{message}")

    if not isinstance(data, dict):
        raise ConfigError([f"{path}: expected a mapping with a 'spreadsheets' list"])
    _unknown(problem, (), data, {"spreadsheets", "credentials", "endpoint", "token_endpoint", "network"})
    for key in ("endpoint", "token_endpoint"):
        value = data.get(key)
        if value is not None and not (isinstance(value, str) and value.startswith(("http://", "https://"))):
            problem((key,), f"expected a URL such as https://sheets-proxy.example.edu.cn; got {value!r}")
    credentials = data.get("credentials")
    if credentials is not None and not isinstance(credentials, str):
        problem(("credentials",), "expected the path of a JSON key file, or none")
    network = _network(problem, data.get("network") or {})
    sheets = data.get("spreadsheets")
    if not isinstance(sheets, list) or not sheets:
        problem(("spreadsheets",), "expected a list of spreadsheets")
        sheets = []
    parsed = [s for i, entry in enumerate(sheets) if (s := _spreadsheet(problem, i, entry))]
    _cross_check(problem, parsed)
    if problems:
        raise ConfigError(problems)
    if isinstance(credentials, str) and credentials.lower() != "none":
        credentials = str((path.parent / Path(credentials).expanduser()).resolve())
    return GoogleConfig(path=path, spreadsheets=parsed, credentials=credentials, endpoint=data.get("endpoint"),
                        token_endpoint=data.get("token_endpoint"), network=network)


def _unknown(problem, keys, data, allowed):
    for key in data:
        if key not in allowed:
            problem(keys + (key,), f"unknown key; expected one of {', '.join(sorted(allowed))}")


def _network(problem, data) -> Network:
    if not isinstance(data, dict):
        problem(("network",), "expected a mapping")
        return Network()
    defaults = Network()
    _unknown(problem, ("network",), data, set(vars(defaults)))
    values = {}
    for name, default in vars(defaults).items():
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (
                isinstance(default, int) and not isinstance(value, int)):
            problem(("network", name), f"expected a number >= 0; got {value!r}")
            value = default
        values[name] = value
    return Network(**values)


def _spreadsheet(problem, i, entry) -> Spreadsheet | None:
    keys = ("spreadsheets", i)
    if not isinstance(entry, dict):
        problem(keys, "expected a mapping with name, key (or url) and tabs")
        return None
    _unknown(problem, keys, entry, {"name", "key", "url", "role", "tabs"})
    name, role = entry.get("name"), entry.get("role", "department")
    if not (isinstance(name, str) and name.strip()):
        problem(keys + ("name",), "expected a name for messages, e.g. 英语学院 School of English")
    if role not in ("department", "office"):
        problem(keys + ("role",), f"expected department or office; got {role!r}")
    key = entry.get("key")
    if ("key" in entry) == ("url" in entry):
        problem(keys, "give either key or url (not both)")
    elif "url" in entry:
        match = _URL_KEY.search(str(entry["url"]))
        key = match.group(1) if match else None
        if key is None:
            problem(keys + ("url",), "no spreadsheet key in this URL; copy it from the browser's address bar")
    elif not (isinstance(key, str) and re.fullmatch(r"[A-Za-z0-9_-]+", key)):
        problem(keys + ("key",), "expected the key from the spreadsheet's URL (letters, digits, - and _)")
    tabs = entry.get("tabs") or {}
    if not isinstance(tabs, dict) or (role != "office" and not tabs):
        problem(keys + ("tabs",), "expected a mapping of sheet id to tab title or {title: ..., gid: ...}")
        tabs = {}
    parsed = []
    for sheet_id, spec in tabs.items():
        where = keys + ("tabs", sheet_id)
        if not (isinstance(sheet_id, str) and SNAKE.match(sheet_id)):
            problem(where, f"expected a sheet id such as unit_daily; got {sheet_id!r}")
            continue
        if isinstance(spec, dict):
            _unknown(problem, where, spec, {"title", "gid"})
            title, gid = spec.get("title"), spec.get("gid")
        else:
            title, gid = (None, spec) if isinstance(spec, int) and not isinstance(spec, bool) else (spec, None)
        if title is None and gid is None:
            problem(where, "give the tab's title, or its gid (the number after #gid= in its URL)")
        elif title is not None and not (isinstance(title, str) and title.strip()):
            problem(where, f"expected a tab title; got {title!r}")
        elif gid is not None and (isinstance(gid, bool) or not isinstance(gid, int) or gid < 0):
            problem(where, f"expected a gid, the number after #gid= in the tab's URL; got {gid!r}")
        else:
            parsed.append(Tab(sheet=sheet_id, title=title, gid=gid))
    if not isinstance(name, str) or not isinstance(key, str):
        return None
    return Spreadsheet(name=name.strip(), key=key, role=role, tabs=parsed)


def _cross_check(problem, sheets: list[Spreadsheet]) -> None:
    names: dict[str, int] = {}
    keys: dict[str, int] = {}
    holders: dict[str, str] = {}
    for i, sheet in enumerate(sheets):
        if names.setdefault(sheet.name, i) != i:
            problem(("spreadsheets", i, "name"), f"also the name of spreadsheet {names[sheet.name] + 1}")
        if keys.setdefault(sheet.key, i) != i:
            problem(("spreadsheets", i), f"the same spreadsheet as '{sheets[keys[sheet.key]].name}'")
        for tab in sheet.tabs:
            if holders.setdefault(tab.sheet, sheet.name) != sheet.name:
                problem(("spreadsheets", i, "tabs", tab.sheet), f"sheet already read from '{holders[tab.sheet]}'")
    if sum(s.role == "office" for s in sheets) > 1:
        problem(("spreadsheets",), "only one spreadsheet can have role: office")
