"""The archive: every sheet every run read, and what it published, in one SQLite file (data/archive.sqlite).

It holds personal data (every cell as typed), so it lives beside data/private/, git-ignored and
owner-only (0600), and nothing in it is published.

    runs          one row per run: kind (run, remind), when it read (campus time), status (read, published,
                  refused, done), the --force reason and the guard findings it overrode
    headers       each header row ever read, once
    versions      each (sheet, row key, cells) ever read, once: the cells as a JSON list of texts
    reads         per run and sheet: the header and, in row order, the version ids and row numbers
    publications  per run: the public summary of each day it wrote
    sends         reminders sent: (day, unit, channel), so none goes out twice

Rows arrive as snapshots (snapshot.py); a "#" hash key is stored as NULL, as it names exactly one
version. A run stores only versions it has not seen before, plus two compressed arrays per sheet,
so three runs a day of 300,000 rows cost megabytes a month, not gigabytes. Versions are found by
their hash in Python, not by a unique index: random-order index inserts would make the first run
of a semester several times slower.
WAL and one transaction per write: a run killed at any moment leaves the last committed state.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..policy import Policy
from ..read.table import Column, Workbook
from ..validate import Result
from ..validate.cells import TypedColumn, as_number
from .snapshot import Snapshot, named, pack, row_key, snapshots, unpack

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, read_at TEXT NOT NULL,
    source TEXT, status TEXT NOT NULL, reason TEXT, overrode TEXT);
CREATE TABLE IF NOT EXISTS headers(id INTEGER PRIMARY KEY, cells TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS versions(id INTEGER PRIMARY KEY, sheet TEXT NOT NULL, key TEXT,
    hash BLOB NOT NULL, day TEXT, header_id INTEGER NOT NULL, cells TEXT NOT NULL, first_run INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS versions_key ON versions(sheet, key) WHERE key IS NOT NULL;
CREATE INDEX IF NOT EXISTS versions_day ON versions(sheet, day);
CREATE TABLE IF NOT EXISTS reads(run_id INTEGER NOT NULL, sheet TEXT NOT NULL, tab TEXT, source TEXT,
    header_id INTEGER NOT NULL, n_rows INTEGER NOT NULL, version_ids BLOB NOT NULL, row_numbers BLOB NOT NULL,
    PRIMARY KEY(run_id, sheet));
CREATE TABLE IF NOT EXISTS publications(run_id INTEGER NOT NULL, day TEXT NOT NULL, summary TEXT NOT NULL,
    PRIMARY KEY(run_id, day));
CREATE TABLE IF NOT EXISTS sends(day TEXT NOT NULL, unit TEXT NOT NULL, channel TEXT NOT NULL, run_id INTEGER,
    sent_at TEXT NOT NULL, PRIMARY KEY(day, unit, channel));
"""
SUBMITTED = ("unit_daily", "submitted_at")     # the sheet and column dated from the archive when blank


@dataclass
class Reading:
    run_id: int
    read_at: dt.datetime
    snapshots: dict[str, Snapshot]


class Archive:
    def __init__(self, path: str | Path, policy: Policy):
        self.path, self.policy = Path(path), policy
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))     # owner-only before SQLite opens it
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")      # a committed run survives a power cut too
        self.db.execute("PRAGMA cache_size=-65536")     # 64 MB: the first run inserts every row of the semester
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self, work, *args):
        """Run work(*args) in one IMMEDIATE transaction: all of it is stored or none."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            out = work(*args)
            self.db.execute("COMMIT")
            return out
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.policy.timezone).replace(microsecond=0)

    # -- what a run read -------------------------------------------------------------------------

    def record_read(self, workbook: Workbook, result: Result, kind: str = "run",
                    now: dt.datetime | None = None) -> Reading:
        """Store every sheet read, new versions only; the run's status is "read" until it publishes."""
        found = snapshots(workbook, result, self.policy)
        read_at = (now or self.now()).astimezone(self.policy.timezone)     # after the read: when rows were seen
        return self._write(self._store, found, kind, read_at, workbook.source)

    def _store(self, found: dict[str, Snapshot], kind: str, read_at: dt.datetime, source: str) -> Reading:
        cur = self.db.execute("INSERT INTO runs(kind, read_at, source, status) VALUES (?, ?, ?, 'read')",
                              (kind, read_at.isoformat(), source))
        run_id = cur.lastrowid
        next_id = (self.db.execute("SELECT max(id) FROM versions").fetchone()[0] or 0) + 1
        known = dict(self.db.execute("SELECT hash, id FROM versions"))     # hashes include the sheet
        for snap in found.values():
            header = json.dumps(snap.header, ensure_ascii=False)
            self.db.execute("INSERT OR IGNORE INTO headers(cells) VALUES (?)", (header,))
            header_id = self.db.execute("SELECT id FROM headers WHERE cells = ?", (header,)).fetchone()[0]
            new = []
            for i, digest in enumerate(snap.hashes):
                vid = known.get(digest)
                if vid is None:
                    vid = known[digest] = next_id
                    next_id += 1
                    key = None if snap.keys[i].startswith("#") else snap.keys[i]
                    new.append((vid, snap.sheet, key, digest, snap.days[i], header_id, snap.cells[i], run_id))
                snap.ids.append(vid)
            self.db.executemany("INSERT INTO versions(id, sheet, key, hash, day, header_id, cells, first_run) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", new)
            self.db.execute("INSERT INTO reads VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (run_id, snap.sheet, snap.tab, snap.source, header_id, len(snap.ids),
                             pack(snap.ids), pack(snap.rows)))
        return Reading(run_id, read_at, found)

    def finish(self, reading: Reading, status: str, summaries: dict[str, dict] | None = None,
               reason: str | None = None, overrode: list[str] | None = None) -> None:
        """Close a run: published (with each day's public summary), refused or done; a --force reason."""
        def work():
            self.db.execute("UPDATE runs SET status = ?, reason = ?, overrode = ? WHERE id = ?",
                            (status, reason, json.dumps(overrode, ensure_ascii=False) if overrode else None,
                             reading.run_id))
            self.db.executemany("INSERT OR REPLACE INTO publications VALUES (?, ?, ?)",
                                [(reading.run_id, day, json.dumps(body, sort_keys=True, ensure_ascii=False))
                                 for day, body in (summaries or {}).items()])
        self._write(work)

    def last_published(self, before: int) -> dict[str, tuple[list[str], int, str]]:
        """{sheet: (header, non-blank rows, read_at)} of the newest published run before run `before`."""
        row = self.db.execute("SELECT id, read_at FROM runs WHERE status = 'published' AND id < ? "
                              "ORDER BY id DESC LIMIT 1", (before,)).fetchone()
        if row is None:
            return {}
        return {sheet: (json.loads(header), n, row[1]) for sheet, header, n in self.db.execute(
            "SELECT r.sheet, h.cells, r.n_rows FROM reads r JOIN headers h ON h.id = r.header_id "
            "WHERE r.run_id = ?", (row[0],))}

    # -- submitted_at from the first run that saw a row ---------------------------------------------

    def fill_submitted_at(self, result: Result, reading: Reading) -> list[dict]:
        """Date unit reports whose submitted_at is blank by the run that first saw them, where that
        settles on time or late: first seen by the deadline (on time), or missed by a run after the
        deadline (late). Otherwise the time stays unknown. Returns what was filled, for the office."""
        sheet, name = SUBMITTED
        table, snap = result.tables.get(sheet), reading.snapshots.get(sheet)
        if table is None or snap is None or name not in table.columns:
            return []
        col = table.columns[name]
        blank = np.flatnonzero(table.live & ~table.invalid & np.array([v is None for v in col.values])[col.codes]
                               & np.array([not t.strip() for t in col.texts])[col.codes])
        key_of = {row: key for row, key in zip(snap.rows, snap.keys)}
        wanted = {table.row_number(i): i for i in blank.tolist() if not key_of.get(table.row_number(i), "#")
                  .startswith("#")}
        if not wanted:
            return []
        dates = table.columns["date"].row_values()
        keys = sorted({key_of[r] for r in wanted})
        first = dict(self.db.execute(f"SELECT key, min(first_run) FROM versions WHERE sheet = ? AND key IN "
                                     f"({','.join('?' * len(keys))}) GROUP BY key", (sheet, *keys)))
        deadline = self.policy.deadline
        codes, added, filled = col.codes.copy(), [], []
        for row, i in sorted(wanted.items()):
            key = key_of[row]
            seen, before = self._seen(sheet, first[key])
            due = dt.datetime.combine(dates[i], deadline)
            if not (seen <= due or (before is not None and before >= due)):
                continue
            codes[i] = len(col.values) + len(added)
            added.append(seen)
            filled.append({"sheet": sheet, "row": row, "date": dates[i].isoformat(), "key": key,
                           "submitted_at": seen.isoformat(),
                           "timing": "on_time" if seen <= due else "late"})
        if filled:
            table.columns[name] = _with_times(col, codes, added)
        return filled

    def _seen(self, sheet: str, run_id: int) -> tuple[dt.datetime, dt.datetime | None]:
        """When a run read, and when the run before it read the same sheet (naive, campus time)."""
        def local(text):
            return dt.datetime.fromisoformat(text).astimezone(self.policy.timezone).replace(tzinfo=None)
        seen = self.db.execute("SELECT read_at FROM runs WHERE id = ?", (run_id,)).fetchone()[0]
        before = self.db.execute("SELECT r.read_at FROM runs r JOIN reads d ON d.run_id = r.id AND d.sheet = ? "
                                 "WHERE r.id < ? ORDER BY r.id DESC LIMIT 1", (sheet, run_id)).fetchone()
        return local(seen), local(before[0]) if before else None

    # -- late edits: rows of a published day that changed or vanished since -----------------------

    def late_edits(self, reading: Reading, day: dt.date) -> list[dict]:
        first = self.db.execute("SELECT p.run_id, r.read_at FROM publications p JOIN runs r ON r.id = p.run_id "
                                "WHERE p.day = ? AND p.run_id < ? ORDER BY p.run_id LIMIT 1",
                                (day.isoformat(), reading.run_id)).fetchone()
        if first is None:
            return []
        run_id, published_at = first
        edits = []
        for sheet, ids_blob, rows_blob, header in self.db.execute(
                "SELECT d.sheet, d.version_ids, d.row_numbers, h.cells FROM reads d JOIN headers h "
                "ON h.id = d.header_id WHERE d.run_id = ? ORDER BY d.sheet", (run_id,)).fetchall():
            then = dict(zip(unpack(ids_blob), unpack(rows_blob)))
            old = [(vid, row_key(sheet, key, cells), cells) for vid, key, cells in self.db.execute(
                "SELECT id, key, cells FROM versions WHERE sheet = ? AND day = ?", (sheet, day.isoformat()))
                if vid in then]
            if not old:
                continue
            now = reading.snapshots.get(sheet)
            current = now.by_key() if now else {}
            present = set(now.ids) if now else set()
            old_header, new_header = json.loads(header), (now.header if now else [])
            for vid, key, cells in old:
                if vid in present:
                    continue
                edit = {"sheet": sheet, "key": key, "published_at": published_at, "published_row": then[vid],
                        "before": named(old_header, json.loads(cells))}
                if key in current and not key.startswith("#"):
                    i = current[key][0]
                    after = named(new_header, json.loads(now.cells[i]))
                    changed = sorted(h for h in set(edit["before"]) | set(after)
                                     if edit["before"].get(h, "") != after.get(h, ""))
                    edit.update(change="changed", row=now.rows[i], columns=changed,
                                before={h: edit["before"].get(h, "") for h in changed},
                                after={h: after.get(h, "") for h in changed})
                else:
                    edit.update(change="removed", row=None)
                edits.append(edit)
        return sorted(edits, key=lambda e: (e["sheet"], e["published_row"]))

    # -- history: every row ever read, deleted ones included ---------------------------------------
    # No job calls these two: they are the office's way into the archive (examples/operations.md),
    # and the "history for trends even after rows are deleted from a sheet" (issue 6).

    def history(self, sheet: str) -> list[dict]:
        """The newest version of every key ever read for a sheet, with `present` False for rows no
        longer in the sheet at the newest read: figures for trends survive rows deleted from a sheet."""
        last = self.db.execute("SELECT version_ids FROM reads WHERE sheet = ? ORDER BY run_id DESC LIMIT 1",
                               (sheet,)).fetchone()
        present = set(unpack(last[0])) if last else set()
        out = []
        for vid, key, day, cells, header in self.db.execute(
                "SELECT v.id, v.key, v.day, v.cells, h.cells FROM versions v JOIN headers h ON h.id = v.header_id "
                "WHERE v.sheet = ? AND (v.key IS NULL OR v.id IN (SELECT max(id) FROM versions "
                "WHERE sheet = ? AND key IS NOT NULL GROUP BY key)) ORDER BY v.id", (sheet, sheet)):
            out.append({"key": row_key(sheet, key, cells), "day": day, "present": vid in present,
                        "cells": named(json.loads(header), json.loads(cells))})
        return out

    def published(self) -> dict[str, dict]:
        """The newest public summary published for each day: the day-by-day figures of a trend, kept
        however the sheets change afterwards."""
        return {day: json.loads(body) for day, body in self.db.execute(
            "SELECT day, summary FROM publications ORDER BY run_id")}

    # -- reminders -------------------------------------------------------------------------------

    def sent(self, day: dt.date) -> set[tuple[str, str]]:
        return set(self.db.execute("SELECT unit, channel FROM sends WHERE day = ?", (day.isoformat(),)))

    def record_sent(self, day: dt.date, units: list[str], channel: str, run_id: int | None = None) -> None:
        stamp = self.now().isoformat()
        self._write(lambda: self.db.executemany("INSERT OR IGNORE INTO sends VALUES (?, ?, ?, ?, ?)",
                                                [(day.isoformat(), u, channel, run_id, stamp) for u in units]))


def _with_times(col: TypedColumn, codes: np.ndarray, added: list[dt.datetime]) -> TypedColumn:
    """`col` with the datetimes `added` as new valid distinct values, rows pointed at them by `codes`.
    TypedColumn has no public constructor for this. Its values live in the `lazy` field (public view:
    the `values` property), and a plain list there counts as already made."""
    texts = [*col.texts, *(t.isoformat(sep=" ") for t in added)]
    return replace(col, codes=codes, lazy=[*col.values, *added],
                   column=Column(pa.array(texts, type=pa.string()), codes),
                   num=np.append(col.num, [as_number(t) for t in added]),
                   error=np.append(col.error, np.zeros(len(added), dtype=bool)))


class Annotated:
    """A Digest whose public summaries count late edits and whose private detail lists them, with the
    submitted_at times the archive filled in. Everything else is the Digest's own."""

    def __init__(self, digest, archive: Archive, reading: Reading, filled: list[dict]):
        self.digest, self.archive, self.reading, self.filled = digest, archive, reading, filled
        self._edits: dict[dt.date, list[dict]] = {}

    def __getattr__(self, name):
        return getattr(self.digest, name)

    def late_edits(self, day: dt.date) -> list[dict]:
        if day not in self._edits:
            self._edits[day] = self.archive.late_edits(self.reading, day)
        return self._edits[day]

    def summary(self, day: dt.date) -> dict:
        edits = self.late_edits(day)
        by_sheet: dict[str, int] = {}
        for edit in edits:
            by_sheet[edit["sheet"]] = by_sheet.get(edit["sheet"], 0) + 1
        return {**self.digest.summary(day), "late_edits": {"count": len(edits), "by_sheet": by_sheet}}

    def private(self, day: dt.date) -> dict:
        return {**self.digest.private(day), "late_edits": self.late_edits(day),
                "submitted_at_from_archive": [f for f in self.filled if f["date"] == day.isoformat()]}

