"""campus.yml `cross_checks:` and `hold:` against the sheet schemas, once those are loaded: the
Campus model (campus.py) checks their shape; here each side's sheet, date field, measured field and
`where` conditions, a code used twice, and held codes nothing raises. Builds the CrossCheck objects
sync/validate/crosscheck.py runs."""
from __future__ import annotations

from pathlib import Path

from .. import expr
from ..issues import CATALOGUE
from . import base
from .campus import Campus, SideSpec
from .objects import CrossCheck, Side

MEASURES = ("sum", "distinct", "rows")


def load(path: Path, lines: dict, campus: Campus, sheets: dict, thresholds: dict,
         found: list[base.Problem]) -> list[CrossCheck]:
    """The campus's cross-checks, and its `hold:` codes checked, problems added to found."""
    def problem(keys: tuple, message: str, code: str = "invalid") -> None:
        found.append(base.problem(path, lines, keys, message, code))

    checks: list[CrossCheck] = []
    codes = [spec.code for spec in campus.cross_checks or []]
    for i, spec in enumerate(campus.cross_checks or []):
        keys, start = ("cross_checks", i), len(found)
        roster = "roster" in spec.model_fields_set
        for key in ("roster", "not_in") if roster else ("left", "op", "right"):
            if key not in spec.model_fields_set:
                problem(keys, f"missing key '{key}'", "missing-key")
        if spec.code in CATALOGUE or spec.code in codes[:i]:
            problem(keys + ("code",), f"code {spec.code!r} is already used")
        if roster:
            left = _side(problem, keys + ("roster",), spec.roster, sheets, thresholds, ("person",))
            against = [_side(problem, keys + ("not_in", k), side, sheets, thresholds, ("person",), reason=True)
                       for k, side in enumerate(spec.not_in)]
            if not spec.not_in:
                problem(keys + ("not_in",), "expected a list of sheets to look the person up in")
            right = None
        else:
            left = _side(problem, keys + ("left",), spec.left, sheets, thresholds, MEASURES)
            right = _side(problem, keys + ("right",), spec.right, sheets, thresholds, MEASURES)
            against = []
        if len(found) == start and left is not None:
            checks.append(CrossCheck(code=spec.code, severity=spec.severity, kind="roster" if roster else "compare",
                                     message=spec.message.model_dump(), left=left, right=right,
                                     op="==" if roster else spec.op or "==", tolerance=0.0 if roster else float(spec.tolerance),
                                     against=[s for s in against if s is not None], hold_figures=list(spec.hold_figures)))
    known = set(CATALOGUE) | {r.code for s in sheets.values() for r in s.rules} | {c.code for c in checks}
    for i, code in enumerate(campus.hold or []):
        if code not in known:
            problem(("hold", i), f"unknown issue code {code!r}; expected one of {', '.join(sorted(known))}",
                    "unknown-code")
    return checks


def _side(problem, keys: tuple, spec: SideSpec | None, sheets: dict, thresholds: dict, measures: tuple,
          reason: bool = False) -> Side | None:
    if spec is None:
        problem(keys, f"expected {{sheet: ..., date: ..., {measures[0]}: ...}}; got None")
        return None
    if not reason and spec.reason is not None:
        problem(keys + ("reason",), "a reason belongs to the not_in sheets of a roster check")
    sheet = sheets.get(spec.sheet)
    if sheet is None:
        problem(keys + ("sheet",), f"unknown sheet {spec.sheet!r}; expected one of {', '.join(sorted(sheets))}")
        return None
    names = {f.name for f in sheet.fields}
    if spec.date is not None and (spec.date not in names or sheet.field(spec.date).type not in ("date", "datetime")):
        problem(keys + ("date",), f"expected a date or datetime field of {sheet.name}; got {spec.date!r}")
    given = [m for m in measures if m in spec.model_fields_set]
    if len(given) != 1:
        problem(keys, f"expected exactly one of {', '.join(measures)}")
        return None
    measure, target = given[0], None if given[0] == "rows" else getattr(spec, given[0])
    if measure != "rows" and target not in names:
        problem(keys + (measure,), f"unknown field {target!r} of {sheet.name}")
    elif measure == "sum" and sheet.field(target).type not in ("integer", "number"):
        problem(keys + (measure,), f"{target} is not a number field")
    where = []
    for k, text in enumerate(spec.where):
        try:
            where.append(expr.parse(text, names, thresholds))
        except expr.ExprError as exc:
            problem(keys + ("where", k), str(exc))
    return Side(sheet=sheet.name, date=spec.date, where=where, measure=measure, field=target,
                reason=spec.reason.model_dump() if reason and spec.reason else None)
