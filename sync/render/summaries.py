"""Reading data/summaries/<date>.json back, refusing a file the pages could not show truthfully.

A summary is written by `run`, but it lives in git and can be edited by hand or copied from
another campus. Before a build (or `run`'s index of days) uses one, it is checked here with
`file: key: message`: valid JSON without NaN or Infinity and not nested beyond reason, the
public summary's contract (sync/summarize/contract.py: shapes and types), and its dates: the
file's day is its "date", and every date in it lies within the campus's `dates:`.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

from ..errors import ConfigError
from ..summarize import contract

ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def read_summaries(folder: str | Path, dates: tuple[dt.date, dt.date]) -> list[dict]:
    """Every <folder>/<date>.json, oldest first (latest.json is a copy of the newest); ConfigError
    listing every problem of every file when any is refused."""
    out, problems = [], []
    for path in sorted(Path(folder).glob("????-??-??.json")):
        try:
            out.append(read_summary(path, dates))
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        raise ConfigError(problems)
    return out


def read_summary(path: Path, dates: tuple[dt.date, dt.date]) -> dict:
    """One summary, or ConfigError with every problem found in it."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    except (OSError, ValueError, RecursionError) as exc:     # RecursionError: [[[[... nested too deep
        raise ConfigError([f"{path}: not a summary: {exc}"]) from None
    problems = dated(body, path, dates)
    try:
        contract.check(body, path)
    except ConfigError as exc:
        problems += exc.problems
    if problems:
        raise ConfigError(problems)
    return body


def dated(body, path: Path, dates: tuple[dt.date, dt.date]) -> list[str]:
    """The date problems of one summary, `file: key: message` each: the file's day is its "date",
    and every date in it (the day, the cutoff, batches) lies within `dates:`."""
    if not isinstance(body, dict):
        return []           # the contract says what it should be
    problems = []
    if body.get("date") != path.stem:
        problems.append(f"{path}: date: expected {path.stem!r}, the file's name; got {body.get('date')!r}")
    stack: list[tuple[tuple, object]] = [((), body)]
    while stack:
        keys, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((keys + (k,), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((keys + (i,), v) for i, v in enumerate(value))
        elif isinstance(value, str) and (m := ISO_DAY.match(value)) and not _within(m, dates):
            problems.append(f"{path}: {'.'.join(map(str, keys))}: {value[:10]} is outside the dates this campus "
                            f"accepts, {dates[0]} to {dates[1]}")
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{path}: {'.'.join(map(str, keys))}: expected a finite number; got {value!r}")
    return sorted(problems)


def _within(match: re.Match, dates: tuple[dt.date, dt.date]) -> bool:
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False        # 2020-02-30 is no day at all
    return dates[0] <= day <= dates[1]


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")
