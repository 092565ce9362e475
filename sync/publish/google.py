"""Write-back to Google spreadsheets, and init-sheets (tabs set up from the schemas).

Each spreadsheet costs one metadata GET and one spreadsheets:batchUpdate, which Google applies
all or nothing: a department never sees half a status tab. A replaced tab is resized, then
one updateCells over the whole grid writes the new rows and clears every other cell. Values
go in as ExtendedValue.stringValue, which is what RAW input stores: a text starting with "="
stays text, never a formula; links to cells are plain-text URLs for the same reason.
The HTTP goes through sync.google (the only package that imports gspread); a run's write-back
goes on with the client its read used: the same token, budget and tab lists.
"""
from __future__ import annotations

import datetime as dt
import json
import zlib
from dataclasses import dataclass

from .. import google
from .. import issues as iss
from ..errors import ConfigError, SourceError
from ..policy import Field, Policy, Sheet, fold
from ..read.google_config import Spreadsheet, Tab, load_config
from ..read.table import cell_text
from ..vocabulary import EXPECTED, FALSE_WORDS, TRUE_WORDS
from . import highlights

STATUS_HEADER = ["级别 Severity", "工作表 Tab", "单元格 Cell", "列 Column", "值 Value", "问题 Code", "说明",
                 "Message", "链接 Link"]
# Cell formats per type: text columns keep "0192010001" as typed; dates show unambiguously.
NUMBER_FORMATS = {"string": {"type": "TEXT"}, "enum": {"type": "TEXT"},
                  "date": {"type": "DATE", "pattern": "yyyy-mm-dd"},
                  "datetime": {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"},
                  "time": {"type": "TIME", "pattern": "hh:mm"}}
MAX_LIST = 500      # Sheets' limit on ONE_OF_LIST values


@dataclass
class Outcome:
    spreadsheet: str            # its name in the config (never the key)
    ok: bool
    message: str


# --- write-back ---------------------------------------------------------------------------------

def write_back(config_path, result, policy: Policy, private: dict | None = None, marks=None,
               client: google.Client | None = None) -> list[Outcome]:
    """Each readable spreadsheet's status tab and the highlights and notes in its own tabs
    (publish/highlights.py; `marks` keeps which cells were marked: the archive); the office's
    private tab (when private is given). client: the run's, from its read (else a new connection)."""
    client = client or google.connect(load_config(config_path))
    config = client.config
    status_title = (policy.campus.get("status_tab") or {}).get("zh", "校验结果")
    private_title = (policy.campus.get("private_tab") or {}).get("zh", "防控办内部")
    outcomes = []
    for sheet in config.spreadsheets:
        wanted = []
        if sheet.tabs:
            wanted.append(status_title)
        if sheet.role == "office" and private is not None:
            wanted.append(private_title)
        if not wanted:
            continue
        if sheet.name in result.unavailable:
            outcomes.append(Outcome(sheet.name, False, "not read, so not written / 未读取，未写回"))
            continue
        try:
            props = client.properties(sheet)
            requests = []
            if status_title in wanted:
                mine = [i for i in result.issues if config.holder(i.sheet) is sheet]
                rows = status_rows(mine, result.as_of, sheet, props, policy)
                requests += replace_tab(props, status_title, rows, frozen=2)
                marked, now = highlights.requests(mine, props, policy, marks.marks(sheet.name) if marks else set())
                requests += marked
            if private_title in wanted:
                requests += replace_tab(props, private_title, private_rows(private, result.as_of), frozen=1)
            google.batch_update(client, sheet, requests)
            if marks is not None and status_title in wanted:
                marks.record_marks(sheet.name, now)
            outcomes.append(Outcome(sheet.name, True, f"wrote {', '.join(wanted)} / 已写回"))
        except SourceError as exc:
            outcomes.append(Outcome(sheet.name, False, str(exc)))
    return outcomes


def status_rows(issues: list[iss.Issue], as_of: dt.date, sheet: Spreadsheet, props: list[dict],
                policy: Policy) -> list[list[str]]:
    counts = iss.counts(issues)
    rows = [[f"校验日期 {as_of}：{counts['errors']} 个错误，{counts['warnings']} 个警告 / Checked as of {as_of}: "
             f"{counts['errors']} error(s), {counts['warnings']} warning(s)"], STATUS_HEADER]
    gids = {p["title"]: p["sheetId"] for p in props}
    for i in sorted(issues, key=iss.sort_key):
        title = i.tab or (policy.sheets[i.sheet].title["zh"] if i.sheet in policy.sheets else i.sheet)
        cell = i.cell or (f"A{i.row}" if i.row else None)
        severity = "错误 error" if i.severity == iss.ERROR else "警告 warning"
        rows.append([severity, title, i.cell or (f"{i.row}:{i.row}" if i.row else ""), i.column or "",
                     i.value or "", i.code, i.message["zh"], i.message["en"],
                     google.cell_url(sheet, gids.get(i.tab), cell)])
    if not issues:
        rows.append(["", "", "", "", "", "", "没有发现问题", "No problems found"])
    return rows


def private_rows(detail: dict, as_of: dt.date) -> list[list[str]]:
    """The office's private detail, one section per key: a table for a list of records."""
    rows = [[f"防控办内部，请勿外传 {as_of} / Office private, do not share"]]
    for key, value in detail.items():
        rows += [[], [str(key)]]
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            header = list(dict.fromkeys(k for record in value for k in record))
            rows.append(header)
            rows += [[_text(record.get(k)) for k in header] for record in value]
        elif isinstance(value, dict):
            rows += [[str(k), _text(v)] for k, v in value.items()]
        elif isinstance(value, list):
            rows += [[_text(v)] for v in value]
        else:
            rows.append([_text(value)])
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str, allow_nan=False)
    return str(value)


def replace_tab(props: list[dict], title: str, rows: list[list[str]], frozen: int) -> list[dict]:
    """Requests that make tab `title` hold exactly rows (created if missing, grown if too small)."""
    width = max(len(r) for r in rows)
    existing = next((p for p in props if p["title"] == title), None)
    grid = {"rowCount": len(rows) + 10, "columnCount": max(width, 10), "frozenRowCount": frozen}
    requests = []
    if existing is None:
        sheet_id = _new_id(props, title)
        requests.append({"addSheet": {"properties": {"sheetId": sheet_id, "title": title, "gridProperties": grid}}})
        props.append({"sheetId": sheet_id, "title": title, "gridProperties": grid})
    else:
        sheet_id, now = existing["sheetId"], existing["gridProperties"]
        grid = {"rowCount": max(now["rowCount"], grid["rowCount"]),
                "columnCount": max(now["columnCount"], grid["columnCount"]), "frozenRowCount": frozen}
        if any(now.get(k, 0) != v for k, v in grid.items()):
            requests.append(_grid_update(sheet_id, grid))
    bold = {frozen - 1}
    requests.append({"updateCells": {
        "range": {"sheetId": sheet_id},     # the whole grid: cells not in rows are cleared
        "rows": [{"values": [_cell(text, bold=r in bold) for text in row]} for r, row in enumerate(rows)],
        "fields": "userEnteredValue,userEnteredFormat.textFormat.bold"}})
    return requests


def _cell(text, bold: bool = False, note: str | None = None) -> dict:
    cell: dict = {"userEnteredValue": {"stringValue": str(text)}} if text not in (None, "") else {}
    if bold:
        cell["userEnteredFormat"] = {"textFormat": {"bold": True}}
    if note:
        cell["note"] = note
    return cell


def _grid_update(sheet_id: int, grid: dict) -> dict:
    return {"updateSheetProperties": {"properties": {"sheetId": sheet_id, "gridProperties": grid},
                                      "fields": ",".join(f"gridProperties.{k}" for k in grid)}}


def _new_id(props: list[dict], title: str) -> int:
    """A sheetId chosen here, so later requests of the same batch can refer to the new tab."""
    taken = {p["sheetId"] for p in props}
    sheet_id = zlib.crc32(title.encode("utf-8")) % 2_000_000_000 + 1
    while sheet_id in taken:
        sheet_id += 1
    return sheet_id


# --- init-sheets --------------------------------------------------------------------------------

def init_sheets(config_path, policy: Policy) -> list[Outcome]:
    """Create or complete every configured tab: header, frozen row, formats, validation, help.

    Idempotent: an existing tab keeps its columns and data; missing columns are appended, and
    formats and rules are set again to the same values. Three requests per spreadsheet.
    """
    config = load_config(config_path)
    unknown = [f"{config.path}: {s.name}: tabs.{t.sheet}: no such sheet in {policy.root}/sheets"
               for s in config.spreadsheets for t in s.tabs if t.sheet not in policy.sheets]
    if unknown:
        raise ConfigError(unknown)
    client = google.connect(config)
    outcomes = []
    for sheet in config.spreadsheets:
        if not sheet.tabs:
            continue
        try:
            props = client.properties(sheet)
            found = [(tab, google.find_tab(props, tab)) for tab in sheet.tabs]
            headers = iter([[cell_text(v) for v in row]
                            for row in google.read_headers(client, sheet, [p["title"] for _, p in found if p])])
            requests, notes = [], []
            for tab, existing in found:
                header = next(headers) if existing else []
                more, note = _tab_requests(props, tab, policy.sheets[tab.sheet], existing, header, policy)
                requests += more
                notes.append(note)
            google.batch_update(client, sheet, requests)
            outcomes.append(Outcome(sheet.name, True, "; ".join(notes)))
        except SourceError as exc:
            outcomes.append(Outcome(sheet.name, False, str(exc)))
    return outcomes


def _tab_requests(props, tab: Tab, schema: Sheet, existing: dict | None, header: list[str], policy: Policy):
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        name = next((f.name for f in schema.fields if fold(text) in {fold(h) for h in f.headers()}), None)
        if name and name not in columns:
            columns[name] = index
    added = [f for f in schema.fields if f.name not in columns]
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    for offset, f in enumerate(added):
        columns[f.name] = width + offset
    need = width + len(added)
    requests = []
    if existing is None:
        title = tab.title or schema.title["zh"]
        sheet_id = tab.gid if tab.gid is not None else _new_id(props, title)
        grid = {"rowCount": 1000, "columnCount": max(need, 26), "frozenRowCount": 1}
        requests.append({"addSheet": {"properties": {"sheetId": sheet_id, "title": title, "gridProperties": grid}}})
        props.append({"sheetId": sheet_id, "title": title, "gridProperties": grid})
        note = f"created {title} / 已新建"
    else:
        sheet_id, grid = existing["sheetId"], dict(existing["gridProperties"])
        if grid["columnCount"] < need or grid.get("frozenRowCount", 0) != 1:
            grid.update(columnCount=max(grid["columnCount"], need), frozenRowCount=1)
            requests.append(_grid_update(sheet_id, grid))
        note = f"{existing['title']}: " + (f"added {', '.join(f.title['zh'] for f in added)} / 已补充列"
                                          if added else "complete / 无需补充")
    new = {f.name for f in added}
    for f in schema.fields:
        c = columns[f.name]
        help_text = _help(f, policy)
        # Header text only where the column is new: an existing header stays as the department typed it.
        requests.append({"updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": c},
            "rows": [{"values": [_cell(f.title["zh"] if f.name in new else None, bold=True, note=help_text)]}],
            "fields": ("userEnteredValue," if f.name in new else "") + "note,userEnteredFormat.textFormat.bold"}})
        below = {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": c, "endColumnIndex": c + 1}
        if f.type in NUMBER_FORMATS:
            requests.append({"repeatCell": {"range": below, "fields": "userEnteredFormat.numberFormat",
                                            "cell": {"userEnteredFormat": {"numberFormat": NUMBER_FORMATS[f.type]}}}})
        rule = _rule(f, policy, help_text)
        if rule:
            requests.append({"setDataValidation": {"range": below, "rule": rule}})
    return requests, note


def _help(f: Field, policy: Policy) -> str:
    """The header note and input help: the English header, the type, the limits, the description."""
    zh, en = EXPECTED[f.type]
    parts_zh, parts_en = [zh], [en]
    if f.required:
        parts_zh.append("必填")
        parts_en.append("required")
    if f.minimum is not None or f.maximum is not None:
        span = f"{'' if f.minimum is None else f'{f.minimum:g}'} – {'' if f.maximum is None else f'{f.maximum:g}'}"
        parts_zh.append(f"范围 {span}")
        parts_en.append(f"range {span}")
    if f.reference:
        parts_zh.append(f"{policy.lists[f.reference].title.get('zh', '')}名单中的名称")
        parts_en.append(f"a name from the list of {policy.lists[f.reference].title.get('en', '')}")
    text = f"{f.title['zh']} / {f.title['en']}\n{'；'.join(parts_zh)}\n{'; '.join(parts_en)}"
    if f.description:
        text += f"\n{f.description['zh']}\n{f.description['en']}"
    return text


def _rule(f: Field, policy: Policy, help_text: str) -> dict | None:
    """A data-validation rule for the column, or None. Never strict: our parsers accept more
    than a dropdown offers (English labels, ids, "36.5℃", 2020年2月11日), so a rule warns only."""
    if f.type == "enum":
        condition = _one_of([v["zh"] for v in f.values])
    elif f.reference:
        condition = _one_of([i["zh"] for i in policy.lists[f.reference].items])
    elif f.type == "boolean":
        condition = _one_of([TRUE_WORDS[0], FALSE_WORDS[0]])
    elif f.type in ("integer", "number") and (f.minimum is not None or f.maximum is not None):
        bounds = [b for b in (f.minimum, f.maximum) if b is not None]
        kind = ("NUMBER_BETWEEN" if len(bounds) == 2 else
                "NUMBER_GREATER_THAN_EQ" if f.minimum is not None else "NUMBER_LESS_THAN_EQ")
        condition = {"type": kind, "values": [{"userEnteredValue": f"{b:g}"} for b in bounds]}
    elif f.type in ("date", "datetime"):
        condition = {"type": "DATE_IS_VALID"}
    else:
        return None
    if condition is None:
        return None
    return {"condition": condition, "inputMessage": help_text, "strict": False,
            "showCustomUi": condition["type"] == "ONE_OF_LIST"}


def _one_of(values: list[str]) -> dict | None:
    if not values or len(values) > MAX_LIST:
        return None
    return {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in values]}
