"""A campus's data/days.csv (one row per day) as the roll-up's records, checked row by row.

A first roll-up, or one after a long gap, needs a year of a campus's days: one request for days.csv
(held to index.json's SHA-256 like every file) instead of two per day. Each row is checked
against the model below -- the columns sync/render/opendata.py writes, typed and bounded as the
summary contract types them -- and a row that breaks it is refused by its line, not read by
guessing. The day a page shows is still read from its own summary and unit table, checked
against the whole contract, and must agree with its row: a campus whose two files disagree is
invalid, and none of its days.csv is kept.
"""
from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config.base import key_text
from ..render.opendata import DAY_HEAD, MORE

Count = Annotated[int, Field(ge=0)]
Figure = Annotated[float, Field(ge=0)]
TAIL = [name for name, _, _ in MORE]


class DayRow(BaseModel):
    """One line of days.csv; counts are unit_daily's count columns (blank: held or not read)."""
    model_config = ConfigDict(extra="forbid")
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    status: Literal["complete", "partial"]
    schema_version: int
    units_expected: Count | None
    units_reported: Count | None
    on_time: Count | None
    late: Count | None
    zero_reports: Count | None
    missing: Count | None
    reporting_rate: Annotated[float, Field(ge=0, le=1)] | None
    counts: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], Figure | None]


def rows(data: bytes) -> tuple[list[tuple[int, dict]], list[str]]:
    """[(line, row as the model's input)], the count columns; ValueError for a file that is not
    days.csv (its header) -- a single bad row is the caller's to refuse by its line."""
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    header = next(reader, [])
    if header[:len(DAY_HEAD)] != DAY_HEAD or header[len(header) - len(TAIL):] != TAIL:
        raise ValueError(f"header should be {','.join(DAY_HEAD)},<counts>,{','.join(TAIL)}")
    counts = header[len(DAY_HEAD):len(header) - len(TAIL)]
    out: list[tuple[int, dict]] = []
    for line, cells in enumerate(reader, start=2):
        if len(cells) != len(header):
            out.append((line, {"_width": f"{len(cells)} cells, header has {len(header)}"}))
            continue
        values = [None if c == "" else c for c in cells]
        row: dict[str, object] = dict(zip(DAY_HEAD, values))
        row["counts"] = dict(zip(counts, values[len(DAY_HEAD):len(DAY_HEAD) + len(counts)]))
        out.append((line, row))
    return out, counts


def record(line: int, row: dict, shas: dict) -> dict:
    """The record of one row (the cache's unit, as fetch.record makes it from a summary); ValueError
    `line N: key: message` for a row that breaks the model."""
    if "_width" in row:
        raise ValueError(f"line {line}: {row['_width']}")
    try:
        day = DayRow.model_validate(row)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise ValueError(f"line {line}: {key_text(first['loc']) or '(row)'}: {first['msg']}") from None
    reporting = None
    if day.units_expected is not None:
        reporting = {"expected": day.units_expected, "reported": day.units_reported, "on_time": day.on_time,
                     "late": day.late, "rate": day.reporting_rate}
    counts = {k: (int(v) if v is not None and v == int(v) else v) for k, v in day.counts.items()}
    return {"date": day.date, "status": day.status, "schema_version": day.schema_version, "cutoff": None,
            "published_at": None, "counts": counts if any(v is not None for v in counts.values()) else None,
            "reporting": reporting, "unit_sums": None, "held": None, "signoff": None, "sha": shas,
            "from": "days.csv"}


def disagreement(row: dict, day: dict) -> str | None:
    """How a days.csv record and the day's own summary record differ (None: they agree)."""
    for key in ("status", "schema_version"):
        if row[key] != day[key]:
            return f"{key}: {row[key]!r} against {day[key]!r}"
    a, b = row["reporting"] or {}, day["reporting"] or {}
    for key in ("expected", "reported", "on_time", "late", "rate"):
        if a.get(key) != b.get(key) and not (key == "rate" and _close(a.get(key), b.get(key))):
            return f"reporting.{key}: {a.get(key)!r} against {b.get(key)!r}"
    mine, theirs = row["counts"] or {}, day["counts"] or {}
    for key in sorted(set(mine) | set(theirs)):
        if mine.get(key) != theirs.get(key):
            return f"{key}: {_text(mine.get(key))} against {_text(theirs.get(key))}"
    return None


def _close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) < 1e-9


def _text(value) -> str:
    return "blank" if value is None else repr(value)
