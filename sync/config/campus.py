"""policies/campus.yml: the campus, its time zone, thresholds, guards, dates and schedule."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from .base import (HH_MM, KEBAB, Bilingual, Model, Severity, across, at_least, checked, fail, matching, non_empty,
                   one_of)
from .objects import DATES

# The jobs `schedule:` may name (sync/schedule.py runs each as `python -m sync <job>`).
JOBS = ("remind", "run", "build", "rollup")

Amount = Annotated[float, at_least()]
Count = Annotated[int, at_least(whole=True)]


def _clock(example: str) -> Any:
    return matching(HH_MM.fullmatch, "not-a-time", f"expected a time such as {example}; got {{value}}")


class Thresholds(Model):
    fever: Amount
    isolation_days: Count
    report_deadline: Annotated[str, Field(pattern=HH_MM.pattern), _clock('"10:00"')]
    jump_factor: Amount
    jump_minimum: Amount
    min_cover_days: Amount
    readings_per_day: Count


class Guards(Model):
    """Refuse to publish past these (sync/publish/guards.py); each defaults."""
    max_row_loss: Annotated[float, checked(
        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1, "not-a-share",
        "expected a share between 0 and 1, e.g. 0.2; got {value}")] = 0.2
    max_errors: Count = 100


def _day(value) -> bool:
    # Not within a year of the calendar's ends: a day's arithmetic (+14 days) must not overflow.
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime) and \
        dt.date(1901, 1, 1) <= value <= dt.date(9000, 12, 31)


Day = Annotated[dt.date, checked(_day, "not-a-day", "expected a date such as 2000-01-01 (1901 to 9000); got {value}")]


def _ordered(value: Any) -> list[tuple[tuple, str, str]]:
    if isinstance(value, dict):
        earliest, latest = value.get("earliest", DATES["earliest"]), value.get("latest", DATES["latest"])
        if _day(earliest) and _day(latest) and earliest > latest:
            return [((), "dates-reversed", "earliest is after latest")]
    return []


class Dates(Model):
    """The days accepted anywhere: --date, cells (others are out-of-range errors), summaries read."""
    earliest: Day = DATES["earliest"]
    latest: Day = DATES["latest"]


class Slot(Model):
    at: Annotated[str, Field(pattern=HH_MM.pattern), _clock('"10:15" (quoted)')]
    jobs: Annotated[list[Annotated[Literal["remind", "run", "build", "rollup"], one_of(
        JOBS, "unknown-job", f"unknown job {{value}}; expected one of {', '.join(JOBS)}")]],
                    non_empty("no-jobs", f"expected a list of jobs, some of {', '.join(JOBS)}")]


def _zone(value):
    try:
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        fail("unknown-timezone", f"unknown time zone {value!r}; e.g. Asia/Shanghai")
    return value


def _one_slot_a_time(slots: Any) -> list[tuple[tuple, str, str]]:
    found, seen = [], set()
    for i, slot in enumerate(slots if isinstance(slots, list) else []):
        at = slot.get("at") if isinstance(slot, dict) else None
        if isinstance(at, str) and HH_MM.fullmatch(at) and at in seen:
            found.append(((i, "at"), "duplicate-time", f"{at} is already scheduled: list its jobs once"))
        seen.add(at)
    return found


Code = Annotated[str, matching(KEBAB.match, "not-a-code", "expected a kebab-case code such as count-jump; got {value}")]
COMPARE_OPS = ("==", "<=", ">=")


class SideSpec(Model):
    """One side of a cross-check (sync/validate/crosscheck.py); its sheet and fields are checked
    against the sheet schemas once they are loaded (config/crosscheck.py)."""
    sheet: str
    date: str | None = None
    where: list[str] = []
    sum: str | None = None
    distinct: str | None = None
    rows: bool | None = None
    person: str | None = None
    reason: Bilingual | None = None


class CrossCheckSpec(Model):
    """compare (left, op, right, tolerance) or roster (roster, not_in); message in zh and en."""
    code: Code
    severity: Severity = "warning"
    message: Bilingual
    left: SideSpec | None = None
    op: Annotated[str | None, one_of(COMPARE_OPS, "bad-op", optional=True)] = None
    right: SideSpec | None = None
    tolerance: Amount = 0
    hold_figures: list[Annotated[str, checked(lambda v: isinstance(v, str) and v.count(".") == 1, "bad-figure",
                                              "expected a public figure such as isolation.people; got {value}")]] = []
    roster: SideSpec | None = None
    not_in: list[SideSpec] = []


class Campus(Model):
    name: Bilingual
    timezone: Annotated[str, BeforeValidator(_zone)] = Field(description="an IANA zone, e.g. Asia/Shanghai")
    thresholds: Thresholds
    status_tab: Bilingual | None = None
    private_tab: Bilingual | None = None
    guards: Guards | None = None
    dates: Annotated[Dates | None, across(_ordered)] = None
    schedule: Annotated[list[Slot] | None, across(_one_slot_a_time)] = Field(
        None, description='the day\'s jobs at campus time: [{at: "10:15", jobs: [run, build]}]')
    hold: Annotated[list[Code] | None, checked(lambda v: isinstance(v, list), "not-a-list", "expected a list of issue "
                                               "codes such as [count-jump, decimal-slip]; got {value}", True)] = Field(
        None, description="warnings whose value is held out of the public outputs until fixed or confirmed")
    signoff: Annotated[Any, one_of(("off", False, "required"), "bad-signoff", "expected required or off; got {value}")] \
        = Field("off", description="required: a day is published only once the office has signed it")
    cross_checks: list[CrossCheckSpec] | None = Field(None, description="checks between sheets, day by day")
