"""Disinfection against the plan, the supplies ledger, and the campus gates.

Supplies: the ledger is replayed once in (date, row) order -- a count sets the stock, an
inflow adds, an outflow subtracts -- keeping each item's stock at the end of every day it
moved. Average use is the outflows of the 7 days ending on the day, divided by 7. Donations
count the day's inflow rows per donation source (rows, not quantities: items are counted in
different units). Purchases and allocations from above are not donations.

Gate: the log is large, so it is read as arrays and grouped by day once. A row that broke a
gate rule (admitted with a fever, without approval) is an error, but it records what happened
at the gate: it is counted among the entries, and as a violation.
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict

import numpy as np

from ..policy import Policy, fold
from ..validate.checks import stock_after
from .held import entry
from .reporting import ratio
from .scope import Scope

NOT_DONATED = {"purchase", "allocation"}
ANONYMOUS = {fold("匿名"), "anonymous", fold("匿名捐赠"), fold("匿名人士")}


def number(value: float | None, digits: int = 2):
    """A float as JSON shows it: whole numbers without .0, others rounded."""
    if value is None:
        return None
    value = round(float(value), digits)
    return int(value) if value.is_integer() else value


class Disinfection:
    SHEET = "disinfection_log"

    def __init__(self, scope: Scope, policy: Policy):
        self.available = self.SHEET in scope.tables
        self.done = {day: Counter(r["area"] for r in rows) for day, rows in scope.records_by_day(self.SHEET).items()}
        reference = policy.sheets[self.SHEET].field("area").reference if self.SHEET in policy.sheets else None
        self.plan = policy.lists[reference or "areas"].items

    def summary(self, day: dt.date) -> dict | None:
        if not self.available:
            return None
        done = self.done.get(day, Counter())
        areas = [{"id": a["id"], "zh": a["zh"], "en": a["en"], "done": done.get(a["id"], 0),
                  "required": a["times_per_day"]} for a in self.plan]
        required = sum(a["required"] for a in areas)
        return {"areas": areas, "compliance": ratio(sum(min(a["done"], a["required"]) for a in areas), required)}


class Supplies:
    SHEET = "supplies"

    def __init__(self, scope: Scope, policy: Policy):
        self.available = self.SHEET in scope.tables
        self.catalogue = policy.lists["supplies"].items
        self.min_cover = float(policy.thresholds["min_cover_days"])
        by_day = scope.records_by_day(self.SHEET)
        self.inflows = {day: [r for r in rows if r["direction"] == "in"] for day, rows in by_day.items()}
        self.stock_days: dict[str, list[int]] = defaultdict(list)      # item -> days it moved (ordinals)
        self.stock_after: dict[str, list[float]] = defaultdict(list)   # item -> stock at the end of those days
        self.used: dict[tuple[str, int], float] = defaultdict(float)    # (item, day) -> outflow
        stock: dict[str, float] = defaultdict(float)
        for day in sorted(by_day):
            d = day.toordinal()
            for r in sorted(by_day[day], key=lambda r: r["_row"]):
                item, quantity = r["item"], r["quantity"]
                if quantity is None:
                    continue
                stock[item] = stock_after(stock[item], r["direction"], quantity)
                if r["direction"] == "out":
                    self.used[(item, d)] += quantity
                if not self.stock_days[item] or self.stock_days[item][-1] != d:
                    self.stock_days[item].append(d)
                    self.stock_after[item].append(0.0)
                self.stock_after[item][-1] = stock[item]
        field = policy.sheets[self.SHEET].field("source") if self.SHEET in policy.sheets else None
        self.sources = [v["id"] for v in field.values if v["id"] not in NOT_DONATED] if field else []

    def stock(self, item: str, d: int) -> float | None:
        """Stock at the end of day d; None when the item never appeared in the ledger by then."""
        k = bisect.bisect_right(self.stock_days.get(item, []), d)
        return self.stock_after[item][k - 1] if k else None

    def summary(self, day: dt.date) -> dict | None:
        if not self.available:
            return None
        d = day.toordinal()
        items = []
        for it in self.catalogue:
            stock = self.stock(it["id"], d)
            avg = sum(self.used.get((it["id"], d - k), 0.0) for k in range(7)) / 7
            cover = stock / avg if stock is not None and avg > 0 else None
            items.append({"id": it["id"], "zh": it["zh"], "en": it["en"], "unit": it.get("unit"),
                          "stock": number(stock), "avg_use_7d": number(avg), "days_of_cover": number(cover, 1),
                          "min_stock": it.get("min_stock"),
                          "below_minimum": None if stock is None or it.get("min_stock") is None
                          else stock < it["min_stock"],
                          "low_cover": cover is not None and cover < self.min_cover})
        inflows = self.inflows.get(day, [])
        counted = Counter(r["source"] for r in inflows if r["source"] not in NOT_DONATED and r["source"])
        donations = {s: counted.get(s, 0) for s in self.sources}
        donors = sorted({r["donor"] for r in inflows if r["donor"] and fold(r["donor"]) not in ANONYMOUS})
        return {"items": items, "donations": donations, "donors": donors}


class Gate:
    SHEET = "gate_log"

    def __init__(self, scope: Scope, policy: Policy):
        self.available = self.SHEET in scope.tables
        if not self.available:
            return
        self.scope = scope
        table = self.table = scope.tables[self.SHEET]
        self.fever = float(policy.thresholds["fever"])
        self.types = [v["id"] for v in table.sheet.field("person_type").values]
        counted = scope.counted[self.SHEET]
        index = np.flatnonzero(counted)
        days = scope.days[self.SHEET][index]
        order = np.argsort(days, kind="stable")
        self.index, self.day_of = index[order], days[order]
        column = table.columns["person_type"]
        per_text = np.array([self.types.index(v) if v in self.types else -1 for v in column.values] or [0])
        self.kind = per_text[column.codes][self.index]
        self.temperature = table.columns["temperature"].row_num()[self.index]
        self.admitted = table.columns["admitted"].row_num()[self.index]
        self.held_temperature = scope.held.mask(table, "temperature")[self.index]

    def _slice(self, day: dt.date) -> slice:
        d = day.toordinal()
        return slice(int(np.searchsorted(self.day_of, d, "left")), int(np.searchsorted(self.day_of, d, "right")))

    def summary(self, day: dt.date) -> dict | None:
        if not self.available:
            return None
        s = self._slice(day)
        kinds = np.bincount(self.kind[s][self.kind[s] >= 0], minlength=len(self.types))
        with np.errstate(invalid="ignore"):
            fevers = int((self.temperature[s] >= self.fever).sum())
        violations = {i.row for i in self.scope.issues(day) if i.sheet == self.SHEET and self.scope.rule_breach(i)}
        held = int(self.held_temperature[s].sum())
        return {"total": s.stop - s.start, "by_person_type": dict(zip(self.types, map(int, kinds))),
                "refused": int((self.admitted[s] == 0).sum()), "fevers": None if held else fevers,
                "violations": len(violations)}

    def held(self, day: dt.date) -> dict:
        """Fevers at the gate with a held temperature among the day's readings: the rest is known."""
        if not self.available:
            return {}
        s = self._slice(day)
        held = self.held_temperature[s]
        if not held.any():
            return {}
        with np.errstate(invalid="ignore"):
            known = int(((self.temperature[s] >= self.fever) & ~held).sum())
        return {"gate": {"fevers": entry(known, int(held.sum()))}}

    def private(self, day: dt.date) -> dict:
        if not self.available:
            return {"gate_fevers": None}
        s = self._slice(day)
        with np.errstate(invalid="ignore"):
            hot = self.index[s][self.temperature[s] >= self.fever]
        columns = self.table.columns
        fevers = []
        for i in hot.tolist():
            value = {name: columns[name].value(columns[name].codes[i])
                     for name in ("time", "gate", "person_type", "person_id", "name", "temperature", "admitted")}
            value["time"] = value["time"].isoformat()
            fevers.append({**value, "row": self.table.row_number(i)})
        return {"gate_fevers": fevers}
