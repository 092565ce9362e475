"""Validate stage: text tables + policies -> typed tables and a list of issues.

Order: find tabs and columns, type every cell, unique keys, row rules, then checks across
rows. Each step sees only the rows the steps before it left valid.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from .. import issues as iss
from ..policy import Policy
from ..read.table import RawTable, Workbook
from . import fast, parse
from .cells import cell_issues, type_column
from .checks import CHECKS
from .crosscheck import cross_check
from .headers import locate_header, match_columns, match_sheets
from .rules import apply_rules, check_keys
from .table import Table


@dataclass
class Result:
    source: str
    as_of: dt.date
    tables: dict[str, Table]
    issues: list[iss.Issue]
    missing: list[str] = field(default_factory=list)         # sheets with no tab
    tabs: dict[str, RawTable] = field(default_factory=dict)  # the tab each sheet was read from, as read
    unavailable: list[str] = field(default_factory=list)     # sources that could not be read
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))   # typing, rules (bench/)

    @property
    def errors(self) -> list[iss.Issue]:
        return [i for i in self.issues if i.severity == iss.ERROR]


@dataclass
class _Context:
    policy: Policy
    as_of: dt.date


def validate(workbook: Workbook, policy: Policy, as_of: dt.date | None = None) -> Result:
    as_of = as_of or policy.today()
    found, problems = match_sheets(workbook, policy)
    tables = {}
    seconds: dict[str, float] = defaultdict(float)
    for name, raw in found.items():
        table, table_problems = _validate_table(policy.sheets[name], raw, policy, as_of, seconds)
        problems += table_problems
        if table is not None:
            tables[name] = table
    problems += cross_check(tables, policy, as_of)
    missing = [name for name, s in policy.sheets.items() if name not in found and not s.optional]
    return Result(source=workbook.source, as_of=as_of, tables=tables, issues=sorted(problems, key=iss.sort_key),
                  missing=missing, tabs=found, unavailable=list(workbook.unavailable), seconds=seconds)


def _validate_table(sheet, raw, policy: Policy, as_of: dt.date, seconds: dict[str, float]):
    if raw.unreadable:
        return None, [iss.make("unreadable-sheet", sheet.name, source=raw.source, tab=raw.title, value=raw.unreadable)]
    if not raw.header or all(parse.is_blank(h) for h in raw.header):
        return None, [iss.make("empty-sheet", sheet.name, source=raw.source, tab=raw.title)]
    started = time.perf_counter()
    raw = locate_header(raw, sheet)
    positions, problems = match_columns(raw, sheet)
    n = raw.n_rows
    live = np.zeros(n, dtype=bool)       # a row is live when any of its cells holds something
    for column in raw.columns:
        filled = ~fast.prepare(column)[1]
        if len(filled):
            live |= filled[column.codes]
    invalid = np.zeros(n, dtype=bool)
    columns = {}
    missing_values = set(sheet.missing_values)
    for f in sheet.fields:
        index = positions.get(f.name)
        column = raw.columns[index] if index is not None else None
        typed, verdicts = type_column(f, column, index, raw.header[index] if index is not None else None,
                                      n, policy, missing_values)
        if index is None:
            typed.error[:] = False      # reported once as missing-column, not on every row
        else:
            problems += cell_issues(typed, verdicts, live, sheet.name, raw.title, raw.source, raw.row_number)
            invalid |= typed.row_error() & live
        columns[f.name] = typed
    for number, text in raw.ragged:
        problems.append(iss.make("ragged-row", sheet.name, row=number, value=text, source=raw.source, tab=raw.title))
        invalid[raw.index_of(number)] = True
    table = Table(sheet=sheet, raw=raw, columns=columns, live=live, invalid=invalid)
    typed = time.perf_counter()
    seconds["typing"] += typed - started
    problems += check_keys(table)
    rule_issues = apply_rules(table, sheet.rules, policy.thresholds, float(as_of.toordinal()))
    _invalidate(table, rule_issues)
    problems += rule_issues
    ctx = _Context(policy=policy, as_of=as_of)
    absent = {f.name for f in sheet.fields if positions.get(f.name) is None}
    for spec in sheet.checks:
        params = {k: v for k, v in spec.items() if k not in ("check", "severity")}
        if absent & _fields_read(CHECKS[spec["check"]], params):
            continue        # a check cannot run without its columns; their absence is an issue already
        found = CHECKS[spec["check"]].run(table, params, ctx)
        if "severity" in spec:
            found = [iss.Issue(**{**i.to_dict(), "severity": spec["severity"]}) for i in found]
        _invalidate(table, found)
        problems += found
    seconds["rules"] += time.perf_counter() - typed
    return table, problems


def _fields_read(check, params: dict) -> set[str]:
    names: set[str] = set()
    for param, kind in check.params.items():
        value = params.get(param)
        if kind == "field" and isinstance(value, str):
            names.add(value)
        elif kind == "fields" and isinstance(value, list):
            names.update(v for v in value if isinstance(v, str))
    return names


def _invalidate(table: Table, found: list[iss.Issue]) -> None:
    for issue in found:
        if issue.severity == iss.ERROR and issue.row:
            table.invalid[table.raw.index_of(issue.row)] = True
