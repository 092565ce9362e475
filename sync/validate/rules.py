"""Row rules (``when`` ... ``check`` ...) and unique keys, evaluated for all rows at once with numpy.

A rule only judges rows whose cells it reads are free of errors: a cell that could not be
read is reported once, by the typist, not again by every rule that touches it.
"""
from __future__ import annotations

from typing import Any

import operator

import numpy as np

from .. import issues as iss
from ..expr import Condition
from ..policy import Rule
from .table import Table

COMPARE = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le, ">": operator.gt,
           "<": operator.lt}


def apply_rules(table: Table, rules: list[Rule], thresholds: dict, today_days: float) -> list[iss.Issue]:
    found = []
    for rule in rules:
        names = {rule.column}.union(*(c.fields for c in rule.when + rule.check))
        eligible = table.live & ~table.invalid
        for name in names:
            eligible &= ~table.columns[name].row_error()
        when = eligible.copy()
        for condition in rule.when:
            when &= _evaluate(table, condition, thresholds, today_days, unknown=False)
        ok = np.ones(table.n_rows, dtype=bool)
        for condition in rule.check:
            ok &= _evaluate(table, condition, thresholds, today_days, unknown=True)
        for i in np.flatnonzero(when & ~ok).tolist():
            found.append(table.issue(rule.code, rule.column, i, severity=rule.severity, message=rule.message))
    return found


def _evaluate(table: Table, condition: Condition, thresholds: dict, today_days: float, unknown: bool) -> np.ndarray:
    """Per row: does the condition hold? A comparison with a blank cell gives `unknown`:
    a blank does not trigger a rule (when) and does not break one (check); `is blank` says so."""
    column = table.columns[condition.field]
    if condition.op in ("blank", "not-blank"):
        per_text = np.array([v is None for v in column.values], dtype=bool)
        if condition.op == "not-blank":
            per_text = ~per_text
        return per_text[column.codes] if len(per_text) else np.zeros(table.n_rows, dtype=bool)
    if condition.op == "in":
        per_text = np.array([v in condition.choices for v in column.values], dtype=bool)
        return per_text[column.codes] if len(per_text) else np.zeros(table.n_rows, dtype=bool)
    compare = COMPARE[condition.op]
    left = column.row_num()
    operand = condition.operand
    assert operand is not None          # a comparison always has one (expr.parse)
    right: Any
    if operand.kind == "field":
        right = table.columns[str(operand.value)].row_num()
    elif operand.kind == "today":
        right = today_days
    elif operand.kind == "threshold":
        right = float(thresholds[operand.value])
    else:
        right = operand.value
    with np.errstate(invalid="ignore"):
        result = compare(left, right)
    known = ~np.isnan(left) & ~np.isnan(right)
    return np.where(known, result, unknown)


def check_keys(table: Table) -> list[iss.Issue]:
    """duplicate-key at the later of two rows with the same key (compared by typed value)."""
    sheet = table.sheet
    keys = []
    if sheet.primary_key:
        keys.append(tuple(sheet.primary_key))
    keys += [(f.name,) for f in sheet.fields if f.unique and (f.name,) not in keys]
    found = []
    for key in keys:
        rows = table.live & ~table.invalid
        parts = []
        for name in key:
            column = table.columns[name]
            rows &= ~np.array([v is None for v in column.values], dtype=bool)[column.codes] \
                if column.values else np.zeros(table.n_rows, dtype=bool)
            canon: dict = {}
            per_text = np.array([canon.setdefault(v, len(canon)) for v in column.values], dtype=np.int64)
            parts.append((per_text[column.codes] if len(per_text) else np.zeros(table.n_rows, np.int64),
                          max(len(canon), 1)))
        index = np.flatnonzero(rows)
        if len(index) < 2:
            continue
        combined = _combine([p[index] for p, _ in parts], [n for _, n in parts])
        order = np.argsort(combined, kind="stable")
        ordered = combined[order]
        repeat = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
        if not len(repeat):
            continue
        group_start = np.maximum.accumulate(np.where(np.r_[True, ordered[1:] != ordered[:-1]],
                                                     np.arange(len(ordered)), 0))
        label = " + ".join(table.columns[n].header or n for n in key)
        for pos in repeat.tolist():
            i, first = int(index[order[pos]]), int(index[order[group_start[pos]]])
            found.append(table.issue("duplicate-key", key[0], i, other_row=table.row_number(first), expected=label))
        table.invalid[index[order[repeat]]] = True
    return found


def _combine(parts: list[np.ndarray], sizes: list[int]) -> np.ndarray:
    """One int64 per row for a composite key (tuples where the product would overflow)."""
    if float(np.prod([float(s) for s in sizes])) < 2 ** 62:
        combined = np.zeros(len(parts[0]), dtype=np.int64)
        for part, size in zip(parts, sizes):
            combined = combined * size + part
        return combined
    tuples = list(zip(*(p.tolist() for p in parts)))
    canon: dict = {}
    return np.array([canon.setdefault(t, len(canon)) for t in tuples], dtype=np.int64)
