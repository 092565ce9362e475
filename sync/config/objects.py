"""The policy objects the stages read (through sync.policy): the campus, its reference lists and
one schema per sheet, built by load_policy() from the checked models."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from .. import expr
from ..errors import ConfigError

# campus.yml `dates:`: the days the tool accepts anywhere (--date, cells, summaries). A typo such as
# 9999-12-31 or 0001-01-01 would otherwise be published and break every later build (date
# arithmetic overflows at the ends of the calendar). Checked by sync/config/campus.py.
DATES = {"earliest": dt.date(2000, 1, 1), "latest": dt.date(2100, 12, 31)}

def fold(text: str) -> str:
    """The form in which names and headers are compared: full-width, case and spaces ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


@dataclass
class RefList:
    name: str
    title: dict
    items: list[dict]
    path: str
    extra: dict = field(default_factory=dict)     # top-level keys besides name/title/items
    lookup: dict[str, str] = field(default_factory=dict)   # folded id/zh/en/alias -> id

    def find(self, text: str) -> str | None:
        return self.lookup.get(fold(text))


@dataclass
class Field:
    name: str
    type: str
    title: dict
    index: int
    pii: bool = False
    public: bool = False        # published on purpose (a duty roster's names), even where personal elsewhere
    required: bool = False
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    reference: str | None = None
    values: list[dict] = field(default_factory=list)
    default: object = None
    decimal_slip: bool = False
    aliases: list[str] = field(default_factory=list)
    description: dict | None = None

    def headers(self) -> list[str]:
        return [self.title["zh"], self.title["en"], self.name, *self.aliases]


@dataclass
class Rule:
    code: str
    severity: str
    column: str
    when: list[expr.Condition]
    check: list[expr.Condition]
    message: dict


@dataclass
class Sheet:
    name: str
    title: dict
    fields: list[Field]
    path: str
    primary_key: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    missing_values: list[str] = field(default_factory=list)
    count_rule_breakers: bool = False   # rows that broke only the sheet's own rules still count
    optional: bool = False              # a workbook without this tab is not missing a sheet (the sign-off sheet)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def pii_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.pii]

    @property
    def public_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.public]


@dataclass
class Side:
    """One side of a cross-check: the rows of a sheet on the day (`date` names the field that dates
    them; None for a snapshot sheet such as staff_status), narrowed by `where`, and what is taken of
    them: `sum` of a field, `distinct` values of a field, or the `rows`; for a roster check, `person`."""
    sheet: str
    date: str | None
    where: list[expr.Condition]
    measure: str            # sum | distinct | rows | person
    field: str | None
    reason: dict | None = None      # roster checks: what being found here means, {zh, en}


@dataclass
class CrossCheck:
    """A check between sheets (campus.yml `cross_checks:`). kind "compare": left op right within a
    tolerance, for each day the left side has rows; kind "roster": each person of `left` on the day
    must not be found in any of `against`."""
    code: str
    severity: str
    kind: str
    message: dict
    left: Side
    right: Side | None = None
    op: str = "=="
    tolerance: float = 0.0
    against: list[Side] = field(default_factory=list)
    hold_figures: list[str] = field(default_factory=list)   # public figures ("isolation.people") held too


@dataclass
class Policy:
    root: Path
    campus: dict
    lists: dict[str, RefList]
    sheets: dict[str, Sheet]
    cross_checks: list[CrossCheck] = field(default_factory=list)

    @property
    def thresholds(self) -> dict:
        return self.campus["thresholds"]

    @property
    def guards(self) -> dict:
        """max_row_loss and max_errors (campus.yml `guards:`, defaults filled in by sync/config)."""
        return self.campus["guards"]

    @property
    def dates(self) -> tuple[dt.date, dt.date]:
        """(earliest, latest) day accepted, both included (campus.yml `dates:`)."""
        found = self.campus.get("dates") or DATES       # defaults filled in by sync/config
        return found["earliest"], found["latest"]

    def check_day(self, day: dt.date, what: str = "--date") -> dt.date:
        """day, or ConfigError when it lies outside `dates:` (where a date enters from outside)."""
        earliest, latest = self.dates
        if not earliest <= day <= latest:
            raise ConfigError([f"{what} {day.isoformat()}: outside the dates this campus accepts, {earliest} to "
                               f"{latest} ({self.root / 'campus.yml'} dates:) / 日期超出范围"])
        return day

    @property
    def hold(self) -> frozenset[str]:
        """Issue codes whose value is held out of the public outputs (campus.yml `hold:`)."""
        return frozenset(self.campus.get("hold") or ())

    @property
    def signoff_required(self) -> bool:
        """campus.yml `signoff: required`: a day is published only once the office has signed it."""
        return self.campus.get("signoff", "off") == "required"

    @property
    def schedule(self) -> list[dict]:
        """[{at: "HH:MM", jobs: [...]}], campus time."""
        return list(self.campus.get("schedule") or [])

    @property
    def deadline(self) -> dt.time:
        """The daily report deadline (thresholds.report_deadline, "HH:MM", campus time)."""
        hour, minute = map(int, str(self.thresholds["report_deadline"]).split(":"))
        return dt.time(hour, minute)

    @property
    def timezone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.campus["timezone"])

    def today(self) -> dt.date:
        return dt.datetime.now(self.timezone).date()

