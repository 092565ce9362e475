"""The front matter of notices and contingency plans, the YAML tables beside the plans, and
policies/contacts.yml. References (an audience, a unit, an area) are read from the validation
context: {"lists": {list name: ids}, "suffix": the file's .zh/.en}.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, model_validator

from ..yamlfile import as_date
from .base import Bilingual, Flag, Model, Text, checked, fail, fail_all, filled, named_as_file, non_empty, one_of

LANGUAGES = ("zh", "en")
_LANGUAGE = f"expected one of {', '.join(LANGUAGES)}; got {{value}}"


def _date(example: str = ""):
    def parse(value: Any) -> Any:
        day = as_date(value)
        if day is None:
            fail("not-a-date", f"expected a date{f' such as {example}' if example else ''}; got {value!r}")
        return day
    return BeforeValidator(parse)


def _one_or_more(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


# Keys that name ids of a list, and the list (plans: "responsible" names units).
PLAN_REFS = {"responsible": "units", "areas": "areas", "zones": "zones", "gates": "gates", "batches": "batches"}
_SINGULAR = {"units": "unit", "areas": "area", "zones": "zone", "gates": "gate", "batches": "batch",
             "audiences": "audience"}


def _in(name: str, listed: bool = False) -> AfterValidator:
    """An id of list `name`, checked when the loader passes that list's ids in the context."""
    what = _SINGULAR[name]

    def check(value: Any, info: ValidationInfo) -> Any:
        known = ((info.context or {}).get("lists") or {}).get(name)
        if known is not None and value is not None and value not in known:
            fail(f"unknown-{what}", f"unknown {what} {value!r}" + (f"; expected one of {', '.join(known)}" if listed else ""))
        return value
    return AfterValidator(check)


class NoticeMeta(Model):
    """policies/notices/<slug>.<zh|en>.md, between the --- lines."""
    title: Text
    date: Annotated[dt.date, _date("2020-02-12")]
    audience: Annotated[list[Annotated[str, _in("audiences", listed=True)]], BeforeValidator(_one_or_more),
                        checked(lambda v: isinstance(v, list) and bool(v) and all(isinstance(a, str) for a in v),
                                "not-an-audience", "expected an audience id or a list of them; got {value}")]
    urgent: Flag = Field(False, description="the announcement bar, pinned on the board")
    expires: Annotated[dt.date | None, _date("2020-03-01")] = Field(None, description="the last day on the board")
    language: Annotated[Literal["zh", "en"], one_of(LANGUAGES, "not-a-language", _LANGUAGE)]
    issuer: Annotated[str | None, _in("units")] = None

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> NoticeMeta:
        found: list[tuple[tuple, str, str]] = []
        if self.expires is not None and self.expires < self.date:
            found.append((("expires",), "expires-before-date", f"{self.expires} is before the notice's date {self.date}"))
        suffix = (info.context or {}).get("suffix")
        if suffix and suffix != self.language:
            found.append((("language",), "language-not-file",
                          f"{self.language!r} does not match the file name's .{suffix}.md"))
        fail_all(found)
        return self


class PlanMeta(Model):
    """policies/plans/contingency/<plan>.<zh|en>.md, between the --- lines. A translation (.en.md)
    needs only its title: the site takes order, updated and responsible from the Chinese one."""
    title: Text
    language: Annotated[Literal["zh", "en"] | None, one_of(LANGUAGES, "not-a-language", _LANGUAGE, True)] = None
    order: int = Field(99, description="the plan's place in the list")
    updated: Annotated[dt.date | None, _date()] = None
    responsible: Annotated[list[Annotated[str, _in("units")]], BeforeValidator(_one_or_more)] = []
    areas: Annotated[list[Annotated[str, _in("areas")]], BeforeValidator(_one_or_more)] = []
    zones: Annotated[list[Annotated[str, _in("zones")]], BeforeValidator(_one_or_more)] = []
    gates: Annotated[list[Annotated[str, _in("gates")]], BeforeValidator(_one_or_more)] = []
    batches: Annotated[list[Annotated[str, _in("batches")]], BeforeValidator(_one_or_more)] = []


class TableItem(Model):
    id: str
    zh: str
    en: str
    batch: Annotated[str | None, _in("batches")] = None
    before: Bilingual | None = None
    after: Bilingual | None = None


class PlanTable(Model):
    """policies/plans/contingency/<name>.yml: a table a plan shows (<!-- table: name -->)."""
    name: Annotated[str, BeforeValidator(named_as_file)]
    title: Bilingual
    items: list[TableItem]


class Hotline(Model):
    id: Text
    zh: Text
    en: Text
    phone: Annotated[str, filled("not-text", "expected text (quote phone numbers); got {value}")]
    hours: Bilingual | None = None
    audience: list[Annotated[str, _in("audiences")]] = []
    note: Bilingual | None = None


class Contacts(Model):
    """policies/contacts.yml: the hotlines of the contacts page."""
    hotlines: Annotated[list[Hotline], non_empty("no-hotlines", "expected hotlines: [{id, zh, en, phone, hours}, ...]")]
