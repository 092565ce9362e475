"""Each campus's state on the day, the province checks, and the province totals.

The checks follow the COVID Tracking Project's quality control: a campus's figures must agree
with themselves (the unit rows add up to the campus total), a cumulative figure never goes
down, and a day that jumps far past the campus's previous days is flagged. A campus is in the
province totals only when it published valid figures for the day and no check found an error:
an unreachable, late-to-publish, stale, invalid or contradictory campus is named with the reason
and left out, never guessed. (A jump is a warning: the campus is counted and the jump named.)
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from .config import Province
from .reader import Fetched

STATES = {
    "on-time": ("按时发布", "published on time"),
    "late": ("迟发布", "published late"),
    "not-published": ("今日未发布", "not published today"),
    "stale": ("数据过期", "figures are stale"),
    "unreachable": ("无法访问", "unreachable"),
    "invalid": ("文件无效", "files do not validate"),
    "unknown-schema": ("格式版本未知", "unknown schema_version"),
    "doubtful": ("数据矛盾", "figures contradict themselves"),
    "awaiting-signoff": ("待防控办签发", "awaiting the office's sign-off"),
}


@dataclass
class Finding:
    code: str
    severity: str                # error: the campus is left out of the totals; warning: named only
    campus: str
    date: str
    figure: str | None
    zh: str
    en: str


@dataclass
class View:
    """One campus as the province page shows it."""
    fetched: Fetched
    state: str
    included: bool
    reason: str | None = None                       # why it is not in the totals (en, with the detail)
    latest: dict | None = None                      # the newest day's figures on file (maybe stale)
    age_days: int | None = None                     # how old latest is
    findings: list[Finding] = field(default_factory=list)
    awaiting: bool = False                          # the day (or a change to it) awaits the office's sign-off

    @property
    def held(self) -> dict[str, dict]:
        """figure -> what the campus says of its held value (a total without it, which units): the
        latest figures' counts with a value under review (待核实), never the value."""
        return ((self.latest or {}).get("held") or {}).get("units") or {}

    @property
    def campus(self):
        return self.fetched.campus


@dataclass
class Assessment:
    day: dt.date
    views: list[View]
    figures: list[str]                               # count ids, in display order
    totals: dict[str, int | None]                    # over the included campuses
    counted: dict[str, int]                          # how many campuses each total includes
    trend: list[dict]                                # per day: date, totals, counted, campuses
    held: dict[str, list[str]] = field(default_factory=dict)   # figure -> included campuses whose value is held

    @property
    def included(self) -> list[View]:
        return [v for v in self.views if v.included]

    @property
    def findings(self) -> list[Finding]:
        return [f for v in self.views for f in v.findings]


def _on_time(rec: dict, report_by: dt.time, zone: zoneinfo.ZoneInfo) -> bool | None:
    """Published by the campus's reporting time: when its day file first appeared (Last-Modified or
    mtime), else the summary's cutoff (its last unit report: it cannot have been published earlier)."""
    try:
        cutoff = dt.datetime.fromisoformat(rec.get("published_at") or rec["cutoff"])
    except (TypeError, ValueError):
        return None
    local = cutoff.astimezone(zone) if cutoff.tzinfo else cutoff
    return local.date() < dt.date.fromisoformat(rec["date"]) or \
        (local.date() == dt.date.fromisoformat(rec["date"]) and local.time() <= report_by)


def checks(fetched: Fetched, day: str, province: Province) -> list[Finding]:
    cid, out = fetched.campus.id, []
    for date, version in sorted(fetched.versions.items()):
        out.append(Finding("unknown-schema-version", "error" if date == day else "warning", cid, date, None,
                           f"schema_version {version!r} 不是本程序认识的版本",
                           f"schema_version {version!r} is not one this roll-up knows"))
    if fetched.bulk_error:
        out.append(Finding("days-csv-refused", "warning", cid, day, None,
                           f"days.csv 未能使用（这些日子改为逐日读取）：{fetched.bulk_error}",
                           f"days.csv was not used (those days were read one by one): {fetched.bulk_error}"))
    rec = fetched.days.get(day)
    if rec is None:
        return out
    counts = rec.get("counts") or {}
    for name, total in sorted((rec.get("unit_sums") or {}).items()):
        if counts.get(name) is not None and counts[name] != total:
            out.append(Finding("unit-total-mismatch", "error", cid, day, name,
                               f"{name}：各单位之和 {total} 与全校合计 {counts[name]} 不符",
                               f"{name}: the units add up to {total}, the campus total says {counts[name]}"))
    earlier = [fetched.days[d] for d in sorted(fetched.days) if d < day]
    for name in province.checks.cumulative:
        before = next((r["counts"][name] for r in reversed(earlier)
                       if (r.get("counts") or {}).get(name) is not None), None)
        if counts.get(name) is not None and before is not None and counts[name] < before:
            out.append(Finding("cumulative-decrease", "error", cid, day, name,
                               f"{name} 是累计数，却从 {before} 降到 {counts[name]}",
                               f"{name} is cumulative but went down from {before} to {counts[name]}"))
    jump = province.checks.jump
    for name in province.checks.figures:
        past = [r["counts"][name] for r in earlier[-jump.days:] if (r.get("counts") or {}).get(name) is not None]
        if counts.get(name) is None or not past:
            continue
        mean = sum(past) / len(past)
        change = counts[name] - mean
        if abs(change) >= jump.minimum and abs(change) > jump.ratio * max(mean, 1):
            out.append(Finding("day-jump", "warning", cid, day, name,
                               f"{name} 为 {counts[name]}，前 {len(past)} 天平均 {mean:.1f}",
                               f"{name} is {counts[name]} against a mean of {mean:.1f} over the previous "
                               f"{len(past)} day(s)"))
    return out


def view(fetched: Fetched, day: dt.date, province: Province) -> View:
    iso = day.isoformat()
    on_file = [d for d in sorted(fetched.days) if d <= iso]
    latest = fetched.days[on_file[-1]] if on_file else None
    age = (day - dt.date.fromisoformat(latest["date"])).days if latest else None
    found = checks(fetched, iso, province)
    v = View(fetched, "on-time", False, None, latest, age, found, iso in fetched.awaiting)
    rec = fetched.days.get(iso)
    if fetched.error:
        v.state = "invalid" if fetched.error.startswith("invalid") else "unreachable"
        v.reason = fetched.error
    elif iso in fetched.problems:
        v.state = "unknown-schema" if iso in fetched.versions else "invalid"
        v.reason = fetched.problems[iso]
    elif rec is None and v.awaiting:
        v.state = "awaiting-signoff"
        v.reason = "the day's figures await the office's sign-off" + (
            f"; the latest published are of {latest['date']}" if latest else "")
    elif rec is None:
        v.state = "stale" if age is None or age > province.stale_after_days else "not-published"
        v.reason = "no figures for the day" + (f"; the latest are of {latest['date']}" if latest else "")
    elif any(f.severity == "error" for f in found):
        v.state, v.reason = "doubtful", "; ".join(f.en for f in found if f.severity == "error")
    else:
        on_time = _on_time(rec, fetched.campus.report_by, zoneinfo.ZoneInfo(province.timezone))
        v.state = "late" if on_time is False else "on-time"
        v.included = True
    if fetched.error or iso in fetched.problems:
        v.included = False
    return v


def assess(fetched: list[Fetched], day: dt.date, province: Province) -> Assessment:
    views = [view(f, day, province) for f in fetched]
    figures = _figures(fetched)
    totals, counted = _sum([v.latest for v in views if v.included and v.latest], figures)
    held = {f: [v.campus.id for v in views if v.included and f in v.held] for f in figures}
    dates = [(day - dt.timedelta(days=k)).isoformat() for k in range(province.history_days - 1, -1, -1)]
    return Assessment(day, views, figures, totals, counted, _trend(fetched, dates, figures),
                      {f: ids for f, ids in held.items() if ids})


def _figures(fetched: list[Fetched]) -> list[str]:
    order = ["students_on_campus", "staff_on_campus", "fever", "suspected", "confirmed", "isolated"]
    seen = {name for f in fetched for r in f.days.values() for name in (r.get("counts") or {})}
    return [n for n in order if n in seen] + sorted(seen - set(order))


def _trend(fetched: list[Fetched], dates: list[str], figures: list[str]) -> list[dict]:
    """Per day: the totals over the campuses with figures that day, as _sum gives them (one pass over
    each campus's days: 120 campuses x a year is 44,000 records)."""
    sums = {d: dict.fromkeys(figures, 0) for d in dates}
    counted = {d: dict.fromkeys(figures, 0) for d in dates}
    campuses = dict.fromkeys(dates, 0)
    for f in fetched:
        for date in dates:
            rec = f.days.get(date)
            if rec is None:
                continue
            campuses[date] += 1
            for name, value in (rec.get("counts") or {}).items():
                if value is not None:
                    sums[date][name] += value
                    counted[date][name] += 1
    return [{"date": d, "totals": {f: sums[d][f] if counted[d][f] else None for f in figures},
             "counted": counted[d], "campuses": campuses[d]} for d in dates]


def _sum(records: list[dict], figures: list[str]) -> tuple[dict, dict]:
    """Totals of each figure and how many campuses gave it (a null figure is not a zero: held or unread;
    a held value is never summed, not even the part of it the campus knows)."""
    totals: dict[str, int | None] = {}
    counted: dict[str, int] = {}
    for name in figures:
        values = [(r.get("counts") or {}).get(name) for r in records]
        present = [x for x in values if x is not None]
        totals[name] = sum(present) if present else None
        counted[name] = len(present)
    return totals, counted
