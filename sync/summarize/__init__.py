"""Summarize stage: a validated Result -> each day's public summary and the office's private detail.

The public summary holds aggregates only; it never carries a cell typed into a personal-data
column. A section whose sheet is missing, empty or lacks a required column is null (absent,
not zero) and the sheet is named in `unavailable`. A day is "partial" when it has errors or
any sheet is unavailable. Use `Digest` for many days: rows are grouped by day once.
"""
from __future__ import annotations

import datetime as dt

from .. import issues as iss
from ..policy import Policy
from ..validate import Result
from .operations import Disinfection, Gate, Supplies
from .people import Isolation, Staff, Students
from .reporting import Reporting
from .scope import Scope

SCHEMA_VERSION = 1
OTHER = "other"


class Digest:
    def __init__(self, result: Result, policy: Policy):
        self.result, self.policy = result, policy
        self.scope = Scope(result, policy)
        self.reporting = Reporting(self.scope, policy)
        self.students = Students(self.scope, policy)
        self.staff = Staff(self.scope, policy)
        self.isolation = Isolation(self.scope, policy)
        self.disinfection = Disinfection(self.scope, policy)
        self.supplies = Supplies(self.scope, policy)
        self.gate = Gate(self.scope, policy)

    def status(self, day: dt.date) -> str:
        day_errors = any(i.severity == iss.ERROR for i in self.scope.issues(day))
        return "partial" if day_errors or self.scope.unavailable or self.result.unavailable else "complete"

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
            "issues": self._issues(day),
        }
        body["labels"] = labels(body, self.policy)
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
        return {
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
            "issues": [i.to_dict() for i in self.scope.issues(day)],
        }

    def unit_rows(self, day: dt.date) -> list[dict] | None:
        return self.reporting.unit_rows(day)


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
        "provinces": listed("provinces", students.get("by_province", {})),
        "zones": listed("zones", isolation.get("by_zone", {})),
        "sheets": named([*({"id": name, **sheet.title} for name, sheet in policy.sheets.items()),
                         {"id": OTHER, "zh": "其他工作表", "en": "Other tabs"}]),
    }


def summarize(result: Result, policy: Policy, day: dt.date) -> dict:
    """The public summary of one day."""
    return Digest(result, policy).summary(day)


def private_detail(result: Result, policy: Policy, day: dt.date) -> dict:
    """The office's private detail of one day."""
    return Digest(result, policy).private(day)


__all__ = ["SCHEMA_VERSION", "Digest", "private_detail", "summarize"]
