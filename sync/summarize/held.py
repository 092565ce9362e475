"""Held values: a figure the tool doubts never reaches the public as fact.

A warning whose code campus.yml lists under `hold:` (count-jump, decimal-slip, the cross-checks)
holds the cell it names: the public summaries leave the value out -- a total that would include it
is null, and `held` says what is known without it and which units are under review -- and the
office's private detail lists each held cell with its value, the reason and how to release it.
Nothing is stored: a corrected cell raises no warning on the next run, so it is released then.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from .. import issues as iss
from ..policy import Policy

RELEASE = {"zh": "请填报单位在原表中核实并更正该单元格，下次同步即自动解除；如数值无误，由防控办签发时确认（release held: yes）。",
           "en": "The department checks and corrects the cell in its own sheet (the next run releases it); "
                 "if the value is right, the office confirms it when signing the day off (release held: yes)."}
UNDER_REVIEW = {"zh": "待核实", "en": "under review"}


class Held:
    """Which cells are held: sheet -> row number (as a person sees it) -> field -> the issue."""

    def __init__(self, issues: list[iss.Issue], tables: dict, policy: Policy):
        self.codes = policy.hold
        self.cells: dict[str, dict[int, dict[str, iss.Issue]]] = defaultdict(dict)
        self.issues: list[iss.Issue] = []
        # A cross-check's hold_figures: the public figures of its other side, on the issue's day.
        figures = {c.code: c.hold_figures for c in policy.cross_checks if c.hold_figures}
        self.figures: dict[str, dict[tuple[str, str], iss.Issue]] = defaultdict(dict)   # date -> figure -> issue
        for issue in issues:
            if issue.code in self.codes and issue.code in figures and issue.date:
                for figure in figures[issue.code]:
                    section, key = figure.split(".")       # sync/config checks the section.key form
                    self.figures[issue.date].setdefault((section, key), issue)
            if not self.holds(issue) or issue.sheet not in tables or issue.row is None or issue.field is None:
                continue
            if tables[issue.sheet].raw.index_of(issue.row) is None:
                continue
            self.cells[issue.sheet].setdefault(issue.row, {}).setdefault(issue.field, issue)
            self.issues.append(issue)

    def holds(self, issue: iss.Issue) -> bool:
        """A warning on a cell, of a holding code (an error already leaves its row out)."""
        return issue.code in self.codes and issue.severity == iss.WARNING and bool(issue.row) and bool(issue.field)

    def at(self, sheet: str, row: int) -> dict[str, iss.Issue]:
        """The held fields of one row."""
        return self.cells.get(sheet, {}).get(row, {})

    def mask(self, table, field: str) -> np.ndarray:
        """Per row of a table: its `field` is held."""
        out = np.zeros(table.n_rows, dtype=bool)
        for row, fields in self.cells.get(table.sheet.name, {}).items():
            if field in fields:
                out[table.raw.index_of(row)] = True
        return out

    def private(self, day_issues: list[iss.Issue], day: str) -> list[dict]:
        """Each held cell and figure of the day: where, the value as typed, why, how to release it."""
        out = [{"sheet": i.sheet, "tab": i.tab, "source": i.source, "cell": i.cell, "row": i.row,
                "column": i.column, "field": i.field, "value": i.value, "code": i.code, "reason": i.message,
                "release": RELEASE} for i in day_issues
               if self.holds(i) and i.row is not None and i.field is not None and self.at(i.sheet, i.row).get(i.field)]
        for (section, key), i in sorted(self.figures.get(day, {}).items()):
            out.append({"sheet": None, "figure": f"{section}.{key}", "code": i.code, "reason": i.message,
                        "release": RELEASE})
        return out


def hold_figures(body: dict, figures: dict[tuple[str, str], iss.Issue]) -> dict:
    """Null each held figure of a summary body in place; {section: {key: entry}} for them (the rest
    of such a figure is not known: it is one number)."""
    out: dict = {}
    for (section, key), _ in sorted(figures.items()):
        part = body.get(section)
        if isinstance(part, dict) and key in part:
            part[key] = None
            out.setdefault(section, {})[key] = entry(None, 1)
    return out


def entry(known, held: int, units: list[dict] | None = None) -> dict:
    """What the public may know of a total with held values in it: the sum of the rest (labelled as
    such), how many values are held, and which units they concern (never a value)."""
    return {"known": known, "held": held, "units": units or [], "label": UNDER_REVIEW}


def merge(*parts: dict) -> dict:
    out: dict = {}
    for part in parts:
        for section, fields in part.items():
            out.setdefault(section, {}).update(fields)
    return dict(sorted(out.items()))
