"""The Google source's config file: which spreadsheets hold which sheets, how to reach them.

Checked whole before any request, every problem with file:line, like policies/.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from ..errors import ConfigError
from .base import SNAKE, Model, Problem, across, at_least, checked, fail, filled, load_file, matching, non_empty, one_of

_URL_KEY = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")


Seconds = Annotated[float, at_least()]


class NetworkSpec(Model):
    timeout: Seconds = Field(30.0, description="seconds to connect, and to wait for a response")
    budget: Seconds = Field(120.0, description="seconds all of a run's requests to Google may take, retries and "
                            "waits included")
    retries: Annotated[int, at_least(whole=True, message="expected a number >= 0; got {value}")] = 8
    backoff: Seconds = Field(1.0, description="first wait in seconds; doubles each retry, plus up to as much jitter")
    max_backoff: Seconds = Field(60.0, description="the longest wait: Google's quotas refill per minute")


Network = NetworkSpec   # what the read side uses: the validated settings themselves


class TabSpec(Model):
    title: str | None = None
    gid: int | None = None


def _tab(value: Any) -> Any:
    """A tab is its title, its gid, or {title: ..., gid: ...}."""
    if isinstance(value, dict):
        title, gid = value.get("title"), value.get("gid")
    elif isinstance(value, int) and not isinstance(value, bool):
        title, gid = None, value
    else:
        title, gid = value, None
    if title is None and gid is None:
        fail("no-tab", "give the tab's title, or its gid (the number after #gid= in its URL)")
    if title is not None and not (isinstance(title, str) and title.strip()):
        fail("not-a-title", f"expected a tab title; got {title!r}")
    if gid is not None and (isinstance(gid, bool) or not isinstance(gid, int) or gid < 0):
        fail("not-a-gid", f"expected a gid, the number after #gid= in the tab's URL; got {gid!r}")
    return value if isinstance(value, dict) else {"title": title, "gid": gid}


def _sheet_ids(tabs: Any) -> list[tuple[tuple, str, str]]:
    return [((key,), "not-a-sheet-id", f"expected a sheet id such as unit_daily; got {key!r}")
            for key in (tabs if isinstance(tabs, dict) else {}) if not (isinstance(key, str) and SNAKE.match(key))]


Tabs = Annotated[dict[Any, Annotated[TabSpec, BeforeValidator(_tab)]], across(_sheet_ids)]


class SpreadsheetSpec(Model):
    name: Annotated[str, filled("not-a-name", "expected a name for messages, e.g. 英语学院 School of English")]
    key: Annotated[str | None, matching(re.compile(r"[A-Za-z0-9_-]+").fullmatch, "not-a-key", "expected the key from "
                                        "the spreadsheet's URL (letters, digits, - and _)", optional=True)] = None
    url: Annotated[str | None, checked(lambda v: bool(_URL_KEY.search(str(v))), "not-a-url",
                                       "no spreadsheet key in this URL; copy it from the browser's address bar",
                                       optional=True)] = None
    role: Annotated[Literal["department", "office"], one_of(("department", "office"), "bad-role")] = "department"
    tabs: Tabs = {}

    @model_validator(mode="after")
    def _key_or_url(self) -> SpreadsheetSpec:
        if (self.key is None) == (self.url is None):
            fail("key-or-url", "give either key or url (not both)")
        if self.role != "office" and not self.tabs:
            fail("no-tabs", "expected a mapping of sheet id to tab title or {title: ..., gid: ...}", at=("tabs",))
        return self

    @property
    def spreadsheet_key(self) -> str:
        if self.key is not None:
            return self.key
        match = _URL_KEY.search(str(self.url))
        assert match is not None
        return match.group(1)


def _one_holder(sheets: Any) -> list[tuple[tuple, str, str]]:
    """Two spreadsheets with one name, one key, one sheet; two offices."""
    found: list[tuple[tuple, str, str]] = []
    names: dict[str, int] = {}
    keys: dict[str, int] = {}
    holders: dict[str, str] = {}
    offices = 0
    for i, entry in enumerate(sheets if isinstance(sheets, list) else []):
        if not isinstance(entry, dict):
            continue
        name = str(entry.get("name", "")).strip()
        if names.setdefault(name, i) != i:
            found.append(((i, "name"), "duplicate-name", f"also the name of spreadsheet {names[name] + 1}"))
        match = _URL_KEY.search(str(entry.get("url", "")))
        key = entry.get("key") or (match.group(1) if match else None)
        if key is not None and keys.setdefault(key, i) != i:
            found.append(((i,), "duplicate-spreadsheet", f"the same spreadsheet as "
                                                         f"'{str(sheets[keys[key]].get('name', '')).strip()}'"))
        for sheet in entry.get("tabs") or {} if isinstance(entry.get("tabs"), dict) else {}:
            if holders.setdefault(sheet, name) != name:
                found.append(((i, "tabs", sheet), "sheet-read-twice", f"sheet already read from '{holders[sheet]}'"))
        offices += entry.get("role") == "office"
    if offices > 1:
        found.append(((), "two-offices", "only one spreadsheet can have role: office"))
    return found


_ENDPOINT = matching(re.compile(r"https?://").match, "not-a-url",
                     "expected a URL such as https://sheets-proxy.example.edu.cn; got {value}", optional=True)


class GoogleFile(Model):
    spreadsheets: Annotated[list[SpreadsheetSpec], non_empty("no-spreadsheets", "expected a list of spreadsheets"),
                            across(_one_holder)]
    credentials: Annotated[str | None, checked(lambda v: isinstance(v, str), "not-a-path",
                                               "expected the path of a JSON key file, or none", optional=True)] = None
    endpoint: Annotated[str | None, _ENDPOINT] = None
    token_endpoint: Annotated[str | None, _ENDPOINT] = None
    network: NetworkSpec = NetworkSpec()


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
    network: NetworkSpec = field(default_factory=NetworkSpec)

    def holder(self, sheet_id: str) -> Spreadsheet | None:
        return next((s for s in self.spreadsheets if any(t.sheet == sheet_id for t in s.tabs)), None)

    @property
    def office(self) -> Spreadsheet | None:
        return next((s for s in self.spreadsheets if s.role == "office"), None)


def load_config(path: str | Path) -> GoogleConfig:
    """safe_load and check the whole file; every problem is reported with file:line."""
    path = Path(path)
    found: list[Problem] = []
    spec, data = load_file(GoogleFile, path, found)
    if spec is None:
        if not isinstance(data, dict) and len(found) == 1 and found[0].code == "not-a-mapping":
            raise ConfigError([f"{path}: expected a mapping with a 'spreadsheets' list"])
        raise ConfigError(found)
    credentials = spec.credentials
    if credentials is not None and credentials.lower() != "none":
        credentials = str((path.parent / Path(credentials).expanduser()).resolve())
    sheets = [Spreadsheet(name=s.name.strip(), key=s.spreadsheet_key, role=s.role,
                          tabs=[Tab(sheet=k, title=t.title, gid=t.gid) for k, t in s.tabs.items()])
              for s in spec.spreadsheets]
    return GoogleConfig(path=path, spreadsheets=sheets, credentials=credentials, endpoint=spec.endpoint,
                        token_endpoint=spec.token_endpoint, network=spec.network)
