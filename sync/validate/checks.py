"""Checks across rows: a ledger that must not go negative, readings per person per day,
disinfection against the plan, and counts that jump. Each is named in a sheet's YAML
(``checks:``) with the fields it reads, so a campus can rename columns freely.

They see only rows without errors. An error they raise marks its row invalid too.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable

from .. import issues as iss
from ..config.sheets import CHECK_PARAMS

CHECKS: dict[str, "Check"] = {}


@dataclass
class Check:
    params: dict[str, str]          # parameter -> field | fields | count
    run: Callable


def check(name: str):
    def register(fn):
        CHECKS[name] = Check(params=CHECK_PARAMS[name], run=fn)
        return fn
    return register


def _rows(table, *names):
    """(row index, value of each named field) for every valid row."""
    index = table.valid_rows().tolist()
    columns = [table.columns[n] for n in names]
    per_field = [[c.values[k] for k in c.codes[index].tolist()] for c in columns] if index else [[] for _ in names]
    return list(zip(index, *per_field))


def _count(value, ctx) -> int:
    return int(ctx.policy.thresholds[value["threshold"]]) if isinstance(value, dict) else int(value)


def _days(dates, as_of: dt.date):
    """Every day from the first to the last date seen (not past as_of)."""
    dates = [d for d in dates if d is not None and d <= as_of]
    if not dates:
        return []
    first, last = min(dates), max(dates)
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


@check("stock-below-zero")
def stock_below_zero(table, p, ctx):
    found = []
    stock: dict[str, float] = defaultdict(float)
    rows = sorted(_rows(table, p["date"], p["item"], p["direction"], p["quantity"]), key=lambda r: (r[1], r[0]))
    for i, _, item, direction, quantity in rows:
        after = stock_after(stock[item], direction, quantity)
        if after < 0:
            found.append(table.issue("stock-below-zero", p["quantity"], i, item=item, stock=f"{after:g}"))
            table.invalid[i] = True
            continue
        stock[item] = after
    return found


def stock_after(stock: float, direction: str, quantity: float) -> float:
    """A ledger row's effect (the summaries replay the ledger with it too): a count (盘点) sets
    the stock, an inflow adds, an outflow subtracts."""
    if direction == "count":
        return quantity
    if direction == "in":
        return stock + quantity
    if direction == "out":
        return stock - quantity
    return stock


@check("readings-per-day")
def readings_per_day(table, p, ctx):
    required = _count(p.get("minimum", 2), ctx)
    first_row: dict[tuple, int] = {}
    counts: Counter = Counter()
    for i, date, person in _rows(table, p["date"], p["person"]):
        if date > ctx.as_of:
            continue
        counts[(date, person)] += 1
        first_row.setdefault((date, person), i)
    found = []
    for key, n in sorted(counts.items(), key=lambda kv: first_row[kv[0]]):
        if n < required:
            found.append(table.issue("too-few-readings", p["person"], first_row[key], date=key[0].isoformat(),
                                     count=n, required=required))
    return found


@check("plan-times-per-day")
def plan_times_per_day(table, p, ctx):
    plan = ctx.policy.lists[table.sheet.field(p["area"]).reference]
    rows = _rows(table, p["date"], p["area"])
    done = Counter((date, area) for _, date, area in rows)
    found = []
    for day in _days([date for _, date, _ in rows], ctx.as_of):
        for item in plan.items:
            count = done[(day, item["id"])]
            if count < item["times_per_day"]:
                found.append(iss.make("disinfection-below-plan", table.sheet.name, source=table.raw.source,
                                      tab=table.raw.title, field=p["area"], area=f"{item['zh']} {item['en']}",
                                      date=day.isoformat(), count=count, required=item["times_per_day"]))
    return found


@check("plan-concentration")
def plan_concentration(table, p, ctx):
    plan = ctx.policy.lists[table.sheet.field(p["area"]).reference]
    ranges = {item["id"]: item.get("concentration") for item in plan.items}
    found = []
    for i, area, value in _rows(table, p["area"], p["concentration"]):
        bounds = ranges.get(area)
        if value is not None and bounds and not bounds[0] <= value <= bounds[1]:
            found.append(table.issue("concentration-outside-plan", p["concentration"], i,
                                     expected=f"{bounds[0]:g}–{bounds[1]:g}"))
    return found


@check("count-jump")
def count_jump(table, p, ctx):
    factor = float(ctx.policy.thresholds["jump_factor"])
    minimum = float(ctx.policy.thresholds["jump_minimum"])
    names = p["fields"]
    by_group = defaultdict(list)
    for i, date, group, *values in _rows(table, p["date"], p["group"], *names):
        by_group[group].append((date, i, values))
    found = []
    for reports in by_group.values():
        reports.sort(key=lambda r: (r[0], r[1]))
        for (prev_date, _, before), (date, i, after) in zip(reports, reports[1:]):
            if date == prev_date:
                continue
            for name, old, new in zip(names, before, after):
                if old is not None and new is not None and new > factor * old and new - old >= minimum:
                    found.append(table.issue("count-jump", name, i, previous=old,
                                             previous_date=prev_date.isoformat()))
    return found


@check("copied-forward")
def copied_forward(table, p, ctx):
    """A unit whose report repeats its previous `days` reports exactly, on consecutive days (scripted
    check-ins, 2020). All-zero reports are left alone: a quiet unit reports zeros every day."""
    n = _count(p["days"], ctx)
    names = p["fields"]
    by_group = defaultdict(list)
    for i, date, group, *values in _rows(table, p["date"], p["group"], *names):
        if date <= ctx.as_of:
            by_group[group].append((date, i, tuple(values)))
    found = []
    for reports in by_group.values():
        reports.sort(key=lambda r: (r[0], r[1]))
        run = 0
        for (prev_date, _, before), (date, i, after) in zip(reports, reports[1:]):
            same = after == before and (date - prev_date).days == 1 and any(v for v in after)
            run = run + 1 if same else 0
            if run == n:
                found.append(table.issue("copied-forward", names[0], i, days=n + 1,
                                         since=(date - dt.timedelta(days=n)).isoformat()))
    return found


@check("unchanging-readings")
def unchanging_readings(table, p, ctx):
    """A person whose every reading, over at least `days` days, is the same value."""
    n = _count(p["days"], ctx)
    seen: dict[str, list] = defaultdict(list)
    for i, person, date, value in _rows(table, p["person"], p["date"], p["reading"]):
        if value is not None and date <= ctx.as_of:
            seen[person].append((i, date, value))
    found = []
    for readings in seen.values():
        days = {d for _, d, _ in readings}
        if len(days) >= n and len({v for _, _, v in readings}) == 1:
            first = min(i for i, _, _ in readings)
            found.append(table.issue("unchanging-readings", p["reading"], first, count=len(readings),
                                     days=len(days)))
    return found
