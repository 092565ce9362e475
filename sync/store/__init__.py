"""Store stage: what every run read and published, kept in data/archive.sqlite (archive.py), rows
hashed column-wise (rows.py), and the facts only the archive knows handed to the summaries as values
(facts.py). `recorded` is the step run and remind share: lock, open the archive, read, validate, store.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..policy import Policy
from ..validate import Result
from .archive import Archive, Reading
from .facts import Facts, gather


@dataclass
class Recorded:
    archive: Archive
    result: Result
    reading: Reading
    workbook: object = None     # what was read (a Google one keeps its client for the write-back)


@contextmanager
def recorded(source, policy: Policy, out: str | Path, kind: str, as_of: dt.date,
             now: dt.datetime | None = None) -> Iterator[Recorded]:
    """Under the run lock, with the archive open: read the source, validate it as of `as_of` and store
    what was read (as seen at `now`, default after the read)."""
    from ..publish.lock import WAIT, Lock
    from ..read import read_source
    from ..validate import validate
    out = Path(out)
    with Lock(out / "run.lock").acquire(WAIT), Archive(out / "archive.sqlite", policy) as archive:
        workbook = read_source(source)
        result = validate(workbook, policy, as_of)
        yield Recorded(archive, result, archive.record_read(workbook, result, kind=kind, now=now), workbook)


__all__ = ["Archive", "Facts", "Reading", "Recorded", "gather", "recorded"]
