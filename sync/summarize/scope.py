"""Which rows and which issues belong to which day, worked out once for all the days of a run.

A sheet is dated when it has a `date` field (or, failing that, a datetime field such as the
gate log's `time`); its rows belong to the day of that value. Other sheets (the student roster,
staff status) are snapshots and belong to every day. An issue belongs to the day of its row;
an issue on a row whose date could not be read, or on no row at all, belongs to every day,
because it may concern any of them (stale beats wrong) -- except a rowless issue that carries its
date (disinfection below plan on 2020-02-16), which belongs to that day.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import numpy as np

from .. import issues as iss
from ..policy import Policy
from ..validate import Result
from ..validate.table import Table, day_field
from .held import Held

# Sheet-level problems that leave a sheet's figures unusable, as if the sheet were missing.
UNUSABLE = {"missing-column", "empty-sheet", "duplicate-sheet"}


class Scope:
    def __init__(self, result: Result, policy: Policy):
        self.result, self.policy = result, policy
        broken = {i.sheet for i in result.issues if i.code in UNUSABLE and i.severity == iss.ERROR}
        self.tables = {name: t for name, t in result.tables.items() if name not in broken}
        self.unavailable = sorted(n for n in set(policy.sheets) - set(self.tables) if not policy.sheets[n].optional)
        self.fields = {name: day_field(t.sheet) for name, t in self.tables.items()}
        self.days = {name: t.day_numbers(f) for name, t in self.tables.items() if (f := self.fields[name])}
        self._issues: dict[int, list[iss.Issue]] = defaultdict(list)    # day ordinal -> issues
        self._every_day: list[iss.Issue] = []
        self._sorted: dict[int, list[iss.Issue]] = {}
        for issue in result.issues:
            day = self._issue_day(issue)
            (self._every_day if day is None else self._issues[day]).append(issue)
        self.counted = {name: self._counted(name, t) for name, t in self.tables.items()}
        self.held = Held(result.issues, self.tables, policy)
        self._left_out: dict[str, Counter] = {}          # sheet -> Counter(day ordinal, -1 for any day)
        for name, table in self.tables.items():
            dropped = table.live & ~self.counted[name]
            days = self.days[name][dropped] if name in self.days else np.full(int(dropped.sum()), -1)
            self._left_out[name] = Counter(days.tolist())

    def rule_breach(self, issue: iss.Issue) -> bool:
        """An error raised by one of the sheet's own row rules (code and column as in its YAML)."""
        table = self.tables.get(issue.sheet)
        return (table is not None and issue.severity == iss.ERROR
                and any(issue.code == r.code and issue.field == r.column for r in table.sheet.rules))

    def _counted(self, name: str, table: Table) -> np.ndarray:
        """Per row: counted in the figures. Valid rows, and where the schema says countRuleBreakers
        (a log whose row records what happened), rows that only broke the sheet's own rules."""
        counted = table.live & ~table.invalid
        if not table.sheet.count_rule_breakers:
            return counted
        breaches: dict[int, list[bool]] = defaultdict(list)
        for issue in self.result.issues:
            if issue.sheet == name and issue.row and issue.severity == iss.ERROR:
                breaches[issue.row].append(self.rule_breach(issue))
        for row, kinds in breaches.items():
            i = table.raw.index_of(row)
            if i is not None and all(kinds):
                counted[i] = True
        return counted

    def _issue_day(self, issue: iss.Issue) -> int | None:
        days = self.days.get(issue.sheet)
        if days is None:
            return None
        if issue.row:
            i = self.tables[issue.sheet].raw.index_of(issue.row)
            return int(days[i]) if i is not None and days[i] >= 0 else None
        return dt.date.fromisoformat(issue.date).toordinal() if issue.date else None

    def issues(self, day: dt.date) -> list[iss.Issue]:
        d = day.toordinal()
        if d not in self._sorted:
            self._sorted[d] = sorted(self._issues.get(d, []) + self._every_day, key=iss.sort_key)
        return self._sorted[d]

    def left_out(self, day: dt.date) -> dict[str, int]:
        """Rows dropped as invalid, per sheet: the day's rows, undated rows and snapshot rows."""
        d = day.toordinal()
        return {name: counts.get(d, 0) + counts.get(-1, 0) for name, counts in self._left_out.items()}

    def flagged_by_day(self, name: str, codes: set[str]) -> dict[dt.date, list[dict]]:
        """Rows of a dated sheet whose only errors are of the given codes, as records by day."""
        table, field = self.tables.get(name), self.fields.get(name)
        grouped: dict[dt.date, list[dict]] = defaultdict(list)
        if table is None or field is None or not codes:
            return grouped
        kinds: dict[int, set[bool]] = defaultdict(set)
        for issue in self.result.issues:
            if issue.sheet == name and issue.row and issue.severity == iss.ERROR:
                kinds[issue.row].add(issue.code in codes)
        rows = {row for row, k in kinds.items() if k == {True}}
        for record in table.records(valid_only=False):
            if record["_row"] in rows and record.get(field) is not None:
                grouped[record[field]].append(record)
        return grouped

    def records_by_day(self, name: str) -> dict[dt.date, list[dict]]:
        """A small dated sheet's valid rows as records, grouped by day once."""
        grouped: dict[dt.date, list[dict]] = defaultdict(list)
        table, field = self.tables.get(name), self.fields.get(name)
        if table is None or field is None:
            return grouped
        days = self.days[name]
        index = table.valid_rows()
        for record, d in zip(table.records(), days[index].tolist()):
            grouped[dt.date.fromordinal(d)].append(record)
        return grouped
