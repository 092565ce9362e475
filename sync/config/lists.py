"""policies/lists/*.yml, policies/plans/disinfection.yml and notices/audiences.yml: reference lists.

Each list is {name, title, items: [{id, zh, en, aliases}]}; some lists' items carry more (a unit's
e-mail, a supply's minimum stock, an area's plan), each list name with its own item model.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from .objects import fold
from .base import SNAKE, Bilingual, Model, across, checked, fail

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

Snake = Annotated[str, Field(pattern=SNAKE.pattern), checked(lambda v: isinstance(v, str) and bool(SNAKE.match(v)), "not-an-id",
                               "expected a lower-case id such as 'north_a'; got {value}")]
Email = Annotated[str, checked(lambda v: isinstance(v, str) and bool(EMAIL.fullmatch(v)), "not-an-email",
                               "expected an e-mail address such as office@example.edu.cn; got {value}")]


class Item(Model):
    id: Snake
    zh: str
    en: str
    aliases: list[str] = []


class Unit(Item):
    reports_daily: bool = True
    email: Email | list[Email] | None = Field(None, description="where reminders go: an address or a list")
    contact: Annotated[str | None, checked(lambda v: v is None or isinstance(v, str) and bool(v.strip()),
                                           "not-a-contact", "expected the chat user id to @mention; got {value}")] = None


class Supply(Item):
    unit: Bilingual | None = None
    min_stock: Annotated[float, checked(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
                                        "not-a-number", "expected a number")]


class Batch(Item):
    date: dt.date | None = None
    who: Bilingual | None = None


def _range(value):
    if value is not None and not (isinstance(value, list) and len(value) == 2
                                  and all(isinstance(c, (int, float)) for c in value) and value[0] <= value[1]):
        fail("not-a-range", f"expected [min, max] in mg/L or null; got {value!r}")
    return value


class Area(Item):
    times_per_day: Annotated[int, checked(lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
                                          "not-a-count", "expected a whole number >= 1")]
    agent: Bilingual | None = None
    concentration: Annotated[list[float] | None, BeforeValidator(_range)] = None
    ventilation_minutes: int | None = None


def _unambiguous(items: Any) -> list[tuple[tuple, str, str]]:
    found: list[tuple[tuple, str, str]] = []
    owners: dict[str, str] = {}
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not (isinstance(item, dict) and isinstance(item.get("id"), str)):
            continue
        for label in [item["id"], item.get("zh"), item.get("en"), *(item.get("aliases") or [])]:
            if not isinstance(label, str):
                continue
            owner = owners.setdefault(fold(label), item["id"])
            if owner != item["id"]:
                found.append(((i,), "ambiguous-name",
                              f"name {label!r} is also used by '{owner}': names must be unambiguous"))
    return found


_NON_EMPTY = checked(lambda v: isinstance(v, list) and bool(v), "no-items", "expected a non-empty list of items")
Items = Annotated[list[Item], _NON_EMPTY, across(_unambiguous)]
Units = Annotated[list[Unit], _NON_EMPTY, across(_unambiguous)]
Supplies = Annotated[list[Supply], _NON_EMPTY, across(_unambiguous)]
Batches = Annotated[list[Batch], _NON_EMPTY, across(_unambiguous)]
Areas = Annotated[list[Area], _NON_EMPTY, across(_unambiguous)]


ListName = Annotated[str, Field(pattern=SNAKE.pattern), checked(lambda v: isinstance(v, str) and bool(SNAKE.match(v)), "not-a-name",
                                  "expected a lower-case name such as 'units'; got {value}")]


class RefListFile(Model):
    name: ListName
    title: Bilingual
    items: Items


class UnitsFile(RefListFile):
    items: Units  # type: ignore[assignment]


class SuppliesFile(RefListFile):
    items: Supplies  # type: ignore[assignment]


class BatchesFile(RefListFile):
    items: Batches  # type: ignore[assignment]


class AreasFile(RefListFile):
    """The disinfection plan: areas, and the unit responsible for it."""
    responsible: str | None = None
    items: Areas  # type: ignore[assignment]


LIST_FILES: dict[str, type[RefListFile]] = {"units": UnitsFile, "supplies": SuppliesFile, "batches": BatchesFile,
                                            "areas": AreasFile}
