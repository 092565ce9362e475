"""Checks between sheets (campus.yml `cross_checks:`), after every sheet is typed and checked.

compare: for each day the left side has rows, an aggregate of the left sheet (sum, distinct or
rows) against one of the right sheet, with an operator and a tolerance -- the county-vs-state
check. The issue names both places and both numbers; when the left side is one row (the
International Office's report) it points at that cell, so holding the code holds the cell.

roster: each person of the left sheet on the day (the duty roster) must not be found, by name, in
any of the `not_in` sheets on that day (in isolation, a fever); a snapshot sheet (staff status) tells
the state now, so it concerns the slots of today and later only. Each finding is an issue on the
roster row; its message (private) says where the person was found.

Both see only valid rows. Days come from the named date field (floored, for a datetime).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from .. import issues as iss
from ..policy import CrossCheck, Policy, Side
from .rules import _evaluate
from .table import Table

SYMBOL = {"==": "=", "<=": "≤", ">=": "≥"}


def _rows(table: Table, side: Side, policy: Policy, as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """(row indices, day ordinal per row; -1 for a snapshot sheet) of the side's valid rows."""
    keep = table.live & ~table.invalid
    for condition in side.where:
        keep &= _evaluate(table, condition, policy.thresholds, float(as_of.toordinal()), unknown=False)
    if side.date is None:
        index = np.flatnonzero(keep)
        return index, np.full(len(index), -1, dtype=np.int64)
    num = np.floor(table.columns[side.date].row_num())
    keep &= ~np.isnan(num)
    index = np.flatnonzero(keep)
    return index, num[index].astype(np.int64)


def _measure(table: Table, side: Side, index: np.ndarray) -> float:
    if side.measure == "rows" or side.field is None:
        return float(len(index))
    column = table.columns[side.field]
    if side.measure == "sum":
        values = column.row_num()[index]
        return float(np.nansum(values))
    return float(len({column.values[c] for c in column.codes[index].tolist()} - {None}))


def _ok(left: float, op: str, right: float, tolerance: float) -> bool:
    if op == "==":
        return abs(left - right) <= tolerance
    if op == "<=":
        return left <= right + tolerance
    return left >= right - tolerance


def _describe(table: Table, side: Side, index: np.ndarray, day: dt.date) -> tuple[str, str]:
    """Where a side's number comes from, zh and en: the cell when it is one row, else the sheet's
    tab, the day and what was counted."""
    column = table.columns[side.field] if side.field else None
    if len(index) == 1 and column is not None and column.index is not None:
        place = f"{table.raw.title}!{iss.column_letter(column.index)}{table.row_number(int(index[0]))}"
        return place, place
    title = table.sheet.title
    header = (column.header or column.field.title["zh"]) if column is not None else ""
    what_zh = {"sum": f"“{header}”合计", "distinct": f"不同“{header}”数", "rows": "行数"}[side.measure]
    what_en = {"sum": f"sum of '{header}'", "distinct": f"distinct '{header}'", "rows": "rows"}[side.measure]
    return (f"{table.raw.title}（{title['zh']}）{day.isoformat()} {what_zh}",
            f"{table.raw.title} ({title['en']}) on {day.isoformat()}, {what_en}")


def _number(value: float) -> str:
    return f"{value:g}"


def compare(check: CrossCheck, tables: dict[str, Table], policy: Policy, as_of: dt.date) -> list[iss.Issue]:
    right_side = check.right
    assert right_side is not None                   # a compare check has both sides (sync/config)
    left_t, right_t = tables.get(check.left.sheet), tables.get(right_side.sheet)
    if left_t is None or right_t is None:
        return []           # a missing sheet is its own error; nothing to compare
    l_index, l_days = _rows(left_t, check.left, policy, as_of)
    r_index, r_days = _rows(right_t, right_side, policy, as_of)
    found = []
    for d in sorted(set(l_days.tolist()) - {-1}):
        if d > as_of.toordinal():
            continue
        day = dt.date.fromordinal(d)
        li = l_index[l_days == d]
        ri = r_index[(r_days == d) | (r_days == -1)]
        left, right = _measure(left_t, check.left, li), _measure(right_t, right_side, ri)
        if _ok(left, check.op, right, check.tolerance):
            continue
        (lz, le), (rz, re_) = _describe(left_t, check.left, li, day), _describe(right_t, right_side, ri, day)
        sign = SYMBOL[check.op]
        tol_zh = f"，容差 {_number(check.tolerance)}" if check.tolerance else ""
        tol_en = f", tolerance {_number(check.tolerance)}" if check.tolerance else ""
        message = {"zh": f"{check.message['zh']}：{lz} 为 {_number(left)}，{rz} 为 {_number(right)}"
                         f"（应 {sign}{tol_zh}）",
                   "en": f"{check.message['en']}: {le} is {_number(left)}, {re_} is {_number(right)} "
                         f"(expected {sign}{tol_en})"}
        if len(li) == 1 and check.left.field:
            issue = left_t.issue(check.code, check.left.field, int(li[0]), severity=check.severity, message=message)
            found.append(iss.Issue(**{**issue.to_dict(), "date": day.isoformat()}))
        else:
            found.append(iss.make(check.code, check.left.sheet, severity=check.severity, message=message,
                                  source=left_t.raw.source, tab=left_t.raw.title, date=day.isoformat(),
                                  value=_number(left)))
    return found


def roster(check: CrossCheck, tables: dict[str, Table], policy: Policy, as_of: dt.date) -> list[iss.Issue]:
    table, person = tables.get(check.left.sheet), check.left.field
    if table is None or person is None:
        return []
    index, days = _rows(table, check.left, policy, as_of)
    column = table.columns[person]
    # (name, day or -1) -> the first place the person was found, per `not_in` side
    seen: dict[tuple[str, int], list[tuple[Side, str]]] = defaultdict(list)
    for side in check.against:
        other = tables.get(side.sheet)
        if other is None:
            continue
        o_index, o_days = _rows(other, side, policy, as_of)
        if side.field is None:
            continue
        names = other.columns[side.field]
        first: dict[tuple[str, int], str] = {}
        for i, d in zip(o_index.tolist(), o_days.tolist()):
            name = names.values[names.codes[i]]
            if name is not None:
                first.setdefault((str(name).strip(), d), f"{other.raw.title}!{other.row_number(i)}:{other.row_number(i)}")
        for key, place in first.items():
            seen[key].append((side, place))
    found = []
    for i, d in zip(index.tolist(), days.tolist()):
        name = column.values[column.codes[i]]
        if name is None:
            continue
        # A snapshot sheet (staff_status) tells the state now: it concerns today's and later slots only.
        hits = seen.get((str(name).strip(), d), []) + (seen.get((str(name).strip(), -1), [])
                                                        if d >= as_of.toordinal() else [])
        if not hits:
            continue
        reasons_zh = "；".join(f"{(s.reason or {}).get('zh', '')}（{place}）" for s, place in hits)
        reasons_en = "; ".join(f"{(s.reason or {}).get('en', '')} ({place})" for s, place in hits)
        message = {"zh": f"{check.message['zh']}：{name} {reasons_zh}",
                   "en": f"{check.message['en']}: {name} {reasons_en}"}
        found.append(table.issue(check.code, person, i, severity=check.severity, message=message))
    return found


def cross_check(tables: dict[str, Table], policy: Policy, as_of: dt.date) -> list[iss.Issue]:
    """Every cross-check of the policies; an error marks its row invalid."""
    found = []
    for check in policy.cross_checks:
        issues = (roster if check.kind == "roster" else compare)(check, tables, policy, as_of)
        for issue in issues:
            table = tables[issue.sheet]
            if issue.severity == iss.ERROR and issue.row:
                table.invalid[table.raw.index_of(issue.row)] = True
        found += issues
    return found
