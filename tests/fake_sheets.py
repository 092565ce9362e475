"""A fake Google Sheets API v4: a real HTTP server on 127.0.0.1 that speaks Google's wire format,
so gspread's own HTTP code runs end to end. It records every request and can be told to fail.

Where the shapes come from (gspread's recorded test cassettes, burnash/gspread tests/cassettes/,
MIT licence, real Google responses):
- spreadsheets.get: ClientTest.test_access_private_spreadsheet.json (spreadsheetId, properties,
  sheets[].properties {sheetId, title, index, sheetType, gridProperties}, spreadsheetUrl);
  partial responses follow the `fields` mask as Google's do.
- values:batchGet: SpreadsheetTest.test_values_batch_get.json (spreadsheetId, valueRanges[] of
  {range, majorDimension, values}; the range is the request clipped to the grid).
- values.get: WorksheetTest.test_batch_update.json, 2nd interaction (trailing empty cells and
  rows dropped, empty rows inside the range as []; no "values" key for an empty range).
- values:batchUpdate: WorksheetTest.test_batch_update.json, 1st interaction (totalUpdated*,
  responses[] with updatedRange/Rows/Columns/Cells).
- spreadsheets:batchUpdate: SpreadsheetTest.test_values_batch_get.json (replies[]: addSheet
  {properties}, {} for requests without a reply).
- errors: ClientTest.test_access_non_existing_spreadsheet.json ({"error": {code, message,
  status}} for 404 NOT_FOUND). The cassettes hold no 429; its RESOURCE_EXHAUSTED body and the
  403 PERMISSION_DENIED "The caller does not have permission" are as quoted from real
  responses in public issues (asweigart/ezsheets#8, google/garf#299); 400 "Unable to parse
  range: X" INVALID_ARGUMENT for a missing tab as in invokable/laravel-google-sheets#13.
Error texts of batchUpdate validation are this fake's own wording, not Google's.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

EPOCH = dt.date(1899, 12, 30)
STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
          429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE"}
MESSAGES = {403: "The caller does not have permission", 404: "Requested entity was not found.",
            429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' "
                 "of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'.",
            500: "Internal error encountered.", 503: "The service is currently unavailable."}


# --- what a person typing into Google Sheets gets (USER_ENTERED parsing, zh_CN locale) ---------

_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def entered(text: str, as_text: bool = False) -> dict | None:
    """The userEnteredValue Sheets stores for typed text: dates become serial days, numbers
    numbers ("0192010001" loses its zeros), "=..." a formula; a column formatted as plain text
    ("@", as init-sheets sets for string fields) keeps the text."""
    if text == "":
        return None
    if as_text:
        return {"stringValue": text}
    if text.startswith("="):
        return {"formulaValue": text}
    if (m := _DATE.fullmatch(text)) and _real_date(m):
        day = (dt.date(int(m[1]), int(m[2]), int(m[3])) - EPOCH).days
        seconds = int(m[4] or 0) * 3600 + int(m[5] or 0) * 60 + int(m[6] or 0)
        return {"numberValue": day + seconds / 86400 if m[4] else day}
    if m := _TIME.fullmatch(text):
        return {"numberValue": (int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)) / 86400}
    if _NUMBER.fullmatch(text):
        return {"numberValue": float(text) if "." in text else int(text)}
    if text.upper() in ("TRUE", "FALSE"):
        return {"boolValue": text.upper() == "TRUE"}
    return {"stringValue": text}


def _real_date(m) -> bool:
    try:
        dt.date(int(m[1]), int(m[2]), int(m[3]))
        return True
    except ValueError:
        return False        # "2020-02-30" stays text, as in Sheets


def _value(entry: dict | None, formatted: bool):
    """A cell's value as values.get returns it (no formula evaluation in this fake)."""
    if not entry:
        return ""
    kind, value = next(iter(entry.items()))
    if kind == "boolValue":
        return ("TRUE" if value else "FALSE") if formatted else value
    if kind == "numberValue" and formatted:
        return str(int(value)) if float(value).is_integer() else repr(value)
    return value


# --- A1 ranges -----------------------------------------------------------------------------------

def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


_CELLS = re.compile(r"([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?")


def quote_title(title: str) -> str:
    return title if re.fullmatch(r"[A-Za-z0-9_]+", title) else "'" + title.replace("'", "''") + "'"


class BadRequest(Exception):
    pass


@dataclass
class Tab:
    props: dict
    cells: dict = field(default_factory=dict)      # (row, col) -> CellData

    @property
    def grid(self) -> dict:
        return self.props["gridProperties"]

    def bounds(self, r0=None, c0=None, r1=None, c1=None):
        """A GridRange's half-open bounds, unbounded sides filled from the grid."""
        rows, cols = self.grid["rowCount"], self.grid["columnCount"]
        return (r0 or 0, c0 or 0, rows if r1 is None else r1, cols if c1 is None else c1)

    def rows(self, bounds, formatted=False) -> list[list]:
        """Values in bounds, trailing empty cells and rows dropped as Google does."""
        r0, c0, r1, c1 = bounds
        filled = [rc for rc, cell in self.cells.items() if "userEnteredValue" in cell]
        r1 = min(r1, self.grid["rowCount"], max((r for r, _ in filled), default=-1) + 1)
        c1 = min(c1, self.grid["columnCount"], max((c for _, c in filled), default=-1) + 1)
        out = []
        for r in range(r0, r1):
            row = [_value(self.cells.get((r, c), {}).get("userEnteredValue"), formatted) for c in range(c0, c1)]
            while row and row[-1] == "":
                row.pop()
            out.append(row)
        while out and not out[-1]:
            out.pop()
        return out

    def texts(self) -> list[list[str]]:
        """What a person sees, roughly: every value as text (for assertions)."""
        return [[str(v) for v in row] for row in self.rows(self.bounds(), formatted=True)]


@dataclass
class Fault:
    status: int = 500
    method: str | None = None
    contains: str = ""              # a substring of the request path
    times: int = 1
    retry_after: str | None = None
    delay: float = 0.0              # seconds to wait before answering (a slow response)
    body: str | None = None         # a raw body instead of Google's JSON error


@dataclass
class Seen:
    method: str
    path: str
    query: dict
    body: object
    headers: dict
    at: float = 0.0                 # time.monotonic() when it arrived (to measure a client's waits)


class FakeSheets:
    """Spreadsheets in memory behind a local HTTP server: `with FakeSheets() as fake: fake.endpoint`."""

    def __init__(self, token: str | None = None):
        self.books: dict[str, dict] = {}            # key -> {"title": ..., "tabs": [Tab]}
        self.denied: set[str] = set()
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self.token = token                          # when set, a Bearer token is required
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    # -- setting up ---------------------------------------------------------------------------

    def add(self, key: str, title: str, tabs: dict[str, list[list[str]]], text_headers=()) -> None:
        """A spreadsheet whose tabs hold rows as typed; columns under text_headers are plain text."""
        book = {"title": title, "tabs": []}
        self.books[key] = book
        for title_, rows in tabs.items():
            tab = self._new_tab(book, {"title": title_, "gridProperties": {
                "rowCount": max(1000, len(rows)), "columnCount": max(26, *(len(r) for r in rows or [[]]))}})
            keep = [bool(rows) and h in text_headers for h in (rows[0] if rows else [])]
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    value = entered(text, as_text=r == 0 or (c < len(keep) and keep[c]))
                    if value is not None:
                        tab.cells[(r, c)] = {"userEnteredValue": value}

    def tab(self, key: str, title: str) -> Tab:
        return next(t for t in self.books[key]["tabs"] if t.props["title"] == title)

    def fail(self, status: int = 500, **kwargs) -> None:
        self.faults.append(Fault(status=status, **kwargs))

    def count(self, method: str | None = None, contains: str = "") -> int:
        return sum((method is None or s.method == method) and contains in s.path for s in self.requests)

    def _new_tab(self, book, props) -> Tab:
        ids = {t.props["sheetId"] for t in book["tabs"]}
        sheet_id = props.get("sheetId")
        if sheet_id is None:
            sheet_id = 0 if not ids else max(ids) + 1
        elif sheet_id in ids:
            raise BadRequest(f"A sheet with id {sheet_id} already exists.")
        if any(t.props["title"].casefold() == props["title"].casefold() for t in book["tabs"]):
            raise BadRequest(f'A sheet with the name "{props["title"]}" already exists. Please enter another name.')
        grid = {"rowCount": 1000, "columnCount": 26, **props.get("gridProperties", {})}
        tab = Tab({"sheetId": sheet_id, "title": props["title"], "index": len(book["tabs"]),
                   "sheetType": "GRID", "gridProperties": grid})
        book["tabs"].append(tab)
        return tab

    # -- answering ----------------------------------------------------------------------------

    def answer(self, method: str, raw_path: str, headers: dict, body: bytes):
        """(status, headers, body bytes) for one request."""
        split = urlsplit(raw_path)
        path, query = unquote(split.path), parse_qs(split.query)
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = body.decode("utf-8", "replace")      # the token endpoint's form body
        with self._lock:
            self.requests.append(Seen(method, path, query, payload, headers, time.monotonic()))
            fault = next((f for f in self.faults if f.times > 0 and (f.method in (None, method))
                          and f.contains in path), None)
            if fault:
                fault.times -= 1
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status != 200:
            extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            if fault.body is not None:
                return fault.status, {"Content-Type": "text/html", **extra}, fault.body.encode()
            return _error(fault.status, headers=extra)
        if path == "/token" and method == "POST":
            return _json({"access_token": self.token or "fake-token", "expires_in": 3599, "token_type": "Bearer"})
        if self.token and headers.get("authorization") != f"Bearer {self.token}":
            return _error(401, "Request is missing required authentication credential.")
        m = re.fullmatch(r"/v4/spreadsheets/([A-Za-z0-9_-]+)(.*)", path)
        if not m:
            return _error(404)
        key, rest = m.groups()
        if key in self.denied:
            return _error(403)
        if key not in self.books:
            return _error(404)
        with self._lock:
            try:
                return _json(self._route(key, method, rest, query, payload))
            except BadRequest as exc:
                return _error(400, str(exc))

    def _route(self, key, method, rest, query, payload):
        book = self.books[key]
        if method == "GET" and rest == "":
            return self._get(key, book, query)
        if method == "GET" and rest == "/values:batchGet":
            ranges = [self._values(book, r, query) for r in query.get("ranges", [])]
            return {"spreadsheetId": key, "valueRanges": ranges}
        if method == "GET" and rest.startswith("/values/"):
            return self._values(book, rest[len("/values/"):], query)
        if method == "POST" and rest == "/values:batchUpdate":
            return self._values_update(key, book, payload)
        if method == "POST" and rest == ":batchUpdate":
            return self._batch_update(key, book, payload)
        raise BadRequest(f"fake: no such method {method} {rest}")

    def _get(self, key, book, query):
        if query.get("includeGridData", ["false"])[0] != "false":
            raise BadRequest("fake: includeGridData is not supported")
        doc = {"spreadsheetId": key,
               "properties": {"title": book["title"], "locale": "zh_CN", "autoRecalc": "ON_CHANGE",
                              "timeZone": "Asia/Shanghai"},
               "sheets": [{"properties": _public(t.props)} for t in book["tabs"]],
               "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{key}/edit"}
        fields = query.get("fields", [None])[0]
        return _mask(doc, parse_fields(fields)) if fields else doc

    def _find(self, book, text) -> tuple[Tab, tuple]:
        """The tab and bounds of an A1 range such as 'Gate log'!A1:C3, 单位日报 or Sheet1!1:1."""
        title, _, cells = text.rpartition("!") if "!" in text else (text, "", "")
        if title.startswith("'") and title.endswith("'"):
            title = title[1:-1].replace("''", "'")
        tab = next((t for t in book["tabs"] if t.props["title"] == title), None)
        m = _CELLS.fullmatch(cells)
        if tab is None or m is None:
            raise BadRequest(f"Unable to parse range: {text}")
        a, r, b, s = m.groups()
        if not cells:
            return tab, tab.bounds()
        start = (int(r) - 1 if r else None, column_index(a) if a else None)
        end = (int(s) if s else None, column_index(b) + 1 if b else None) if m[3] is not None or m[4] \
            else (start[0] + 1 if r else None, start[1] + 1 if a else None)
        return tab, tab.bounds(start[0], start[1], end[0], end[1])

    def _values(self, book, text, query):
        if query.get("majorDimension", ["ROWS"])[0] != "ROWS":
            raise BadRequest("fake: only majorDimension=ROWS")
        if query.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[0] != "SERIAL_NUMBER":
            raise BadRequest("fake: only dateTimeRenderOption=SERIAL_NUMBER")
        option = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        tab, bounds = self._find(book, text)
        r0, c0, r1, c1 = bounds
        r1, c1 = min(r1, tab.grid["rowCount"]), min(c1, tab.grid["columnCount"])
        out = {"range": f"{quote_title(tab.props['title'])}!{column_letters(c0)}{r0 + 1}:{column_letters(c1 - 1)}{r1}",
               "majorDimension": "ROWS"}
        rows = tab.rows(bounds, formatted=option == "FORMATTED_VALUE")
        if rows:
            out["values"] = rows
        return out

    def _values_update(self, key, book, payload):
        option = payload.get("valueInputOption")
        if option not in ("RAW", "USER_ENTERED"):
            raise BadRequest("'valueInputOption' is required but not specified")
        responses = []
        for item in payload.get("data", []):
            tab, (r0, c0, _, _) = self._find(book, item["range"])
            values = item.get("values", [])
            if r0 + len(values) > tab.grid["rowCount"] or c0 + max(map(len, values), default=0) > tab.grid["columnCount"]:
                raise BadRequest(f"Range ({item['range']}) exceeds grid limits. Max rows: {tab.grid['rowCount']}, "
                                 f"max columns: {tab.grid['columnCount']}")
            for r, row in enumerate(values):
                for c, value in enumerate(row):
                    if isinstance(value, str) and option == "USER_ENTERED":
                        stored = entered(value)
                    elif isinstance(value, str):
                        stored = {"stringValue": value} if value else None
                    else:
                        stored = {"boolValue" if isinstance(value, bool) else "numberValue": value}
                    self._apply(tab, (r0 + r, c0 + c), {"userEnteredValue": stored} if stored else {},
                                "userEnteredValue")
            width = max((len(r) for r in values), default=0)
            responses.append({"spreadsheetId": key, "updatedRange": f"{quote_title(tab.props['title'])}!"
                              f"{column_letters(c0)}{r0 + 1}:{column_letters(c0 + width - 1)}{r0 + len(values)}",
                              "updatedRows": len(values), "updatedColumns": width,
                              "updatedCells": sum(len(r) for r in values)})
        return {"spreadsheetId": key, "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
                "totalUpdatedColumns": max((r["updatedColumns"] for r in responses), default=0),
                "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
                "totalUpdatedSheets": len({r["updatedRange"].rpartition("!")[0] for r in responses}),
                "responses": responses}

    def _batch_update(self, key, book, payload):
        """All requests or none, as Google applies a batchUpdate."""
        work = {"title": book["title"],
                "tabs": [Tab(copy.deepcopy(t.props), dict(t.cells)) for t in book["tabs"]]}
        replies = []
        for i, request in enumerate(payload.get("requests", [])):
            (kind, body), = request.items()
            handler = getattr(self, f"_do_{kind}", None)
            if handler is None:
                raise BadRequest(f'Invalid JSON payload received. Unknown name "{kind}" at \'requests[{i}]\'')
            try:
                replies.append(handler(work, body))
            except (BadRequest, KeyError, StopIteration) as exc:
                raise BadRequest(f"Invalid requests[{i}].{kind}: {exc}") from None
        book.clear()
        book.update(work)
        return {"spreadsheetId": key, "replies": replies}

    def _sheet(self, book, sheet_id) -> Tab:
        tab = next((t for t in book["tabs"] if t.props["sheetId"] == sheet_id), None)
        if tab is None:
            raise BadRequest(f"No grid with id: {sheet_id}")
        return tab

    def _cells_in(self, book, grid_range):
        tab = self._sheet(book, grid_range.get("sheetId", 0))
        r0, c0, r1, c1 = tab.bounds(grid_range.get("startRowIndex"), grid_range.get("startColumnIndex"),
                                    grid_range.get("endRowIndex"), grid_range.get("endColumnIndex"))
        if r1 > tab.grid["rowCount"] or c1 > tab.grid["columnCount"]:
            raise BadRequest(f"Range exceeds grid limits. Max rows: {tab.grid['rowCount']}, "
                             f"max columns: {tab.grid['columnCount']}")
        return tab, r0, c0, r1, c1

    def _do_addSheet(self, book, body):
        return {"addSheet": {"properties": _public(self._new_tab(book, body["properties"]).props)}}

    def _do_updateSheetProperties(self, book, body):
        props = body["properties"]
        tab = self._sheet(book, props.get("sheetId", 0))
        for path in body["fields"].split(","):
            _set_path(tab.props, props, path.strip().split("."))
        grid = tab.grid
        tab.cells = {rc: c for rc, c in tab.cells.items() if rc[0] < grid["rowCount"] and rc[1] < grid["columnCount"]}
        return {}

    def _do_updateCells(self, book, body):
        rows = body.get("rows", [])
        if "range" in body:
            tab, r0, c0, r1, c1 = self._cells_in(book, body["range"])
        else:
            start = body["start"]
            tab = self._sheet(book, start.get("sheetId", 0))
            r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
            r1 = r0 + len(rows)
            c1 = c0 + max((len(r.get("values", [])) for r in rows), default=0)
        if r0 + len(rows) > tab.grid["rowCount"]:
            raise BadRequest(f"GridCoordinate.rowIndex[{r0 + len(rows) - 1}] is after last row in grid"
                             f"[{tab.grid['rowCount'] - 1}]")
        for r in range(r0, r1):
            values = rows[r - r0].get("values", []) if r - r0 < len(rows) else []
            for c in range(c0, c1):
                data = values[c - c0] if c - c0 < len(values) else {}
                if c >= tab.grid["columnCount"] and data:
                    raise BadRequest(f"GridCoordinate.columnIndex[{c}] is after last column in grid")
                self._apply(tab, (r, c), data, body["fields"])
        return {}

    def _do_repeatCell(self, book, body):
        tab, r0, c0, r1, c1 = self._cells_in(book, body["range"])
        for r in range(r0, r1):
            for c in range(c0, c1):
                self._apply(tab, (r, c), body["cell"], body["fields"])
        return {}

    def _do_setDataValidation(self, book, body):
        tab, r0, c0, r1, c1 = self._cells_in(book, body["range"])
        rule = body.get("rule")
        for r in range(r0, r1):
            for c in range(c0, c1):
                self._apply(tab, (r, c), {"dataValidation": rule} if rule else {}, "dataValidation")
        return {}

    @staticmethod
    def _apply(tab, rc, data, fields):
        """Copy-on-write: cell dicts are never changed in place, so a batch can be rolled back
        by keeping the old dict of cells (and request values can be shared between cells)."""
        cell = dict(tab.cells.get(rc, {}))
        if fields == "*":
            cell = dict(data)
        else:
            for path in fields.split(","):
                _set_path(cell, data, path.strip().split("."))
        if cell:
            tab.cells[rc] = cell
        else:
            tab.cells.pop(rc, None)


def _set_path(target: dict, source: dict, path: list[str]) -> None:
    """Copy one field path from source into target (deleting it where source lacks it)."""
    head, rest = path[0], path[1:]
    if not rest:
        if head in source:
            target[head] = source[head]
        else:
            target.pop(head, None)
        return
    inner = dict(target.get(head, {}))
    _set_path(inner, source.get(head, {}), rest)
    if inner:
        target[head] = inner
    else:
        target.pop(head, None)


def _public(props: dict) -> dict:
    """Sheet properties as Google returns them: frozenRowCount only when set."""
    out = copy.deepcopy(props)
    if not out["gridProperties"].get("frozenRowCount"):
        out["gridProperties"].pop("frozenRowCount", None)
    return out


_NAME = re.compile(r"[A-Za-z_*]+")


def parse_fields(text: str) -> dict:
    """A partial-response mask such as "sheets.properties(title,sheetId),spreadsheetId" as a tree."""
    tree, pos = _fields(text, 0)
    if pos != len(text):
        raise BadRequest(f"Invalid field selection {text}")
    return tree


def _fields(text: str, pos: int) -> tuple[dict, int]:
    tree: dict = {}
    while True:
        names = []
        while True:
            m = _NAME.match(text, pos)
            if not m:
                raise BadRequest(f"Invalid field selection {text}")
            names.append(m.group())
            pos = m.end()
            if not text.startswith(".", pos):
                break
            pos += 1
        sub: dict = {}
        if text.startswith("(", pos):
            sub, pos = _fields(text, pos + 1)
            if not text.startswith(")", pos):
                raise BadRequest(f"Invalid field selection {text}")
            pos += 1
        node = tree
        for name in names:
            node = node.setdefault(name, {})
        _merge(node, sub)
        if not text.startswith(",", pos):
            return tree, pos
        pos += 1


def _merge(a: dict, b: dict) -> None:
    for k, v in b.items():
        _merge(a.setdefault(k, {}), v)


def _mask(value, tree: dict):
    if not tree:
        return value
    if isinstance(value, list):
        return [_mask(v, tree) for v in value]
    if isinstance(value, dict):
        return {k: _mask(value[k], sub) for k, sub in tree.items() if k in value}
    return value


def _json(body, status=200, headers=None):
    data = json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
    return status, {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}, data


def _error(status: int, message: str | None = None, headers=None):
    return _json({"error": {"code": status, "message": message or MESSAGES.get(status, "Error"),
                            "status": STATUS.get(status, "UNKNOWN")}}, status, headers)


def _handler(fake: FakeSheets):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True      # headers and body go out without a 40 ms delayed-ACK stall

        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, headers, data = fake.answer(self.command, self.path, headers, body)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass        # the client gave up (a timeout test)

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, *args):
            pass

    return Handler
