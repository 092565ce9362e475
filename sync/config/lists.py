"""policies/lists/*.yml, policies/plans/disinfection.yml and notices/audiences.yml: reference lists.

Each list is {name, title, items: [{id, zh, en, aliases}]}; some lists' items carry more (a unit's
e-mail, a supply's minimum stock, an area's plan), each list name with its own item model.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from .base import SNAKE, Bilingual, Model, Number, across, at_least, fail, filled, matching, non_empty
from .objects import fold

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

Snake = Annotated[str, Field(pattern=SNAKE.pattern),
                  matching(SNAKE.match, "not-an-id", "expected a lower-case id such as 'north_a'; got {value}")]
Email = Annotated[str, matching(EMAIL.fullmatch, "not-an-email",
                                "expected an e-mail address such as office@example.edu.cn; got {value}")]


class Item(Model):
    id: Snake
    zh: str
    en: str
    aliases: list[str] = []


class Unit(Item):
    reports_daily: bool = True
    email: Email | list[Email] | None = Field(None, description="where reminders go: an address or a list")
    contact: Annotated[str | None, filled("not-a-contact", "expected the chat user id to @mention; got {value}",
                                          optional=True)] = None


class Supply(Item):
    unit: Bilingual | None = None
    min_stock: Number


class Batch(Item):
    date: dt.date | None = None
    who: Bilingual | None = None


def _range(value):
    if value is not None and not (isinstance(value, list) and len(value) == 2
                                  and all(isinstance(c, (int, float)) for c in value) and value[0] <= value[1]):
        fail("not-a-range", f"expected [min, max] in mg/L or null; got {value!r}")
    return value


class Area(Item):
    times_per_day: Annotated[int, at_least(1, whole=True, code="not-a-count")]
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


_ITEMS = (non_empty("no-items", "expected a non-empty list of items"), across(_unambiguous))


class RefListFile(Model):
    name: Annotated[str, Field(pattern=SNAKE.pattern),
                    matching(SNAKE.match, "not-a-name", "expected a lower-case name such as 'units'; got {value}")]
    title: Bilingual
    items: Annotated[list[Item], *_ITEMS]


class UnitsFile(RefListFile):
    items: Annotated[list[Unit], *_ITEMS]  # type: ignore[assignment]


class SuppliesFile(RefListFile):
    items: Annotated[list[Supply], *_ITEMS]  # type: ignore[assignment]


class BatchesFile(RefListFile):
    items: Annotated[list[Batch], *_ITEMS]  # type: ignore[assignment]


class AreasFile(RefListFile):
    """The disinfection plan: areas, and the unit responsible for it."""
    responsible: str | None = None
    items: Annotated[list[Area], *_ITEMS]  # type: ignore[assignment]


LIST_FILES: dict[str, type[RefListFile]] = {"units": UnitsFile, "supplies": SuppliesFile, "batches": BatchesFile,
                                            "areas": AreasFile}
