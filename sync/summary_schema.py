"""The public daily summary as others read it: the one place that says what a valid summary is.

The roll-up checks every campus's files with `problems()`, and the campus site publishes
`json_schema()` under /data/. Until the full, versioned summary schema (the contracts issue)
lands, this describes the part of today's summaries that a reader of the open data relies
on; extra keys are allowed, since a campus's summary carries much more. Swap the body of this
module for the generated schema when it exists; its callers stay as they are.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# The schema_version values this release understands. A summary with any other is refused by the
# roll-up by name (unknown-schema-version), never read by guessing.
KNOWN_VERSIONS = frozenset({1})


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Names(_Open):
    zh: str
    en: str


class Missing(_Open):
    id: str
    zh: str
    en: str


class Reporting(_Open):
    expected: int = Field(ge=0)
    reported: int = Field(ge=0)
    on_time: int = Field(ge=0)
    late: int = Field(ge=0)
    zero_reports: int = Field(ge=0)
    rate: Optional[float] = Field(ge=0, le=1)
    missing: list[Missing]


class Summary(_Open):
    schema_version: int
    date: dt.date
    campus: Names
    status: str = Field(pattern="^(complete|partial)$")
    reporting: Optional[Reporting]
    # unit_daily's count columns summed over the units that reported (null: unit_daily unreadable)
    units: Optional[dict[str, Optional[int]]]
    unavailable: list[str] = []


def problems(body: object) -> list[str]:
    """Every way body fails the summary contract, as `key.path: message`; empty when it is valid.
    The schema_version is checked first and alone: another version's layout is not ours to judge."""
    if not isinstance(body, dict):
        return [f"(top): expected a JSON object, got {type(body).__name__}"]
    version = body.get("schema_version")
    if version not in KNOWN_VERSIONS:
        return [f"schema_version: {version!r} is not one this reader knows ({sorted(KNOWN_VERSIONS)})"]
    try:
        Summary.model_validate(body)
    except ValidationError as exc:
        return [f"{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}" for e in exc.errors()]
    return []


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of what problems() accepts, as /data/summary.schema.json."""
    schema = Summary.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["properties"]["schema_version"] = {"enum": sorted(KNOWN_VERSIONS), "title": "Schema Version"}
    return schema
