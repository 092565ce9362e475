"""campus.yml `cross_checks:` checked key by key (the Checker's part for checks between sheets;
sync/validate/crosscheck.py runs them)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import expr
from .issues import CATALOGUE
from .policy import KEBAB, CrossCheck, Side

if TYPE_CHECKING:
    from .policy_check import Checker

CROSS_KEYS = {"code", "severity", "left", "op", "right", "tolerance", "message", "hold_figures", "roster", "not_in"}
SIDE_KEYS = {"sheet", "date", "where", "sum", "distinct", "rows", "person", "reason"}
MEASURES = ("sum", "distinct", "rows")
COMPARE_OPS = ("==", "<=", ">=")


def cross_checks(self: "Checker", path: Path, data, sheets: dict, thresholds: dict) -> list[CrossCheck]:
    """Optional: checks between sheets (sync/validate/crosscheck.py), each compare or roster."""
    if data is None:
        return []
    if not isinstance(data, list):
        self.problem(path, ("cross_checks",), "expected a list of checks, each with code, left, op, right, message")
        return []
    out, codes = [], set()
    for i, spec in enumerate(data):
        keys = ("cross_checks", i)
        if not isinstance(spec, dict):
            self.problem(path, keys, f"expected a mapping; got {spec!r}")
            continue
        start = len(self.problems)
        roster = "roster" in spec
        self._keys(path, keys, spec, CROSS_KEYS,
                   required=("code", "message", "roster", "not_in") if roster else ("code", "message", "left", "op", "right"))
        code, severity = spec.get("code"), spec.get("severity", "warning")
        if not (isinstance(code, str) and KEBAB.match(code)):
            self.problem(path, keys + ("code",), f"expected a kebab-case code such as isolated-vs-log; got {code!r}")
        elif code in codes or code in CATALOGUE:
            self.problem(path, keys + ("code",), f"code {code!r} is already used")
        codes.add(code)
        if severity not in ("error", "warning"):
            self.problem(path, keys + ("severity",), f"expected error or warning; got {severity!r}")
        self._bilingual(path, keys + ("message",), spec.get("message"))
        if roster:
            left = _side(self, path, keys + ("roster",), spec.get("roster"), sheets, thresholds, ("person",))
            against = [_side(self, path, keys + ("not_in", k), side, sheets, thresholds, ("person",), reason=True)
                       for k, side in enumerate(spec.get("not_in") or [])]
            if not isinstance(spec.get("not_in"), list) or not spec.get("not_in"):
                self.problem(path, keys + ("not_in",), "expected a list of sheets to look the person up in")
            right, op, tolerance = None, "==", 0.0
        else:
            left = _side(self, path, keys + ("left",), spec.get("left"), sheets, thresholds, MEASURES)
            right = _side(self, path, keys + ("right",), spec.get("right"), sheets, thresholds, MEASURES)
            against = []
            op, tolerance = spec.get("op"), spec.get("tolerance", 0)
            if op not in COMPARE_OPS:
                self.problem(path, keys + ("op",), f"expected one of {', '.join(COMPARE_OPS)}; got {op!r}")
            if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or tolerance < 0:
                self.problem(path, keys + ("tolerance",), f"expected a number >= 0; got {tolerance!r}")
        figures = spec.get("hold_figures", [])
        if not isinstance(figures, list) or any(not isinstance(f, str) or f.count(".") != 1 for f in figures):
            self.problem(path, keys + ("hold_figures",), f"expected public figures such as [isolation.people]; got {figures!r}")
        if len(self.problems) == start:
            out.append(CrossCheck(code=code, severity=severity, kind="roster" if roster else "compare",
                                  message=spec["message"], left=left, right=right, op=op,
                                  tolerance=float(tolerance), against=against, hold_figures=list(figures)))
    return out

def _side(self: "Checker", path, keys, data, sheets, thresholds, measures, reason=False) -> Side | None:
    if not isinstance(data, dict):
        self.problem(path, keys, f"expected {{sheet: ..., date: ..., {measures[0]}: ...}}; got {data!r}")
        return None
    self._keys(path, keys, data, SIDE_KEYS - ({"reason"} if not reason else set()), required=("sheet",))
    sheet = sheets.get(data.get("sheet"))
    if sheet is None:
        self.problem(path, keys + ("sheet",), f"unknown sheet {data.get('sheet')!r}; expected one of {', '.join(sorted(sheets))}")
        return None
    names = {f.name for f in sheet.fields}
    date = data.get("date")
    if date is not None and (date not in names or sheet.field(date).type not in ("date", "datetime")):
        self.problem(path, keys + ("date",), f"expected a date or datetime field of {sheet.name}; got {date!r}")
    given = [m for m in measures if m in data]
    if len(given) != 1:
        self.problem(path, keys, f"expected exactly one of {', '.join(measures)}")
        return None
    measure = given[0]
    target = data[measure]
    if measure == "rows":
        target = None
    elif target not in names:
        self.problem(path, keys + (measure,), f"unknown field {target!r} of {sheet.name}")
    elif measure == "sum" and sheet.field(target).type not in ("integer", "number"):
        self.problem(path, keys + (measure,), f"{target} is not a number field")
    where = []
    for k, text in enumerate(data.get("where") or []):
        try:
            where.append(expr.parse(text, names, thresholds))
        except expr.ExprError as exc:
            self.problem(path, keys + ("where", k), str(exc))
    if reason:
        self._bilingual(path, keys + ("reason",), data.get("reason"))
    return Side(sheet=sheet.name, date=date, where=where, measure=measure, field=target,
                reason=data.get("reason") if reason else None)
