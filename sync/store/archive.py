"""The archive: every sheet every run read, and what it published, in one SQLite file (data/archive.sqlite).

It holds personal data (every cell as typed), so it lives beside data/private/, git-ignored and
owner-only (0600), and nothing in it is published.

    runs          one row per run: kind (run, remind), when it read (campus time), status (read, published,
                  refused, done), the --force reason and the guard findings it overrode
    headers       each header row ever read, once
    versions      each (sheet, row key, cells) ever read, once: its 128-bit hash (h1, h2), the cells as a
                  JSON list of texts, the run that first read it
    reads         per run and sheet: the header and, in row order, the version ids and row numbers
    latest        per sheet: the hashes of its newest read, in the order of that read's version ids
    publications  per run: the public summary of each day it wrote
    sends         reminders sent: (day, unit, channel), so none goes out twice

Rows arrive hashed (rows.py). A read is compared with the sheet's newest read in numpy first: rows
at the same place or elsewhere in it keep their version ids without a query. Only the rest go to
SQLite, as a temporary table joined against every version ever stored (INSERT ... SELECT ... WHERE
NOT EXISTS): a re-run that changed nothing sends no row to SQLite, a day's new rows send only
those. A sheet's first read stores its rows in one go, ids counted in numpy.
WAL and one transaction per write: a run killed at any moment leaves the last committed state.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ArchiveError
from ..policy import Policy
from ..read.table import Workbook
from ..validate import Result
from .rows import Rows, hash_key, named, pack, sheet_rows, unpack

FORMAT = 3          # PRAGMA user_version: 3 = a sheet's first read in blocks, later versions in rows
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, read_at TEXT NOT NULL,
    source TEXT, status TEXT NOT NULL, reason TEXT, overrode TEXT);
CREATE TABLE IF NOT EXISTS headers(id INTEGER PRIMARY KEY, cells TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS blocks(first_id INTEGER PRIMARY KEY, sheet TEXT NOT NULL, n INTEGER NOT NULL,
    header_id INTEGER NOT NULL, first_run INTEGER NOT NULL, hashes BLOB NOT NULL, rows BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS blocks_sheet ON blocks(sheet);
CREATE TABLE IF NOT EXISTS sheets(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS row_versions(id INTEGER PRIMARY KEY, sheet_id INTEGER NOT NULL, key TEXT,
    h1 INTEGER NOT NULL, h2 INTEGER NOT NULL, day INTEGER, header_id INTEGER NOT NULL, cells TEXT NOT NULL,
    first_run INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS versions_key ON row_versions(sheet_id, key) WHERE key IS NOT NULL;
CREATE INDEX IF NOT EXISTS versions_hash ON row_versions(h1);
CREATE VIEW IF NOT EXISTS versions(id, sheet, key, day, header_id, cells, first_run) AS
    SELECT v.id, s.name, v.key, date(v.day + 1721424.5), v.header_id, v.cells, v.first_run
    FROM row_versions v JOIN sheets s ON s.id = v.sheet_id UNION ALL
    SELECT b.first_id + r.key, b.sheet, json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]'), b.header_id,
           json_extract(r.value, '$[2]'), b.first_run FROM blocks b, json_each(CAST(b.rows AS TEXT)) r;
CREATE TABLE IF NOT EXISTS reads(run_id INTEGER NOT NULL, sheet TEXT NOT NULL, tab TEXT, source TEXT,
    header_id INTEGER NOT NULL, n_rows INTEGER NOT NULL, version_ids BLOB NOT NULL, row_numbers BLOB NOT NULL,
    PRIMARY KEY(run_id, sheet));
CREATE TABLE IF NOT EXISTS latest(sheet TEXT PRIMARY KEY, run_id INTEGER NOT NULL, hashes BLOB NOT NULL,
    digest BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS publications(run_id INTEGER NOT NULL, day TEXT NOT NULL, summary TEXT NOT NULL,
    PRIMARY KEY(run_id, day));
CREATE TABLE IF NOT EXISTS sends(day TEXT NOT NULL, unit TEXT NOT NULL, channel TEXT NOT NULL, run_id INTEGER,
    sent_at TEXT NOT NULL, PRIMARY KEY(day, unit, channel));
"""
BLOCK = 65536       # versions per block: a late edit's lookup decodes at most this many
TODAY = """CREATE TEMP TABLE IF NOT EXISTS today(pos INTEGER PRIMARY KEY, h1 INTEGER NOT NULL, h2 INTEGER NOT NULL,
    key TEXT, day INTEGER, cells TEXT NOT NULL)"""


@dataclass
class Block:
    """BLOCK versions of a sheet's first read, ids from first_id on: hashes, and [key, day, cells] each."""
    first_id: int
    sheet: str
    header_id: int
    first_run: int
    hashes: np.ndarray
    entries: list

    def key(self, i: int) -> str:
        key = self.entries[i][0]
        return key if key is not None else hash_key(self.hashes[i])


@dataclass
class Reading:
    run_id: int
    read_at: dt.datetime
    rows: dict[str, Rows]               # every tab as read
    ids: dict[str, np.ndarray]          # per tab, the version id of each of its rows


def _guarded(method):
    """A damaged file surfaces as sqlite3.DatabaseError anywhere: one message naming it, never a traceback."""
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as e:
            raise self._damaged(e) from None
    return guarded


class Archive:
    def __init__(self, path: str | Path, policy: Policy):
        self.path, self.policy = Path(path), policy
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))     # owner-only before SQLite opens it
        self._check_size()
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=60)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")      # a committed run survives a power cut too
            self.db.execute("PRAGMA cache_size=-65536")     # 64 MB: the first run inserts every row of the semester
            self.db.execute("PRAGMA temp_store=MEMORY")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            old = self.db.execute("SELECT 1 FROM pragma_table_info('versions') WHERE name = 'hash'").fetchone()
            if old or version > FORMAT or 0 < version < FORMAT:
                raise ArchiveError(f"{self.path}: written by {'a newer' if version > FORMAT else 'an older'} Campus Desk "
                                   f"(archive format {1 if old else version}, this one reads {FORMAT}); keep it "
                                   f"aside and start a new one / 档案格式不符")
            self.db.executescript(SCHEMA)
            self.db.execute(TODAY)
            if version != FORMAT:
                self.db.execute(f"PRAGMA user_version = {FORMAT}")
        except sqlite3.DatabaseError as e:
            raise self._damaged(e) from None

    def _check_size(self) -> None:
        """A file cut short (a copy that stopped half-way) is refused before SQLite writes into it."""
        with open(self.path, "rb") as f:
            head = f.read(100)
        if not head:
            return
        if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
            raise self._damaged("not an SQLite database")
        page = int.from_bytes(head[16:18], "big")
        page = 65536 if page == 1 else page
        pages = int.from_bytes(head[28:32], "big")
        if pages and self.path.stat().st_size < pages * page:
            raise self._damaged(f"{self.path.stat().st_size} bytes where its header says {pages * page}")

    def _damaged(self, why) -> ArchiveError:
        return ArchiveError(f"{self.path}: the archive is damaged ({why}); restore the last good copy "
                            f"(README: the archive) or move it aside to start a new one / 档案文件已损坏")

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

    @_guarded
    def record_read(self, workbook: Workbook, result: Result, kind: str = "run",
                    now: dt.datetime | None = None) -> Reading:
        """Store every tab read, new versions only; the run's status is "read" until it publishes."""
        known = {sheet: (digest, hashes) for sheet, digest, hashes in
                 self.db.execute("SELECT sheet, digest, hashes FROM latest")}
        found = sheet_rows(workbook, result, known)
        read_at = (now or self.now()).astimezone(self.policy.timezone)     # after the read: when rows were seen
        return self._write(self._store, found, kind, read_at, workbook.source)

    def _store(self, found: dict[str, Rows], kind: str, read_at: dt.datetime, source: str) -> Reading:
        cur = self.db.execute("INSERT INTO runs(kind, read_at, source, status) VALUES (?, ?, ?, 'read')",
                              (kind, read_at.isoformat(), source))
        run_id = int(cur.lastrowid or 0)
        ids = {}
        for rows in found.values():
            header = json.dumps(rows.header, ensure_ascii=False)
            self.db.execute("INSERT OR IGNORE INTO headers(cells) VALUES (?)", (header,))
            header_id = self.db.execute("SELECT id FROM headers WHERE cells = ?", (header,)).fetchone()[0]
            ids[rows.sheet], packed = self._versions(rows, run_id, header_id)
            self.db.execute("INSERT INTO reads VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (run_id, rows.sheet, rows.tab, rows.source, header_id, len(rows), *packed))
        return Reading(run_id, read_at, found, ids)

    def _versions(self, rows: Rows, run_id: int, header_id: int) -> tuple[np.ndarray, tuple[bytes, bytes]]:
        """The version id of every row, storing the versions never seen before; the ids and row numbers
        packed for the read (the newest read's own when the same: a re-run compresses nothing)."""
        last = self.db.execute("SELECT l.hashes, d.version_ids, d.row_numbers FROM latest l JOIN reads d ON "
                               "d.run_id = l.run_id AND d.sheet = l.sheet WHERE l.sheet = ?", (rows.sheet,)).fetchone()
        if last is None:
            ids = self._first(rows, run_id, header_id)
            packed = pack(ids), pack(rows.rows)
        else:
            old = np.frombuffer(last[0], dtype=np.uint64).reshape(-1, 2)
            ids, rest = _matched(rows.hashes, old, unpack(last[1]))       # rows where they were, or moved
            if len(rest):                                                  # versions stored in blocks
                found, missing = _matched(rows.hashes[rest], *self._block_hashes(rows.sheet))
                ids[rest] = found
                rest = rest[missing]
            if len(rest):
                ids[rest] = self._join(rows, rest, run_id, header_id)
            same = len(old) == len(rows) and bool((old == rows.hashes).all())
            packed = (last[1] if same else pack(ids),
                      last[2] if np.array_equal(unpack(last[2]), rows.rows) else pack(rows.rows))
            if same:
                self.db.execute("UPDATE latest SET run_id = ?, digest = ? WHERE sheet = ?",
                                (run_id, rows.digest, rows.sheet))
                return ids, packed
        self.db.execute("INSERT OR REPLACE INTO latest VALUES (?, ?, ?, ?)",
                        (rows.sheet, run_id, rows.hashes.tobytes(), rows.digest))
        return ids, packed

    def _sheet_id(self, sheet: str) -> int | None:
        row = self.db.execute("SELECT id FROM sheets WHERE name = ?", (sheet,)).fetchone()
        return row[0] if row else None

    def _next_id(self) -> int:
        return 1 + (self.db.execute("SELECT max(m) FROM (SELECT max(id) AS m FROM row_versions UNION ALL "
                                    "SELECT max(first_id + n - 1) FROM blocks)").fetchone()[0] or 0)

    def _block_hashes(self, sheet: str) -> tuple[np.ndarray, np.ndarray]:
        """The hashes and ids of every version of a sheet stored in blocks."""
        hashes, ids = [np.zeros((0, 2), dtype=np.uint64)], [np.zeros(0, dtype=np.int64)]
        for first_id, n, blob in self.db.execute("SELECT first_id, n, hashes FROM blocks WHERE sheet = ?", (sheet,)):
            hashes.append(np.frombuffer(blob, dtype=np.uint64).reshape(-1, 2))
            ids.append(np.arange(first_id, first_id + n, dtype=np.int64))
        return np.concatenate(hashes), np.concatenate(ids)

    def _join(self, rows: Rows, rest: np.ndarray, run_id: int, header_id: int) -> np.ndarray:
        """Rows found neither in the sheet's newest read nor in its blocks: the versions among them never
        stored are inserted in one statement against every version stored row by row, then every row's id
        is read back."""
        signed = rows.hashes[rest].view(np.int64)
        keys = rows.keys.take(rest).to_pylist() if rows.keys is not None else [None] * len(rest)
        self.db.execute("DELETE FROM temp.today")
        self.db.executemany("INSERT INTO temp.today VALUES (?, ?, ?, ?, ?, ?)",
                            zip(range(len(rest)), signed[:, 0].tolist(), signed[:, 1].tolist(), keys,
                                _ordinals(rows, rest), rows.cells(rest)))
        self.db.execute("INSERT OR IGNORE INTO sheets(name) VALUES (?)", (rows.sheet,))
        self.db.execute("INSERT INTO row_versions SELECT ? + row_number() OVER (ORDER BY pos) - 1, ?, key, h1, h2, "
                        "day, ?, cells, ? FROM (SELECT min(pos) AS pos, key, h1, h2, day, cells FROM temp.today t "
                        "WHERE NOT EXISTS (SELECT 1 FROM row_versions v WHERE v.h1 = t.h1 AND v.h2 = t.h2) "
                        "GROUP BY h1, h2)", (self._next_id(), self._sheet_id(rows.sheet), header_id, run_id))
        found = np.array(self.db.execute("SELECT t.pos, v.id FROM temp.today t JOIN row_versions v ON v.h1 = t.h1 "
                                         "AND v.h2 = t.h2").fetchall(), dtype=np.int64).reshape(-1, 2)
        ids = np.zeros(len(rest), dtype=np.int64)
        ids[found[:, 0]] = found[:, 1]
        return ids

    def _first(self, rows: Rows, run_id: int, header_id: int) -> np.ndarray:
        """A sheet read for the first time (a semester's rows at once): nothing to join against (hashes
        include the sheet), so its distinct rows are numbered here and stored in blocks of BLOCK versions,
        a few records in all rather than one per row."""
        if not len(rows):
            return np.zeros(0, dtype=np.int64)
        _, first, inverse = np.unique(rows.hashes[:, 0], return_index=True, return_inverse=True)
        if (rows.hashes[first[inverse.ravel()], 1] != rows.hashes[:, 1]).any():     # never seen: h1 alike, h2 not
            pairs = np.ascontiguousarray(rows.hashes).view([("a", "<u8"), ("b", "<u8")]).ravel()
            _, first, inverse = np.unique(pairs, return_index=True, return_inverse=True)
        order = np.argsort(first)                     # versions numbered in row order
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        start, new = self._next_id(), first[order]
        self.db.executemany("INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?, ?)", (
            (start + k, rows.sheet, len(part), header_id, run_id, np.ascontiguousarray(rows.hashes[part]).tobytes(),
             rows.entries(part)) for k, part in ((k, new[k:k + BLOCK]) for k in range(0, len(new), BLOCK))))
        return start + rank[inverse.ravel()]

    @_guarded
    def finish(self, reading: Reading, status: str, summaries: dict[str, dict] | None = None,
               reason: str | None = None, overrode: list[str] | None = None) -> None:
        """Close a run: published (with each day's public summary), refused or done; a --force reason."""
        def work():
            self.db.execute("UPDATE runs SET status = ?, reason = ?, overrode = ? WHERE id = ?",
                            (status, reason, json.dumps(overrode, ensure_ascii=False, allow_nan=False) if overrode else None,
                             reading.run_id))
            self.db.executemany("INSERT OR REPLACE INTO publications VALUES (?, ?, ?)",
                                [(reading.run_id, day, json.dumps(body, sort_keys=True, ensure_ascii=False, allow_nan=False))
                                 for day, body in (summaries or {}).items()])
        self._write(work)

    @_guarded
    def last_published(self, before: int) -> dict[str, tuple[list[str], int, str]]:
        """{sheet: (header, non-blank rows, read_at)} of the newest published run before run `before`."""
        row = self.db.execute("SELECT id, read_at FROM runs WHERE status = 'published' AND id < ? "
                              "ORDER BY id DESC LIMIT 1", (before,)).fetchone()
        if row is None:
            return {}
        return {sheet: (json.loads(header), n, row[1]) for sheet, header, n in self.db.execute(
            "SELECT r.sheet, h.cells, r.n_rows FROM reads r JOIN headers h ON h.id = r.header_id "
            "WHERE r.run_id = ?", (row[0],))}

    # -- facts for the summaries (facts.py) ------------------------------------------------------

    @_guarded
    def first_runs(self, sheet: str, keys: list[str]) -> dict[str, int]:
        """The run that first read any version of each key."""
        out: dict[str, int] = {}
        for k in range(0, len(keys), 500):
            part = keys[k:k + 500]
            out.update(self.db.execute(f"SELECT key, min(first_run) FROM row_versions WHERE sheet_id = ? AND key IN "
                                       f"({','.join('?' * len(part))}) GROUP BY key", (self._sheet_id(sheet), *part)))
        wanted = set(keys)
        for block in self._blocks("sheet = ?", (sheet,)):
            for key, _, _ in block.entries:
                if key in wanted and (key not in out or block.first_run < out[key]):
                    out[key] = block.first_run
        return out

    def _blocks(self, where: str, args: tuple) -> list["Block"]:
        return [Block(first_id, sheet, header_id, first_run, np.frombuffer(hashes, dtype=np.uint64).reshape(-1, 2),
                      json.loads(entries))
                for first_id, sheet, header_id, first_run, hashes, entries in self.db.execute(
                    f"SELECT first_id, sheet, header_id, first_run, hashes, rows FROM blocks WHERE {where} "
                    f"ORDER BY first_id", args)]

    @_guarded
    def seen(self, sheet: str, run_id: int) -> tuple[dt.datetime, dt.datetime | None]:
        """When a run read, and when the run before it read the same sheet (naive, campus time)."""
        def local(text):
            return dt.datetime.fromisoformat(text).astimezone(self.policy.timezone).replace(tzinfo=None)
        seen = self.db.execute("SELECT read_at FROM runs WHERE id = ?", (run_id,)).fetchone()[0]
        before = self.db.execute("SELECT r.read_at FROM runs r JOIN reads d ON d.run_id = r.id AND d.sheet = ? "
                                 "WHERE r.id < ? ORDER BY r.id DESC LIMIT 1", (sheet, run_id)).fetchone()
        return local(seen), local(before[0]) if before else None

    @_guarded
    def first_publications(self, days: list[str], before: int) -> dict[str, tuple[int, str]]:
        """{day: (run id, read_at)} of the first run before run `before` that published each day."""
        out = {}
        for day, run_id, read_at in self.db.execute(
                "SELECT p.day, p.run_id, r.read_at FROM publications p JOIN runs r ON r.id = p.run_id "
                "WHERE p.run_id < ? ORDER BY p.run_id", (before,)):
            if day in days and day not in out:
                out[day] = (run_id, read_at)
        return out

    @_guarded
    def reads_of(self, run_id: int) -> list[tuple[str, list[str], np.ndarray, np.ndarray]]:
        """(sheet, header, version ids, row numbers) of every tab a run read."""
        return [(sheet, json.loads(header), unpack(ids), unpack(numbers)) for sheet, ids, numbers, header in
                self.db.execute("SELECT d.sheet, d.version_ids, d.row_numbers, h.cells FROM reads d JOIN headers h "
                                "ON h.id = d.header_id WHERE d.run_id = ? ORDER BY d.sheet", (run_id,))]

    @_guarded
    def versions(self, ids: np.ndarray) -> dict[int, tuple[str, str | None, list[str]]]:
        """{id: (row key, day, cells)} of the given versions."""
        out, wanted = {}, ids.tolist()
        asked = set(wanted)
        for k in range(0, len(wanted), 500):
            part = wanted[k:k + 500]
            for vid, key, h1, h2, day, cells in self.db.execute(
                    f"SELECT id, key, h1, h2, day, cells FROM row_versions WHERE id IN ({','.join('?' * len(part))})",
                    part):
                out[vid] = (key if key is not None else _hash_key(h1, h2), _day(day), json.loads(cells))
        starts = [first for (first,) in self.db.execute("SELECT first_id FROM blocks ORDER BY first_id")]
        inside = sorted({starts[i - 1] for i in np.searchsorted(starts, [v for v in wanted if v not in out],
                                                                side="right").tolist() if i})
        for first in inside:                      # only the blocks holding a wanted id are decoded
            for block in self._blocks("first_id = ?", (first,)):
                for i, (key, day, cells) in enumerate(block.entries):
                    if block.first_id + i in asked:
                        out[block.first_id + i] = (block.key(i), day, cells)
        return out

    # -- history: every row ever read, deleted ones included ---------------------------------------

    @_guarded
    def history(self, sheet: str) -> list[dict]:
        """The newest version of every key ever read for a sheet, with `present` False for rows no
        longer in the sheet at the newest read: figures for trends survive rows deleted from a sheet."""
        last = self.db.execute("SELECT version_ids FROM reads WHERE sheet = ? ORDER BY run_id DESC LIMIT 1",
                               (sheet,)).fetchone()
        present = set(unpack(last[0]).tolist()) if last else set()
        headers = dict(self.db.execute("SELECT id, cells FROM headers"))
        stored = [(block.first_id + i, key, block.key(i), day, block.header_id, cells)
                  for block in self._blocks("sheet = ?", (sheet,)) for i, (key, day, cells) in enumerate(block.entries)]
        stored += [(vid, key, key if key is not None else _hash_key(h1, h2), _day(day), header_id, json.loads(cells))
                   for vid, key, h1, h2, day, header_id, cells in self.db.execute(
                       "SELECT id, key, h1, h2, day, header_id, cells FROM row_versions WHERE sheet_id = ? ORDER BY id",
                       (self._sheet_id(sheet),))]
        stored.sort(key=lambda version: version[0])
        newest = {key: vid for vid, key, *_ in stored if key is not None}       # ids ascend: the last wins
        return [{"key": name, "day": day, "present": vid in present,
                 "cells": named(json.loads(headers[header_id]), cells)}
                for vid, key, name, day, header_id, cells in stored if key is None or newest[key] == vid]

    @_guarded
    def published(self, since: dt.date | None = None) -> dict[str, dict]:
        """The newest public summary published for each day (from `since` on): the day-by-day figures
        of a trend as they were published, however the sheets change afterwards."""
        return {day: json.loads(body) for day, body in self.db.execute(
            "SELECT day, summary FROM publications WHERE day >= ? ORDER BY run_id",
            ((since or dt.date.min).isoformat(),))}

    # -- reminders -------------------------------------------------------------------------------

    @_guarded
    def sent(self, day: dt.date) -> set[tuple[str, str]]:
        return set(self.db.execute("SELECT unit, channel FROM sends WHERE day = ?", (day.isoformat(),)))

    @_guarded
    def record_sent(self, day: dt.date, units: list[str], channel: str, run_id: int | None = None) -> None:
        stamp = self.now().isoformat()
        self._write(lambda: self.db.executemany("INSERT OR IGNORE INTO sends VALUES (?, ?, ?, ?, ?)",
                                                [(day.isoformat(), u, channel, run_id, stamp) for u in units]))


def _ordinals(rows: Rows, at: np.ndarray) -> list[int | None]:
    """Row days as day ordinals (the view shows them as dates), None where none."""
    if rows.days is None:
        return [None] * len(at)
    return [d if d > 0 else None for d in rows.days[at].tolist()]


def _day(ordinal: int | None) -> str | None:
    return dt.date.fromordinal(ordinal).isoformat() if ordinal else None


def _hash_key(h1: int, h2: int) -> str:
    return hash_key(np.array([h1, h2], dtype=np.int64).view(np.uint64))


def _matched(hashes: np.ndarray, known: np.ndarray, known_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The id of each hash among known versions (0 where none) and the positions of those not found: at
    the same place first (the usual case: rows where they were), then anywhere (moved)."""
    ids = np.zeros(len(hashes), dtype=np.int64)
    k = min(len(hashes), len(known))
    same = np.zeros(len(hashes), dtype=bool)
    same[:k] = (hashes[:k] == known[:k]).all(axis=1)
    ids[same] = known_ids[:k][same[:k]]
    rest = np.flatnonzero(~same)
    if len(rest) and len(known):
        order = np.argsort(known[:, 0], kind="stable")
        at = order[np.searchsorted(known[order, 0], hashes[rest, 0]).clip(max=len(known) - 1)]
        hit = (known[at] == hashes[rest]).all(axis=1)
        ids[rest[hit]] = known_ids[at[hit]]
        rest = rest[~hit]
    return ids, rest
