"""Students (roster snapshot), staff (status snapshot) and people under isolation (daily log).

Isolation of staff: a staff member who returned on R with an isolation of N days is under
isolation on R, R+1, ..., R+N-1 (day one is the day of return) and may leave on R+N. The
"isolation ending" count is the people whose last day (R+N-1) is the day summarised: back
2020-01-25 with 14 days -> under isolation through 2020-02-07, ending on 2020-02-07.
The same reading applies to isolation_log: isolation_start + N - 1 is the last day, N from
campus.yml (isolation_days).
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict

import numpy as np

from ..policy import Policy
from ..validate.table import Table
from .held import entry
from .scope import Scope


def _enum_counts(policy: Policy, sheet: str, field: str, counts: Counter) -> dict[str, int]:
    """Every id of an enum field (zeros included, so the keys are stable), then anything else seen."""
    counts = Counter({v: n for v, n in counts.items() if v is not None})
    ids = [v["id"] for v in policy.sheets[sheet].field(field).values]
    return {**{i: counts.get(i, 0) for i in ids}, **{k: n for k, n in sorted(counts.items()) if k not in ids}}


def _value_counts(table: Table, names: tuple[str, ...], rows: np.ndarray) -> Counter:
    """How many of the rows have each combination of typed values of the fields: one step per distinct
    combination of texts, not per row (a roster of 80,000 students has a few hundred)."""
    columns = [table.columns[name] for name in names]
    combined = np.zeros(len(rows), dtype=np.int64)
    for col in columns:
        combined = combined * len(col.texts) + col.codes[rows]
    found, counts = np.unique(combined, return_counts=True)
    out: Counter = Counter()
    for code, n in zip(found.tolist(), counts.tolist()):
        values = []
        for col in reversed(columns):
            code, k = divmod(code, len(col.texts))
            values.append(col.value(k))
        out[tuple(reversed(values)) if len(columns) > 1 else values[0]] += n
    return out


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


class Students:
    SHEET = "student_roster"

    def __init__(self, scope: Scope, policy: Policy):
        table = scope.tables.get(self.SHEET)
        self.available = table is not None
        if table is None:
            return
        valid = table.valid_rows()
        counts = {name: _value_counts(table, (name,), valid)
                  for name in ("health_status", "student_type", "province", "key_area")}
        self.base = {
            "total": len(valid),
            "by_health_status": _enum_counts(policy, self.SHEET, "health_status", counts["health_status"]),
            "by_type": _enum_counts(policy, self.SHEET, "student_type", counts["student_type"]),
            "by_province": dict(sorted((v, n) for v, n in counts["province"].items() if v)),
            "key_area": sum(n for v, n in counts["key_area"].items() if v),
        }
        returns = _value_counts(table, ("return_batch", "returned_on"), valid)
        self.batches = []
        for batch in policy.lists["batches"].items:
            members = {on: n for (of, on), n in returns.items() if of == batch["id"]}
            returned = sorted(on.toordinal() for on, n in members.items() if on for _ in range(n))
            self.batches.append((batch, sum(members.values()), returned))

    def summary(self, day: dt.date) -> dict | None:
        if not self.available:
            return None
        d = day.toordinal()
        batches = [{"id": b["id"], "zh": b["zh"], "en": b["en"], "date": _iso(b.get("date")), "planned": planned,
                    "returned": bisect.bisect_right(returned, d)} for b, planned, returned in self.batches]
        return {**self.base, "batches": batches}


class Staff:
    SHEET = "staff_status"

    def __init__(self, scope: Scope, policy: Policy):
        table = scope.tables.get(self.SHEET)
        self.available = table is not None
        if table is None:
            return
        self.rows = table.records()
        default = int(policy.thresholds["isolation_days"])
        self.back = [r for r in self.rows if r["returned_on"] is not None]
        self.start = np.array([r["returned_on"].toordinal() for r in self.back], dtype=np.int64)
        self.days = np.array([default if r["isolation_days"] is None else r["isolation_days"] for r in self.back],
                             dtype=np.int64)
        self.end = self.start + self.days          # the first day free
        self.base = {"total": len(self.rows), "in_city": sum(1 for r in self.rows if r["in_city"]),
                     "from_key_area": sum(1 for r in self.rows if r["from_key_area"])}
        # An unapproved return is an error, so its row is not among the valid ones: read all rows.
        self.unapproved = [r for r in table.records(valid_only=False)
                           if r["from_key_area"] and r["returned_on"] is not None and r["approved"] is False]

    def _isolated(self, day: dt.date):
        d = day.toordinal()
        return (self.start <= d) & (d < self.end), self.end == d + 1

    def summary(self, day: dt.date) -> dict | None:
        if not self.available:
            return None
        under, ending = self._isolated(day)
        return {**self.base, "under_isolation": int(under.sum()), "isolation_ending": int((under & ending).sum()),
                "unapproved_returns": sum(1 for r in self.unapproved if r["returned_on"] <= day)}

    def private(self, day: dt.date) -> dict:
        if not self.available:
            return {"staff_under_isolation": None, "unapproved_returns": None}
        under, ending = self._isolated(day)
        people = []
        for i in np.flatnonzero(under).tolist():
            r = self.back[i]
            people.append({"staff_id": r["staff_id"], "name": r["name"], "unit": r["unit"], "row": r["_row"],
                           "returned_on": _iso(r["returned_on"]), "isolation_days": int(self.days[i]),
                           "until": _iso(dt.date.fromordinal(int(self.end[i]) - 1)), "ends_today": bool(ending[i])})
        unapproved = [{"staff_id": r["staff_id"], "name": r["name"], "unit": r["unit"], "row": r["_row"],
                       "returned_on": _iso(r["returned_on"])} for r in self.unapproved if r["returned_on"] <= day]
        return {"staff_under_isolation": people, "unapproved_returns": unapproved}


class Isolation:
    SHEET = "isolation_log"

    def __init__(self, scope: Scope, policy: Policy):
        self.available = self.SHEET in scope.tables
        self.held_at = lambda row: scope.held.at(self.SHEET, row)
        self.by_day = scope.records_by_day(self.SHEET)
        self.fever = float(policy.thresholds["fever"])
        self.per_day = int(policy.thresholds["readings_per_day"])
        self.days = int(policy.thresholds["isolation_days"])
        self.zones = [z["id"] for z in policy.lists["zones"].items]

    def _fever(self, record: dict) -> bool:
        # A valid row may still lack its temperature: a slipped decimal point is a warning, value not used.
        return record["temperature"] is not None and record["temperature"] >= self.fever

    def _people(self, day: dt.date) -> dict[str, list[dict]]:
        people = defaultdict(list)
        for r in self.by_day.get(day, []):
            people[r["person_id"]].append(r)
        return people

    def summary(self, day: dt.date) -> dict | None:
        if not self.available:
            return None
        rows = self.by_day.get(day, [])
        people = self._people(day)
        zones = defaultdict(set)
        for r in rows:
            zones[r["zone"]].add(r["person_id"])
        by_zone = {z: len(zones.get(z, ())) for z in self.zones}
        by_zone.update({z: len(p) for z, p in sorted(zones.items()) if z not in by_zone})
        held = self._held(day)
        return {"by_zone": by_zone, "people": len(people), "readings_expected": len(people) * self.per_day,
                "readings_recorded": len(rows),
                "fever_readings": None if held else sum(1 for r in rows if self._fever(r)),
                "people_below_minimum": sum(1 for readings in people.values() if len(readings) < self.per_day)}

    def _held(self, day: dt.date) -> list[dict]:
        """The day's readings whose temperature is held."""
        return [r for r in self.by_day.get(day, []) if "temperature" in self.held_at(r["_row"])]

    def held(self, day: dt.date) -> dict:
        held = self._held(day) if self.available else []
        if not held:
            return {}
        rows = {r["_row"] for r in held}
        known = sum(1 for r in self.by_day.get(day, []) if r["_row"] not in rows and self._fever(r))
        return {"isolation": {"fever_readings": entry(known, len(held))}}

    def private(self, day: dt.date) -> dict:
        if not self.available:
            return {"isolation_people": None, "isolation_fevers": None}
        people = []
        for person, readings in sorted(self._people(day).items()):
            last = readings[-1]
            start = min(r["isolation_start"] for r in readings)
            people.append({"person_id": person, "name": last["name"], "zone": last["zone"], "room": last["room"],
                           "isolation_start": _iso(start), "until": _iso(start + dt.timedelta(days=self.days - 1)),
                           "readings": len(readings),
                           "max_temperature": max((r["temperature"] for r in readings if r["temperature"] is not None),
                                                  default=None)})
        fevers = [{"person_id": r["person_id"], "name": r["name"], "zone": r["zone"], "room": r["room"],
                   "time": _iso(r["time"]), "temperature": r["temperature"], "row": r["_row"]}
                  for r in self.by_day.get(day, []) if self._fever(r)]
        return {"isolation_people": people, "isolation_fevers": fevers}
