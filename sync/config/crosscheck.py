"""campus.yml `cross_checks:` and `hold:` against the sheet schemas, once those are loaded: the
Campus model (campus.py) checks their shape; here each side's sheet, date field, measured field and
`where` conditions, a code used twice, and held codes nothing raises. Builds the CrossCheck objects
sync/validate/crosscheck.py runs."""
from __future__ import annotations

from pathlib import Path

from .. import expr
from ..issues import CATALOGUE
from .objects import CrossCheck, Side
from .base import KEBAB, Problem, problem

MEASURES = ("sum", "distinct", "rows")


class _Found:
    """Where problems go, with the file's key lines for file:line."""

    def __init__(self, lines: dict, found: list[Problem]):
        self.lines, self.found = lines, found

    @property
    def problems(self) -> list[Problem]:
        return self.found

    def problem(self, path: Path, keys: tuple, message: str, code: str = "invalid") -> None:
        self.found.append(problem(path, self.lines, keys, message, code))

    def _keys(self, path, keys, data, allowed, required=()):
        for key in required:        # unknown keys are the model's to report
            if key not in data:
                self.problem(path, keys, f"missing key '{key}'", "missing-key")

    def _bilingual(self, path, keys, value, required=True):
        pass                        # the model checks it


def load(path: Path, lines: dict, campus: dict, sheets: dict, thresholds: dict,
         found: list[Problem]) -> list[CrossCheck]:
    """The campus's cross-checks, and its `hold:` codes checked, problems added to found."""
    out = _Found(lines, found)
    checks = cross_checks(out, path, campus.get("cross_checks"), sheets, thresholds)
    hold = campus.get("hold")
    if isinstance(hold, list):
        known = set(CATALOGUE) | {r.code for s in sheets.values() for r in s.rules} | {c.code for c in checks}
        for i, code in enumerate(hold):
            if isinstance(code, str) and KEBAB.match(code) and code not in known:
                out.problem(path, ("hold", i), f"unknown issue code {code!r}; expected one of {', '.join(sorted(known))}",
                            "unknown-code")
    return checks


def cross_checks(self: _Found, path: Path, data, sheets: dict, thresholds: dict) -> list[CrossCheck]:
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
        self._keys(path, keys, spec, (),
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
            op, tolerance = str(spec.get("op", "==")), spec.get("tolerance", 0)
            if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or tolerance < 0:
                self.problem(path, keys + ("tolerance",), f"expected a number >= 0; got {tolerance!r}")
        figures = spec.get("hold_figures", [])
        if not isinstance(figures, list) or any(not isinstance(f, str) or f.count(".") != 1 for f in figures):
            self.problem(path, keys + ("hold_figures",), f"expected public figures such as [isolation.people]; got {figures!r}")
        if len(self.problems) == start:
            assert isinstance(code, str) and left is not None      # else a problem was found above
            out.append(CrossCheck(code=code, severity=severity, kind="roster" if roster else "compare",
                                  message=spec["message"], left=left, right=right, op=op,
                                  tolerance=float(tolerance), against=[s for s in against if s is not None], hold_figures=list(figures)))
    return out


def _side(self: _Found, path, keys, data, sheets, thresholds, measures, reason=False) -> Side | None:
    if not isinstance(data, dict):
        self.problem(path, keys, f"expected {{sheet: ..., date: ..., {measures[0]}: ...}}; got {data!r}")
        return None
    self._keys(path, keys, data, (), required=("sheet",))
    if not reason and "reason" in data:
        self.problem(path, keys + ("reason",), "a reason belongs to the not_in sheets of a roster check")
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
