"""campuses.yml: the province's campuses and how to read them, as pydantic models (extra keys refused).

    province: {zh: 辽宁省高校疫情防控汇总, en: Liaoning universities}
    timezone: Asia/Shanghai
    campuses:
      - {id: dlufl, name: {zh: 大连外国语大学, en: Dalian University of Foreign Languages},
         url: "https://covid.dlufl.edu.cn/", report_by: "10:30"}
      - {id: lnu, name: {zh: 辽宁大学, en: Liaoning University}, folder: ../lnu/public}

Every mistake is reported at once as `file:line: key.path: message`.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import ConfigError
from ..config import load_file
from ..config.base import Problem


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Names(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Campus(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: Names
    url: Optional[str] = Field(None, pattern=r"^https?://")
    folder: Optional[Path] = None
    report_by: dt.time = dt.time(10, 30)

    @model_validator(mode="after")
    def _one_place(self):
        if (self.url is None) == (self.folder is None):
            raise ValueError("give exactly one of url (the campus site's address) or folder (its built site)")
        return self


class Fetch(_Strict):
    concurrency: int = Field(8, ge=1, le=64)          # campuses read at once
    connect_timeout: float = Field(5, gt=0)
    read_timeout: float = Field(20, gt=0)
    retries: int = Field(2, ge=0, le=10)              # per request
    backoff: float = Field(0.5, ge=0)                 # seconds, doubled on each retry
    retry_budget: int = Field(60, ge=0)               # retries for the whole run, all campuses together
    time_budget: float = Field(300, gt=0)             # seconds; later requests fail fast
    # Up to this many new days of a campus are read file by file; more (a first roll-up) come from
    # its days.csv in one request, and only the day shown from its own files.
    per_day_up_to: int = Field(7, ge=0)


class Jump(_Strict):
    days: int = Field(7, ge=1)                        # compared with the mean of this many previous days
    ratio: float = Field(1.0, gt=0)                   # a change above ratio x that mean ...
    minimum: int = Field(20, ge=0)                    # ... and above this many people


class Checks(_Strict):
    cumulative: list[str] = ["confirmed"]            # count figures that must never go down
    jump: Jump = Jump()
    figures: list[str] = ["fever", "suspected", "confirmed", "isolated"]   # watched for jumps


class Province(_Strict):
    province: Names
    timezone: str = "Asia/Shanghai"
    stale_after_days: int = Field(1, ge=0)            # latest figures older than this: stale
    history_days: int = Field(30, ge=1)               # days of trends, and so of each campus's files read
    fetch: Fetch = Fetch()
    checks: Checks = Checks()
    campuses: list[Campus] = Field(min_length=1)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}, e.g. Asia/Shanghai") from None
        return value

    @field_validator("campuses")
    @classmethod
    def _unique(cls, campuses: list[Campus]) -> list[Campus]:
        seen: set[str] = set()
        for c in campuses:
            if c.id in seen:
                raise ValueError(f"campus id {c.id!r} is there twice")
            seen.add(c.id)
        return campuses

    def today(self) -> dt.date:
        return dt.datetime.now(zoneinfo.ZoneInfo(self.timezone)).date()


def load(path: str | Path) -> Province:
    """The province config; ConfigError with every problem (file:line: key: message, as for policies/)."""
    path = Path(path)
    found: list[Problem] = []
    province, _ = load_file(Province, path, found)
    if province is None:
        raise ConfigError(list(found))
    for campus in province.campuses:          # folders are relative to the config file
        if campus.folder is not None and not campus.folder.is_absolute():
            campus.folder = (path.parent / campus.folder).resolve()
    return province
