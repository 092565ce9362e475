"""Validation issues as data: a stable code, a place, and a message in Chinese and English.

One list of Issue objects is rendered as text for a terminal or as JSON for machines.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"

# Every code the program itself emits, with its default severity and message templates.
# Rules in policies/sheets/*.yml bring their own codes and messages.
CATALOGUE: dict[str, tuple[str, str, str]] = {
    "missing-sheet": (ERROR, "缺少工作表“{sheet_title}”", "Sheet '{sheet_title}' is missing"),
    "duplicate-sheet": (ERROR, "另一个工作表“{value}”已是此表，本表未读取", "Tab '{value}' already holds this sheet; this one was not read"),
    "unknown-sheet": (WARNING, "无法识别的工作表，已忽略", "Unrecognised sheet, ignored"),
    "empty-sheet": (ERROR, "工作表为空，没有表头", "The sheet is empty: no header row"),
    "unreadable-sheet": (ERROR, "工作表无法读取：{value}", "The sheet cannot be read: {value}"),
    "missing-column": (ERROR, "缺少必填列“{expected}”", "Required column '{expected}' is missing"),
    "duplicate-header": (ERROR, "列“{column}”重复出现，只读取第一列", "Column '{column}' appears twice; only the first is read"),
    "blank-header": (ERROR, "该列有数据但没有表头", "This column has data but no header"),
    "unknown-column": (WARNING, "无法识别的列“{column}”，已忽略", "Unrecognised column '{column}', ignored"),
    "ragged-row": (ERROR, "该行的单元格数与表头不符：{value}", "This row has a different number of cells than the header: {value}"),
    "spreadsheet-error": (ERROR, "单元格是表格公式错误值 {value}", "The cell holds a spreadsheet error value {value}"),
    "missing-value": (ERROR, "“{column}”为必填项", "'{column}' is required"),
    "type-error": (ERROR, "“{value}”不是有效的{expected_zh}", "'{value}' is not {expected_en}"),
    "out-of-range": (ERROR, "“{value}”超出范围，应为 {expected}", "'{value}' is out of range; expected {expected}"),
    "decimal-slip": (WARNING, "“{value}”疑似小数点错位（是否应为 {expected}？），此值未采用",
                     "'{value}' looks like a slipped decimal point ({expected}?); value not used"),
    "not-in-list": (ERROR, "“{value}”不是可选值，应为：{expected}", "'{value}' is not an allowed value; expected one of: {expected}"),
    "unknown-reference": (ERROR, "“{value}”不在{expected_zh}名单中", "'{value}' is not in the list of {expected_en}"),
    "pattern-mismatch": (ERROR, "“{value}”格式不正确，应匹配 {expected}", "'{value}' does not have the expected form {expected}"),
    "duplicate-key": (ERROR, "与第 {other_row} 行重复（{expected}）", "Duplicates row {other_row} ({expected})"),
    "stock-below-zero": (ERROR, "此次出库后“{item}”库存为 {stock}，低于零，此行未计入",
                         "After this outflow the stock of '{item}' would be {stock}, below zero; row not counted"),
    "too-few-readings": (WARNING, "{date} 只有 {count} 次体温记录，应至少 {required} 次",
                         "Only {count} temperature reading(s) on {date}; at least {required} expected"),
    "disinfection-below-plan": (WARNING, "“{area}”{date} 消毒 {count} 次，方案要求 {required} 次",
                                "'{area}' was disinfected {count} time(s) on {date}; the plan requires {required}"),
    "concentration-outside-plan": (WARNING, "浓度 {value} mg/L 不在方案范围 {expected} 内",
                                   "Concentration {value} mg/L is outside the plan's range {expected}"),
    "copied-forward": (WARNING, "本单位报告与此前 {days} 天（自 {since} 起）完全相同，是否照抄了前一天？",
                       "This unit's report is identical for {days} days in a row (since {since}); copied forward?"),
    "unchanging-readings": (WARNING, "此人 {days} 天内 {count} 次体温记录全部相同，请核实是否如实测量",
                            "All {count} readings of this person over {days} days are the same value; were they taken?"),
    "count-jump": (WARNING, "“{column}”从上次（{previous_date}）的 {previous} 跃升到 {value}，请核实",
                   "'{column}' jumped from {previous} in the previous report ({previous_date}) to {value}; please check"),
}

SEVERITY_ORDER = {ERROR: 0, WARNING: 1}


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    sheet: str                  # sheet id, e.g. gate_log
    message: dict[str, str]     # {"zh": ..., "en": ...}
    row: int | None = None      # as the user sees it: the header is row 1
    column: str | None = None   # the header as typed in the sheet
    cell: str | None = None     # A1 address, e.g. F12
    value: str | None = None    # the cell's text as typed
    field: str | None = None    # field id of the schema
    source: str | None = None   # file path or spreadsheet the sheet came from
    tab: str | None = None      # tab or file title as found
    date: str | None = None     # the day an issue without a row concerns (disinfection below plan)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def place(self) -> str:
        """Where to look, as a person would say it: 出入登记!F12, or the file and row."""
        where = self.tab or self.sheet
        if self.cell:
            return f"{where}!{self.cell}"
        if self.row:
            return f"{where}!{self.row}:{self.row}"
        return where


def make(code: str, sheet: str, severity: str | None = None, message: dict | None = None,
         **place) -> Issue:
    """Build an issue from the catalogue, filling its templates from place and extra keys."""
    default_severity, zh, en = CATALOGUE.get(code, (ERROR, "{value}", "{value}"))
    fill = _Fill({k: ("" if v is None else v) for k, v in place.items()})
    if message is None:
        message = {"zh": zh.format_map(fill), "en": en.format_map(fill)}
    keep = {k: place.get(k) for k in ("row", "column", "cell", "value", "field", "source", "tab", "date")}
    if keep["value"] is not None:
        keep["value"] = str(keep["value"])
    return Issue(code=code, severity=severity or default_severity, sheet=sheet, message=message, **keep)


class _Fill(dict):
    def __missing__(self, key):
        return ""


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def sort_key(issue: Issue):
    return (issue.sheet, issue.row or 0, issue.cell or "", SEVERITY_ORDER.get(issue.severity, 2), issue.code)


def counts(issues: list[Issue]) -> dict:
    by_severity = Counter(i.severity for i in issues)
    by_sheet = Counter((i.sheet, i.severity == ERROR) for i in issues)
    return {
        "errors": by_severity.get(ERROR, 0),
        "warnings": by_severity.get(WARNING, 0),
        "by_code": dict(sorted(Counter(i.code for i in issues).items())),
        "by_sheet": {sheet: {"errors": by_sheet[sheet, True], "warnings": by_sheet[sheet, False]}
                     for sheet in sorted({i.sheet for i in issues})},
    }


def to_json(issues: list[Issue]) -> str:
    ordered = sorted(issues, key=sort_key)
    body = {"issues": [i.to_dict() for i in ordered], "counts": counts(ordered)}
    return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"


def to_text(issues: list[Issue], titles: dict[str, dict] | None = None) -> str:
    """Grouped by sheet, one line per issue: severity, place, code, then zh / en message."""
    if not issues:
        return "没有发现问题 / No problems found.\n"
    lines = []
    ordered = sorted(issues, key=sort_key)
    for sheet in dict.fromkeys(i.sheet for i in ordered):
        group = [i for i in ordered if i.sheet == sheet]
        n_err = sum(i.severity == ERROR for i in group)
        title = (titles or {}).get(sheet, {})
        label = f"{title.get('zh', '')} {title.get('en', '')} ({sheet})".strip()
        source = next((i.source for i in group if i.source), None)
        lines.append(f"== {label}{' — ' + source if source else ''}: "
                     f"{n_err} 错误/errors, {len(group) - n_err} 警告/warnings")
        for i in group:
            mark = "错误 E" if i.severity == ERROR else "警告 W"
            lines.append(f"  {mark}  {i.place:<18} {i.code}")
            lines.append(f"        {i.message['zh']}")
            lines.append(f"        {i.message['en']}")
    c = counts(ordered)
    lines.append(f"共 {c['errors']} 个错误、{c['warnings']} 个警告 / "
                 f"{c['errors']} error(s), {c['warnings']} warning(s) in total")
    return "\n".join(lines) + "\n"
