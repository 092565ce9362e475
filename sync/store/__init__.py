"""Store stage: what every run read and published, kept in data/archive.sqlite (archive.py), rows
hashed column-wise (rows.py), and the facts only the archive knows handed to the summaries as values
(facts.py). `recorded` is the step run and remind share: lock, open the archive (`held`), then read,
validate and store (`record`).
"""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
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
def held(out: str | Path, policy: Policy) -> Iterator[Archive]:
    """The archive of OUT, open under the run lock."""
    from .lock import WAIT, Lock
    out = Path(out)
    with Lock(out / "run.lock").acquire(WAIT), Archive(out / "archive.sqlite", policy) as archive:
        yield archive


def record(archive: Archive, source, policy: Policy, kind: str, as_of: dt.date,
           now: dt.datetime | None = None) -> Recorded:
    """Read the source, validate it as of `as_of` and store what was read (as seen at `now`, default
    after the read)."""
    from ..read import read_source
    from ..validate import validate
    from .rows import block_columns, prepare
    workbook = read_source(source)
    # The tabs' digests and cell hashes need no validation: made on the other core while the validator
    # works (hashlib, numpy and Arrow let go of the GIL), ready when the rows are hashed; into a new
    # archive, then the columns of their blocks, ready when the blocks are stored.
    with ThreadPoolExecutor(1) as pool:
        newest = archive.newest_cells()
        prepared = pool.submit(prepare, workbook, newest)
        laid_out = None if newest else pool.submit(block_columns, workbook)
        result = validate(workbook, policy, as_of)
        reading = archive.record_read(workbook, result, kind=kind, now=now, prepared=prepared.result(),
                                      columns=laid_out.result if laid_out else None)
    return Recorded(archive, result, reading, workbook)


@contextmanager
def recorded(source, policy: Policy, out: str | Path, kind: str, as_of: dt.date,
             now: dt.datetime | None = None) -> Iterator[Recorded]:
    """Under the run lock, with the archive open: `record`."""
    with held(out, policy) as archive:
        yield record(archive, source, policy, kind, as_of, now)


__all__ = ["Archive", "Facts", "Reading", "Recorded", "gather", "held", "record", "recorded"]
