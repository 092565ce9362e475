"""A validated Result -> each day's public summary and the office's private detail (see the
package's docstring). Use `Digest` for many days: rows are grouped by day once."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from .. import issues as iss
from ..policy import Policy
from ..validate import Result
from .held import hold_figures, merge
from .contract import SCHEMA_VERSION
from .operations import Disinfection, Gate, Supplies
from .people import Isolation, Staff, Students
from .reporting import Reporting
from .scope import Scope

if TYPE_CHECKING:
    from ..store import Facts

OTHER = "other"


class Digest:
    """`facts` are what the archive knows beside the sheets (sync.store.Facts): blank submission times
    it dated, late edits, what was published before. Without them (check), the summaries say nothing
    of late edits."""

    def __init__(self, result: Result, policy: Policy, facts: "Facts | None" = None):
        self.result, self.policy, self.facts = result, policy, facts
        self.published = dict(facts.published) if facts else {}     # with this run's own days, as made
        self.scope = Scope(result, policy)
        self.reporting = Reporting(self.scope, policy, facts.submitted if facts else None)
        self.students = Students(self.scope, policy)
        self.staff = Staff(self.scope, policy)
        self.isolation = Isolation(self.scope, policy)
        self.disinfection = Disinfection(self.scope, policy)
        self.supplies = Supplies(self.scope, policy)
        self.gate = Gate(self.scope, policy)

    def status(self, day: dt.date) -> str:
        day_errors = any(i.severity == iss.ERROR for i in self.scope.issues(day))
        held = bool(self.held(day)) or bool(self.scope.held.figures.get(day.isoformat()))
        return "partial" if day_errors or held or self.scope.unavailable or self.result.unavailable else "complete"

    def held(self, day: dt.date) -> dict:
        """{section: {figure: {known, held, units, label}}} for each public figure a held value is left
        out of (sync/summarize/held.py); the figure itself is null."""
        return merge(self.reporting.held(day), self.isolation.held(day), self.gate.held(day))

    def summary(self, day: dt.date) -> dict:
        body = {
            "schema_version": SCHEMA_VERSION,
            "date": day.isoformat(),
            "cutoff": self.reporting.cutoff(day),
            "campus": dict(self.policy.campus["name"]),
            "status": self.status(day),
            "unavailable": self.scope.unavailable,
            **self.reporting.summary(day),
            "students": self.students.summary(day),
            "staff": self.staff.summary(day),
            "isolation": self.isolation.summary(day),
            "disinfection": self.disinfection.summary(day),
            "supplies": self.supplies.summary(day),
            "gate": self.gate.summary(day),
            "duty": self.reporting.on_duty(day),
            "held": self.held(day),
            "issues": self._issues(day),
        }
        body["held"] = merge(body["held"], hold_figures(body, self.scope.held.figures.get(day.isoformat(), {})))
        if self.facts is not None:
            by_sheet = Counter(edit["sheet"] for edit in self.facts.edits(day))
            body["late_edits"] = {"count": sum(by_sheet.values()), "by_sheet": dict(by_sheet)}
        body["labels"] = labels(body, self.policy)
        self.published[body["date"]] = body
        return body

    def _issues(self, day: dt.date) -> dict:
        """Counts only: a message or a value could quote a personal cell. Tabs that are not sheets of
        the schema count together as "other" (their titles were typed by people)."""
        by_sheet: dict[str, dict] = {}
        for issue in self.scope.issues(day):
            key = issue.sheet if issue.sheet in self.policy.sheets else OTHER
            slot = by_sheet.setdefault(key, {"errors": 0, "warnings": 0, "rows_left_out": 0})
            slot["errors" if issue.severity == iss.ERROR else "warnings"] += 1
        for sheet, n in self.scope.left_out(day).items():
            if n:
                by_sheet.setdefault(sheet, {"errors": 0, "warnings": 0, "rows_left_out": 0})["rows_left_out"] = n
        return {"by_sheet": dict(sorted(by_sheet.items())),
                "errors": sum(s["errors"] for s in by_sheet.values()),
                "warnings": sum(s["warnings"] for s in by_sheet.values()),
                "rows_left_out": sum(s["rows_left_out"] for s in by_sheet.values())}

    def private(self, day: dt.date) -> dict:
        """Everything the office needs to act on, names included. Never published."""
        body = {
            "schema_version": SCHEMA_VERSION,
            "date": day.isoformat(),
            "source": self.result.source,
            "status": self.status(day),
            "unavailable": self.scope.unavailable,
            "unavailable_sources": list(self.result.unavailable),
            **self.reporting.private(day),
            **self.staff.private(day),
            **self.isolation.private(day),
            **self.gate.private(day),
            "held": self.scope.held.private(self.scope.issues(day), day.isoformat()),
            "issues": [i.to_dict() for i in self.scope.issues(day)],
        }
        if self.facts is not None:
            body.update(late_edits=self.facts.edits(day), submitted_at_from_archive=self.facts.filled_on(day),
                        trend=trend(self.published, day))
        return body

    def unit_rows(self, day: dt.date) -> list[dict] | None:
        return self.reporting.unit_rows(day)


def trend(published: dict[str, dict], day: dt.date, span: int = 30) -> list[dict]:
    """The days before `day` as they were published (the archive's copy, not today's re-reading of the
    sheets): reporting, people with fever, refusals at the gates and late edits, oldest first."""
    first = (day - dt.timedelta(days=span)).isoformat()
    out = []
    for date in sorted(d for d in published if first <= d < day.isoformat()):
        s = published[date]
        reporting, gate = s.get("reporting") or {}, s.get("gate") or {}
        out.append({"date": date, "status": s.get("status"), "rate": reporting.get("rate"),
                    "on_time_rate": reporting.get("on_time_rate"), "missing": len(reporting.get("missing") or []),
                    "fevers": gate.get("fevers"), "refused": gate.get("refused"),
                    "late_edits": (s.get("late_edits") or {}).get("count")})
    return out


def labels(summary: dict, policy: Policy) -> dict:
    """{kind: {id: {zh, en, rank}}} for the ids a summary uses, so that a page can be rendered from the
    JSON alone; rank is the order the policies give (JSON keys are sorted)."""
    def named(items):
        return {i["id"]: {"zh": i["zh"], "en": i["en"], "rank": k} for k, i in enumerate(items)}

    def enum(sheet, field):
        return named(policy.sheets[sheet].field(field).values) if sheet in policy.sheets else {}

    def listed(name, ids):
        ref = policy.lists.get(name)
        return {k: v for k, v in named(ref.items).items() if k in ids} if ref else {}

    students = summary.get("students") or {}
    isolation = summary.get("isolation") or {}
    daily = policy.sheets.get("unit_daily")
    return {
        "counts": named({"id": f.name, **f.title} for f in daily.fields if f.type == "integer") if daily else {},
        "health_status": enum("student_roster", "health_status"),
        "student_type": enum("student_roster", "student_type"),
        "person_type": enum("gate_log", "person_type"),
        "source": enum("supplies", "source"),
        "provinces": listed("provinces", students.get("by_province") or {}),
        "zones": listed("zones", isolation.get("by_zone") or {}),
        "sheets": named([*({"id": name, **sheet.title} for name, sheet in policy.sheets.items()),
                         {"id": OTHER, "zh": "其他工作表", "en": "Other tabs"}]),
    }


def summarize(result: Result, policy: Policy, day: dt.date) -> dict:
    """The public summary of one day."""
    return Digest(result, policy).summary(day)


def private_detail(result: Result, policy: Policy, day: dt.date) -> dict:
    """The office's private detail of one day."""
    return Digest(result, policy).private(day)

