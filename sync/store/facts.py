"""What the archive knows that the sheets do not, handed to the summaries as plain values.

    submitted     a unit report's blank submitted_at dated by the first read that saw the row, where
                  that settles on time or late
    late_edits    rows of a day already published that changed or vanished since, for every day of the
                  run at once
    published     the public summaries published before, by day: trends as they were published

The validator's Result is never edited: the summaries take these values beside it.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np

from ..policy import Policy
from ..validate import Result
from .archive import Archive, Reading
from .rows import named

SUBMITTED = ("unit_daily", "submitted_at")     # the sheet and column dated from the archive when blank
TREND_DAYS = 30


@dataclass
class Facts:
    submitted: dict[int, dt.datetime] = field(default_factory=dict)     # unit_daily row number -> time
    filled: list[dict] = field(default_factory=list)                    # the same, for the office
    late_edits: dict[str, list[dict]] = field(default_factory=dict)     # day -> edits
    published: dict[str, dict] = field(default_factory=dict)            # day -> public summary as published

    def edits(self, day: dt.date) -> list[dict]:
        return self.late_edits.get(day.isoformat(), [])

    def filled_on(self, day: dt.date) -> list[dict]:
        return [f for f in self.filled if f["date"] == day.isoformat()]


def gather(archive: Archive, reading: Reading, result: Result, policy: Policy, days: list[dt.date]) -> Facts:
    times, filled = submitted(archive, reading, result, policy)
    since = min(days) - dt.timedelta(days=TREND_DAYS) if days else None
    return Facts(times, filled, late_edits(archive, reading, days), archive.published(since))


def submitted(archive: Archive, reading: Reading, result: Result, policy: Policy) -> tuple[dict, list[dict]]:
    """Date unit reports whose submitted_at is blank by the run that first saw them, where that settles
    on time or late: first seen by the deadline (on time), or missed by a run after the deadline (late).
    Otherwise the time stays unknown."""
    sheet, name = SUBMITTED
    table, rows = result.tables.get(sheet), reading.rows.get(sheet)
    if table is None or rows is None or name not in table.columns:
        return {}, []
    col = table.columns[name]
    blank_text = np.array([v is None and not t.strip() for v, t in zip(col.values, col.texts)], dtype=bool)
    blank = table.live & ~table.invalid & blank_text[col.codes]
    at = np.flatnonzero(blank[rows.index])             # positions in rows
    keys = {i: rows.key(i) for i in at.tolist()}
    keys = {i: k for i, k in keys.items() if not k.startswith("#")}
    if not keys:
        return {}, []
    first = archive.first_runs(sheet, sorted(set(keys.values())))
    dates = table.columns["date"].row_values()
    times, filled = {}, []
    for i, key in sorted(keys.items(), key=lambda kv: int(rows.rows[kv[0]])):
        row, day = int(rows.rows[i]), dates[int(rows.index[i])]
        seen, before = archive.seen(sheet, first[key])
        due = dt.datetime.combine(day, policy.deadline)
        if not (seen <= due or (before is not None and before >= due)):
            continue
        times[row] = seen
        filled.append({"sheet": sheet, "row": row, "date": day.isoformat(), "key": key,
                       "submitted_at": seen.isoformat(), "timing": "on_time" if seen <= due else "late"})
    return times, filled


def late_edits(archive: Archive, reading: Reading, days: list[dt.date]) -> dict[str, list[dict]]:
    """For each day already published: the rows its first publication read that this read no longer has,
    as changed (the key is still there) or removed. One pass per publishing run, not per day."""
    wanted = [d.isoformat() for d in days]
    firsts = archive.first_publications(wanted, reading.run_id)
    by_run: dict[tuple[int, str], set[str]] = {}
    for day, (run_id, read_at) in firsts.items():
        by_run.setdefault((run_id, read_at), set()).add(day)
    present: dict[str, np.ndarray] = {}                 # each sheet's ids now, sorted when first wanted
    key_index: dict[str, dict[str, int]] = {}
    edits: dict[str, list[dict]] = {day: [] for day in firsts}
    for (run_id, published_at), run_days in sorted(by_run.items()):
        # a tab this run read with the same version ids as that run has no late edit: not even unpacked
        for sheet, header, ids, numbers in archive.reads_of(run_id, unlike=reading.run_id):
            if sheet not in present:
                present[sheet] = np.sort(reading.ids.get(sheet, np.zeros(0, dtype=np.int64)))
            now = present[sheet]
            at = np.searchsorted(now, ids).clip(max=max(len(now) - 1, 0))
            gone = np.flatnonzero(now[at] != ids) if len(now) else np.arange(len(ids))
            if not len(gone):
                continue
            stored = archive.versions(ids[gone])
            rows = reading.rows.get(sheet)
            for k in gone.tolist():
                key, day, cells = stored[int(ids[k])]
                if day not in run_days:
                    continue
                edit = {"sheet": sheet, "key": key, "published_at": published_at, "published_row": int(numbers[k]),
                        "before": named(header, cells)}
                at_now: int | None = None
                if rows is not None and rows.keys is not None and not key.startswith("#"):
                    if sheet not in key_index:
                        key_index[sheet] = {}
                        for position, row_key in enumerate(rows.key_list()):
                            key_index[sheet].setdefault(row_key, position)
                    at_now = key_index[sheet].get(key)
                if rows is not None and at_now is not None:
                    i = at_now
                    after = named(rows.header, json.loads(rows.cells(np.array([i]))[0]))
                    changed = sorted(h for h in set(edit["before"]) | set(after)
                                     if edit["before"].get(h, "") != after.get(h, ""))
                    edit.update(change="changed", row=int(rows.rows[i]), columns=changed,
                                before={h: edit["before"].get(h, "") for h in changed},
                                after={h: after.get(h, "") for h in changed})
                else:
                    edit.update(change="removed", row=None)
                edits[day].append(edit)
    return {day: sorted(found, key=lambda e: (e["sheet"], e["published_row"])) for day, found in edits.items()}
