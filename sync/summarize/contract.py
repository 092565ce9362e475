"""The public daily summary as a versioned contract: the models of data/summaries/<date>.json.

The JSON Schema the site publishes (schemas/summary.schema.json) is generated from these models,
and every summary `run` writes and `build` reads is checked against them, so a hand-edited or
foreign file is refused with `file: key: message` instead of rendering a page that lies.
Aggregates only: no model here has a place for a name, an id number or a phone (the duty
roster's `person` is published on purpose: the sheet marks it public).

Adding a key to the summary is one edit here; a change that breaks readers raises SCHEMA_VERSION.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config.base import key_text
from ..errors import ConfigError

SCHEMA_VERSION = 1
SCHEMA_PATH = "schemas/summary.schema.json"     # under the site's root

Count = Annotated[int, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Label(Part):
    zh: str
    en: str


class Named(Label):
    id: str


class Ranked(Label):
    rank: int


class Reporting(Part):
    expected: Count
    reported: Count
    zero_reports: Count
    on_time: Count = Field(description="submitted by the deadline of campus.yml")
    late: Count
    time_unknown: Count = Field(description="reported with a blank submitted_at that no read could date")
    missing: list[Named]
    rate: Share | None
    on_time_rate: Share | None


class Batch(Named):
    date: str | None
    planned: Count
    returned: Count


class Students(Part):
    total: Count
    by_health_status: dict[str, Count]
    by_type: dict[str, Count]
    by_province: dict[str, Count]
    key_area: Count
    batches: list[Batch]


class Staff(Part):
    total: Count
    in_city: Count
    from_key_area: Count
    under_isolation: Count
    isolation_ending: Count
    unapproved_returns: Count


class Isolation(Part):
    """A figure is null while a value in it is held (see `held`)."""
    by_zone: dict[str, Count] | None
    people: Count | None
    readings_expected: Count | None
    readings_recorded: Count
    fever_readings: Count | None
    people_below_minimum: Count


class Area(Named):
    done: Count
    required: Count


class Disinfection(Part):
    areas: list[Area]
    compliance: Share | None


class Item(Named):
    unit: Label | None
    stock: float | None
    avg_use_7d: float | None
    days_of_cover: float | None
    min_stock: float | None
    below_minimum: bool | None
    low_cover: bool


class Supplies(Part):
    items: list[Item]
    donations: dict[str, Count]
    donors: list[str] = Field(description="donors who agreed to be thanked by name (匿名 / anonymous left out)")


class Gate(Part):
    total: Count
    by_person_type: dict[str, Count]
    refused: Count
    fevers: Count | None = Field(description="null while a reading in it is held (see `held`)")
    violations: Count


class Duty(Part):
    shift: Named | None
    unit: Named | None
    person: str | None
    reassign: bool = Field(False, description="the slot needs reassigning (no name, nothing about anyone's health)")


class Held(Part):
    """A public figure with a held value in it: the sum of the rest (null for a figure held whole),
    how many values are held, and which units they concern. Never the held value."""
    known: float | None
    held: Count
    units: list[Named]
    label: Label


class SignedOff(Part):
    state: Literal["signed"]
    signed_at: str
    release_held: bool


class SheetIssues(Part):
    errors: Count
    warnings: Count
    rows_left_out: Count


class Issues(SheetIssues):
    by_sheet: dict[str, SheetIssues]


class LateEdits(Part):
    count: Count
    by_sheet: dict[str, Count]


class Labels(Part):
    counts: dict[str, Ranked]
    health_status: dict[str, Ranked]
    student_type: dict[str, Ranked]
    person_type: dict[str, Ranked]
    source: dict[str, Ranked]
    provinces: dict[str, Ranked]
    zones: dict[str, Ranked]
    sheets: dict[str, Ranked]


class Summary(Part):
    """One day's public summary (data/summaries/<date>.json). A section is null when its sheet
    could not be read (named in `unavailable`): absent, never zero."""
    model_config = ConfigDict(extra="forbid", strict=True, title="Campus Desk public daily summary")
    schema_version: Literal[1] = Field(description="raised when a change would break a reader")
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    cutoff: str | None = Field(description="the latest submission time of the day's reports, with the campus offset")
    campus: Label
    status: Literal["complete", "partial"]
    unavailable: list[str]
    reporting: Reporting | None
    units: dict[str, float | None] | None = Field(description="unit_daily's counts summed over the units; a "
                                                               "count is null while a value in it is held")
    students: Students | None
    staff: Staff | None
    isolation: Isolation | None
    disinfection: Disinfection | None
    supplies: Supplies | None
    gate: Gate | None
    duty: list[Duty] | None
    issues: Issues
    labels: Labels
    late_edits: LateEdits | None = Field(None, description="rows changed after the day was first published")
    held: dict[str, dict[str, Held]] = Field(default_factory=dict, description="section -> figure -> what is "
                                             "known of a figure with held values in it (campus.yml hold:)")
    confirmed: dict[str, dict[str, Label]] | None = Field(None, description="values published as typed, "
                                                         "confirmed by the office at sign-off")
    signoff: SignedOff | None = Field(None, description="the office's sign-off (campus.yml signoff: required)")


def json_schema() -> dict:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_PATH,
            **Summary.model_json_schema()}


def check(summary: Any, where: str | Path) -> dict:
    """The summary itself when it keeps the contract; ConfigError `file: key: message` otherwise."""
    try:
        Summary.model_validate(summary)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False)[:20]:
            key = key_text(error["loc"]) or "(top)"
            problems.append(f"{where}: {key}: {error['msg'][0].lower()}{error['msg'][1:]} (a summary of "
                            f"schema_version {SCHEMA_VERSION}: {SCHEMA_PATH}) / 不是有效的每日汇总")
        raise ConfigError(problems) from None
    return summary
