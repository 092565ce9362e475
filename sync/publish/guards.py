"""Stale beats wrong: refuse to publish a run that looks like a broken sheet rather than news.

Compared with the last run that published (a refused run is no baseline, or a second run would
accept what the first refused):
  - a sheet lost more than `guards.max_row_loss` of its non-blank rows (someone deleted or sorted
    away rows, a filter hid them, a range shrank);
  - a sheet's header row changed (columns renamed, moved, inserted: figures could land in the
    wrong place);
  - a day has more than `guards.max_errors` errors (a shifted column turns every row red).
A tab that is missing altogether is not refused here: the summary already shows that sheet as
unavailable rather than as zero. `--force --reason TEXT` publishes anyway; the reason is archived.
"""
from __future__ import annotations

import datetime as dt

from ..errors import CampusDeskError
from ..policy import Policy, fold
from ..store.archive import Reading


class Refused(CampusDeskError):
    """Nothing was published; the last good outputs stand. Exit 3: neither a data error nor usage."""

    exit_code = 3


def _header(cells: list[str]) -> list[str]:
    out = [fold(c) for c in cells]
    while out and not out[-1]:
        out.pop()
    return out


def problems(reading: Reading, baseline: dict[str, tuple[list[str], int, str]], policy: Policy,
             day_errors: dict[dt.date, int]) -> list[str]:
    """Why this run must not publish, one bilingual line per reason; empty when it may."""
    limits = policy.guards
    found = []
    for name, sheet in policy.sheets.items():
        snap, before = reading.rows.get(name), baseline.get(name)
        if snap is None or before is None:
            continue
        header, n_before, when = before
        label = f"{sheet.title['zh']} {name}"
        lost = n_before - len(snap)
        if n_before and lost / n_before > limits["max_row_loss"]:
            found.append(f"{label}: {lost} of {n_before} rows ({lost / n_before:.0%}) are gone since the last "
                         f"published run ({when}); the limit is {limits['max_row_loss']:.0%} / "
                         f"自上次发布以来减少了 {lost} 行（{lost / n_before:.0%}），超过 {limits['max_row_loss']:.0%}")
        old, new = _header(header), _header(snap.header)
        if old != new:
            gone = [h for h, f in zip(header, old) if f and f not in new]
            added = [h for h, f in zip(snap.header, new) if f and f not in old]
            what = "; ".join(part for part in (f"removed {gone}" if gone else "", f"added {added}" if added else "")
                             if part) or "columns moved"
            found.append(f"{label}: the header row changed since the last published run ({when}): {what} / "
                         f"表头与上次发布时不同")
    for day, errors in sorted(day_errors.items()):
        if errors > limits["max_errors"]:
            found.append(f"{day}: {errors} errors, more than the limit of {limits['max_errors']} / "
                         f"错误 {errors} 个，超过上限 {limits['max_errors']}")
    return found


def check(reading: Reading, baseline, policy: Policy, day_errors: dict[dt.date, int],
          force: bool = False) -> list[str]:
    """Raise Refused when there are reasons and no --force; return the reasons overridden otherwise."""
    found = problems(reading, baseline, policy, day_errors)
    if found and not force:
        raise Refused("拒绝发布 / refused to publish; the last good outputs are kept (override with "
                      "--force --reason TEXT): " + " | ".join(found))
    return found
