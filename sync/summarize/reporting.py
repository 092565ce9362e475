"""unit_daily: who reported, on time or not, and the day's totals over the reports.

A report is a valid row for (day, unit): a row with an error is not a report, a zero report
is. On time means submitted_at, read as local campus time, is at or before the deadline of
the report's day. A blank submitted_at is "time unknown": the unit has reported, but it is
counted neither on time nor late, unless the archive dated it (sync/store/facts.py).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..policy import Policy
from .held import entry
from .scope import Scope

SHEET = "unit_daily"


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def unit_label(unit: dict) -> dict:
    return {"id": unit["id"], "zh": unit["zh"], "en": unit["en"]}


class Reporting:
    def __init__(self, scope: Scope, policy: Policy, submitted: dict[int, dt.datetime] | None = None):
        self.scope, self.policy = scope, policy
        self.available = SHEET in scope.tables
        units = policy.lists["units"].items
        self.units = {u["id"]: u for u in units}
        self.expected = [u for u in units if u.get("reports_daily", True)]
        self.deadline = policy.deadline
        self.counts = [f.name for f in policy.sheets[SHEET].fields if f.type == "integer"] \
            if SHEET in policy.sheets else []
        self.by_day = {day: {r["unit"]: r for r in rows} for day, rows in scope.records_by_day(SHEET).items()}
        for reports in self.by_day.values():            # blank times the archive dated (sync.store.facts)
            for r in reports.values():
                if r.get("submitted_at") is None and submitted and r["_row"] in submitted:
                    r["submitted_at"] = submitted[r["_row"]]
        self.duty: dict = defaultdict(lambda: defaultdict(list))      # day -> unit -> on duty
        for day, rows in scope.records_by_day("duty_roster").items():
            for r in rows:
                self.duty[day][r["unit"]].append({"shift": r["shift"], "person": r["person"], "phone": r["phone"]})
        roster_codes = {c.code for c in policy.cross_checks if c.kind == "roster" and c.left.sheet == "duty_roster"}
        self.reassign = scope.flagged_by_day("duty_roster", roster_codes)
        self.dropped = defaultdict(list)        # (day ordinal, unit) -> row numbers of its invalid rows
        if self.available:
            table = scope.tables[SHEET]
            units_per_row = table.columns["unit"].row_values()
            days = scope.days[SHEET]
            for i in (table.live & table.invalid).nonzero()[0].tolist():
                self.dropped[(int(days[i]), units_per_row[i])].append(table.row_number(i))

    def on_duty(self, day: dt.date) -> list[dict] | None:
        """The day's duty roster for the public contacts page. Duty rosters are posted: the schema
        marks the person column `public: true`; the phone column is personal data and stays private."""
        if "duty_roster" not in self.scope.tables:
            return None
        shifts = {v["id"]: (k, v) for k, v in enumerate(self.policy.sheets["duty_roster"].field("shift").values)}
        out = []
        for unit, people in self.duty.get(day, {}).items():
            for p in people:
                rank, shift = shifts[p["shift"]]
                out.append((rank, unit, p["person"], {"shift": {"id": shift["id"], "zh": shift["zh"], "en": shift["en"]},
                                                       "unit": unit_label(self.units[unit]), "person": p["person"]}))
        # A slot a roster cross-check flagged (the person is isolated or has a fever): the public
        # sees that it needs reassigning -- no name, nothing about anyone's health.
        for r in self.reassign.get(day, []):
            if r["shift"] in shifts and r["unit"] in self.units:
                rank, shift = shifts[r["shift"]]
                out.append((rank, r["unit"], "", {"shift": {"id": shift["id"], "zh": shift["zh"], "en": shift["en"]},
                                                  "unit": unit_label(self.units[r["unit"]]), "person": None,
                                                  "reassign": True}))
        return [entry for *_, entry in sorted(out, key=lambda e: e[:3])]

    def timing(self, day: dt.date, record: dict) -> str:
        submitted = record.get("submitted_at")
        if submitted is None:
            return "time_unknown"
        return "on_time" if submitted <= dt.datetime.combine(day, self.deadline) else "late"

    def summary(self, day: dt.date) -> dict:
        if not self.available:
            return {"reporting": None, "units": None}
        reports = self.by_day.get(day, {})
        expected = self.expected
        done = [reports[u["id"]] for u in expected if u["id"] in reports]
        timing = [self.timing(day, r) for r in done]
        reporting = {
            "expected": len(expected),
            "reported": len(done),
            "zero_reports": sum(1 for r in done if r.get("zero_report")),
            "on_time": timing.count("on_time"),
            "late": timing.count("late"),
            "time_unknown": timing.count("time_unknown"),
            "missing": [unit_label(u) for u in expected if u["id"] not in reports],
            "rate": ratio(len(done), len(expected)),
            "on_time_rate": ratio(timing.count("on_time"), len(expected)),
        }
        # Totals cover every valid report of the day, a unit outside the daily list included; a total
        # with a held value in it is null (its known part is in held()).
        totals = {name: None if self._held(day, name) else sum(r[name] or 0 for r in reports.values())
                  for name in self.counts}
        return {"reporting": reporting, "units": totals}

    def _held(self, day: dt.date, name: str) -> list[str]:
        """Units whose report of the day has `name` held."""
        return [u for u, r in self.by_day.get(day, {}).items() if name in self.scope.held.at(SHEET, r["_row"])]

    def held(self, day: dt.date) -> dict:
        """{"units": {count: entry}} for each total with a held value in it."""
        reports = self.by_day.get(day, {})
        out = {}
        for name in self.counts:
            units = self._held(day, name)
            if units:
                known = sum(r[name] or 0 for u, r in reports.items() if u not in units)
                out[name] = entry(known, len(units), [unit_label(self.units[u]) for u in sorted(units)])
        return {"units": out} if out else {}

    def cutoff(self, day: dt.date) -> str | None:
        """The data cut-off: the latest submitted_at among the day's reports, with the campus offset."""
        times = [r["submitted_at"] for r in self.by_day.get(day, {}).values() if r.get("submitted_at")]
        if not times:
            return None
        return max(times).replace(tzinfo=self.policy.timezone).isoformat()

    def private(self, day: dt.date) -> dict:
        if not self.available:
            return {"missing_units": None, "late_units": None}
        reports = self.by_day.get(day, {})
        day_issues = [i for i in self.scope.issues(day) if i.sheet == SHEET]
        missing = []
        for u in self.expected:
            if u["id"] in reports:
                continue
            rows = set(self.dropped.get((day.toordinal(), u["id"]), []))
            missing.append({**unit_label(u), "on_duty": self.duty.get(day, {}).get(u["id"], []),
                            "rows_with_errors": sorted(rows),
                            "reasons": [i.to_dict() for i in day_issues if i.row in rows]})
        late = []
        for u in self.expected:
            record = reports.get(u["id"])
            if record is not None and self.timing(day, record) != "on_time":
                late.append({**unit_label(u), "row": record["_row"], "timing": self.timing(day, record),
                             "submitted_at": record["submitted_at"].isoformat() if record["submitted_at"] else None})
        return {"missing_units": missing, "late_units": late}

    def unit_rows(self, day: dt.date) -> list[dict] | None:
        """The upward report: every expected unit, a row each (missing ones marked), then other reporters."""
        if not self.available:
            return None
        reports = self.by_day.get(day, {})
        ids = [u["id"] for u in self.expected] + sorted(set(reports) - {u["id"] for u in self.expected})
        rows = []
        for uid in ids:
            unit = self.units[uid]
            record = reports.get(uid)
            row = {**unit_label(unit), "reported": record is not None,
                   "zero_report": bool(record.get("zero_report")) if record else None,
                   "submitted_at": record["submitted_at"] if record else None,
                   "timing": self.timing(day, record) if record else None}
            held = self.scope.held.at(SHEET, record["_row"]) if record else {}
            row.update({name: (record[name] if record and name not in held else None) for name in self.counts})
            row["held"] = sorted(n for n in held if n in self.counts)
            rows.append(row)
        return rows

