"""The archive: every sheet every run read, and what it published, in one SQLite file (data/archive.sqlite).

It holds personal data (every cell as typed), so it lives beside data/private/, git-ignored and
owner-only (0600), and nothing in it is published.

    runs          one row per run: kind (run, remind), when it read (campus time), status (read, published,
                  refused, done), the --force reason and the guard findings it overrode
    headers       each header row ever read, once
    blocks, row_versions, sheets, the versions view: each version of a row ever read, once (versions.py)
    reads         per run and sheet: the header and, in row order, the version ids and row numbers
    latest        per sheet: the hashes of its newest read, in the order of that read's version ids, the
                  digest of what they were made from and that of the tab's cells alone (rows.py)
    publications  per run: the public summary of each day it wrote
    outputs       per published run: its run key and the state of every file it left, and the newest
                  version id then (publish/unchanged.py: a re-run of the same inputs writes nothing)
    sends         reminders sent: (day, unit, channel), so none goes out twice

Rows arrive hashed (rows.py); a tab whose digest is its newest read's keeps that read's hashes.
WAL and one transaction per write: a run killed at any moment leaves the last committed state.
Format 4 since the blocks are Arrow streams (format 3 kept them as JSON, and formats 2 and 3 are carried
over when opened); `outputs` is a table of its own, made when missing.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ArchiveError
from ..policy import Policy
from ..read.table import Workbook
from ..validate import Result
from . import versions
from .rows import Prepared, Rows, sheet_rows, unpack

FORMAT = 4          # PRAGMA user_version: 3 = a sheet's first read in JSON blocks, later versions in rows; 4 = Arrow blocks
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, read_at TEXT NOT NULL,
    source TEXT, status TEXT NOT NULL, reason TEXT, overrode TEXT);
CREATE TABLE IF NOT EXISTS headers(id INTEGER PRIMARY KEY, cells TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS reads(run_id INTEGER NOT NULL, sheet TEXT NOT NULL, tab TEXT, source TEXT,
    header_id INTEGER NOT NULL, n_rows INTEGER NOT NULL, version_ids BLOB NOT NULL, row_numbers BLOB NOT NULL,
    PRIMARY KEY(run_id, sheet));
CREATE TABLE IF NOT EXISTS latest(sheet TEXT PRIMARY KEY, run_id INTEGER NOT NULL, hashes BLOB NOT NULL,
    digest BLOB NOT NULL, cells_digest BLOB NOT NULL DEFAULT x'');
CREATE TABLE IF NOT EXISTS publications(run_id INTEGER NOT NULL, day TEXT NOT NULL, summary TEXT NOT NULL,
    PRIMARY KEY(run_id, day));
CREATE TABLE IF NOT EXISTS outputs(run_id INTEGER PRIMARY KEY, key TEXT NOT NULL, last_version INTEGER NOT NULL,
    record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sends(day TEXT NOT NULL, unit TEXT NOT NULL, channel TEXT NOT NULL, run_id INTEGER,
    sent_at TEXT NOT NULL, PRIMARY KEY(day, unit, channel));
"""
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
        self._fresh = self._check_size()
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=60)
            if self._fresh:
                # A block is megabytes of JSON in a chain of overflow pages: at 16 KiB a quarter as many pages as
                # at SQLite's 4 KiB to write. An archive keeps the page size it was made with.
                self.db.execute("PRAGMA page_size=16384")
            # A new archive's first write (a semester's rows) goes through the rollback journal, which keeps
            # nothing of pages the file never had: written once, not to the WAL and again to the file. WAL
            # from its first commit on (_write).
            self.db.execute(f"PRAGMA journal_mode={'DELETE' if self._fresh else 'WAL'}")
            self.db.execute("PRAGMA synchronous=FULL")      # a committed run survives a power cut too
            # 64 MB for the joins of later rows against every row version stored; a new archive's first write,
            # blocks of overflow pages written once, needs none of it (and each page of it is memory to clear)
            self.db.execute(f"PRAGMA cache_size={-8192 if self._fresh else -65536}")
            self.db.execute("PRAGMA temp_store=MEMORY")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            old = self.db.execute("SELECT 1 FROM pragma_table_info('versions') WHERE name = 'hash'").fetchone()
            if version == 2:
                self._write(versions.from_format_2, self.db)
                version = 3
            if version == 3:
                self._write(versions.from_format_3, self.db)
                version = FORMAT
            if old or version > FORMAT or 0 < version < FORMAT:
                raise ArchiveError(f"{self.path}: written by {'a newer' if version > FORMAT else 'an older'} Campus Desk "
                                   f"(archive format {1 if old else version}, this one reads {FORMAT}); keep it "
                                   f"aside and start a new one / 档案格式不符")
            self.db.executescript(SCHEMA + versions.SCHEMA)
            self.db.execute(versions.TODAY)
            if version != FORMAT:
                self.db.execute(f"PRAGMA user_version = {FORMAT}")
        except sqlite3.DatabaseError as e:
            raise self._damaged(e) from None

    def _check_size(self) -> bool:
        """A file cut short (a copy that stopped half-way) is refused before SQLite writes into it.
        True: an empty file, a new archive."""
        with open(self.path, "rb") as f:
            head = f.read(100)
        if not head:
            return True
        if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
            raise self._damaged("not an SQLite database")
        page = int.from_bytes(head[16:18], "big")
        page = 65536 if page == 1 else page
        pages = int.from_bytes(head[28:32], "big")
        if pages and self.path.stat().st_size < pages * page:
            raise self._damaged(f"{self.path.stat().st_size} bytes where its header says {pages * page}")
        return False

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
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        if self._fresh:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA cache_size=-65536")
            self._fresh = False
        return out

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.policy.timezone).replace(microsecond=0)

    # -- what a run read -------------------------------------------------------------------------

    @_guarded
    def record_read(self, workbook: Workbook, result: Result, kind: str = "run", now: dt.datetime | None = None,
                    prepared: dict[int, Prepared] | None = None,
                    columns: Callable[[], dict[int, dict]] | None = None) -> Reading:
        """Store every tab read, new versions only; the run's status is "read" until it publishes.
        prepared, columns: the tabs' digests and cell sums, and the columns of their blocks, made
        beforehand (rows.prepare, rows.block_columns)."""
        known = {sheet: (digest, hashes) for sheet, digest, hashes in
                 self.db.execute("SELECT sheet, digest, hashes FROM latest")}
        found = sheet_rows(workbook, result, known, prepared, columns)
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
            ids[rows.sheet], packed = versions.store(self.db, rows, run_id, header_id)
            self.db.execute("INSERT INTO reads VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (run_id, rows.sheet, rows.tab, rows.source, header_id, len(rows), *packed))
        return Reading(run_id, read_at, found, ids)

    @_guarded
    def finish(self, reading: Reading, status: str, summaries: dict[str, dict] | None = None,
               reason: str | None = None, overrode: list[str] | None = None,
               outputs: tuple[str, dict] | None = None) -> None:
        """Close a run: published (with each day's public summary), unchanged (a re-run that wrote nothing),
        refused or done; a --force reason; outputs: the run key and what the run left on disk, kept
        with the newest version id, in the same transaction."""
        def work():
            if outputs is not None:
                self.db.execute("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?)",
                                (reading.run_id, outputs[0], versions.last_id(self.db),
                                 json.dumps(outputs[1], sort_keys=True, ensure_ascii=False, allow_nan=False)))
            self.db.execute("UPDATE runs SET status = ?, reason = ?, overrode = ? WHERE id = ?",
                            (status, reason, json.dumps(overrode, ensure_ascii=False, allow_nan=False) if overrode else None,
                             reading.run_id))
            self.db.executemany("INSERT OR REPLACE INTO publications VALUES (?, ?, ?)",
                                [(reading.run_id, day, json.dumps(body, sort_keys=True, ensure_ascii=False, allow_nan=False))
                                 for day, body in (summaries or {}).items()])
        self._write(work)

    @_guarded
    def newest_cells(self) -> set[bytes]:
        """The cells digests of every sheet's newest read (rows.prepare leaves those tabs unhashed)."""
        return {digest for (digest,) in self.db.execute("SELECT cells_digest FROM latest")}

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

    @_guarded
    def last_outputs(self, before: int | None = None) -> tuple[int, str, int, dict] | None:
        """(run id, run key, newest version id then, record) of the newest published run (before run
        `before`), None when that run kept no record (or there is none)."""
        row = self.db.execute("SELECT o.run_id, o.key, o.last_version, o.record FROM runs r JOIN outputs o ON "
                              "o.run_id = r.id WHERE r.id = (SELECT max(id) FROM runs WHERE status = 'published' "
                              "AND id < ?)", (2**63 - 1 if before is None else before,)).fetchone()
        return (row[0], row[1], row[2], json.loads(row[3])) if row else None

    @_guarded
    def only_repeats_since(self, run_id: int) -> bool:
        """Every run after run `run_id` wrote nothing and read what it read (status unchanged): no
        remind, refused or broken-off run has read anything else since."""
        return self.db.execute("SELECT count(*) FROM runs WHERE id > ? AND status != 'unchanged'",
                               (run_id,)).fetchone()[0] == 0

    @_guarded
    def record_repeat(self, run_id: int, kind: str = "run") -> int:
        """A run found, before reading, to repeat run `run_id` (publish/unchanged.py): stored as a read
        that stores nothing new is, its reads that run's and the newest read of those sheets its own,
        with that run's --force reason and overridden guards; status unchanged. Its id."""
        def work() -> int:
            source, reason, overrode = self.db.execute("SELECT source, reason, overrode FROM runs WHERE id = ?",
                                                       (run_id,)).fetchone()
            cur = self.db.execute("INSERT INTO runs(kind, read_at, source, status, reason, overrode) "
                                  "VALUES (?, ?, ?, 'unchanged', ?, ?)",
                                  (kind, self.now().isoformat(), source, reason, overrode))
            new = int(cur.lastrowid or 0)
            self.db.execute("INSERT INTO reads SELECT ?, sheet, tab, source, header_id, n_rows, version_ids, "
                            "row_numbers FROM reads WHERE run_id = ?", (new, run_id))
            self.db.execute("UPDATE latest SET run_id = ? WHERE sheet IN (SELECT sheet FROM reads WHERE run_id = ?)",
                            (new, run_id))
            return new
        return self._write(work)

    @_guarded
    def last_version(self) -> int:
        """The newest version id stored (ids only grow: an equal one means nothing new was stored)."""
        return versions.last_id(self.db)

    # -- facts for the summaries (facts.py) ------------------------------------------------------

    @_guarded
    def first_runs(self, sheet: str, keys: list[str]) -> dict[str, int]:
        """The run that first read any version of each key."""
        return versions.first_runs(self.db, sheet, keys)

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
    def reads_of(self, run_id: int, unlike: int | None = None) -> list[tuple[str, list[str], np.ndarray, np.ndarray]]:
        """(sheet, header, version ids, row numbers) of every tab a run read; with `unlike`, only the tabs
        whose version ids differ from that run's read of the same sheet (compared packed, in SQLite)."""
        return [(sheet, json.loads(header), unpack(ids), unpack(numbers)) for sheet, ids, numbers, header in
                self.db.execute("SELECT d.sheet, d.version_ids, d.row_numbers, h.cells FROM reads d JOIN headers h "
                                "ON h.id = d.header_id LEFT JOIN reads n ON n.run_id = ? AND n.sheet = d.sheet "
                                "WHERE d.run_id = ? AND (n.version_ids IS NULL OR n.version_ids != d.version_ids) "
                                "ORDER BY d.sheet", (unlike, run_id))]

    @_guarded
    def versions(self, ids: np.ndarray) -> dict[int, tuple[str, str | None, list[str]]]:
        """{id: (row key, day, cells)} of the given versions."""
        return versions.lookup(self.db, ids)

    # -- history: every row ever read, deleted ones included ---------------------------------------

    @_guarded
    def history(self, sheet: str) -> list[dict]:
        """The newest version of every key ever read for a sheet, with `present` False for rows no
        longer in the sheet at the newest read: figures for trends survive rows deleted from a sheet."""
        return versions.history(self.db, sheet)

    @_guarded
    def listing(self, sheet: str | None = None) -> list[dict]:
        """Every version of every row read (of one sheet), blocks and rows alike, by sheet and id."""
        return [v for name in ([sheet] if sheet else versions.sheets(self.db)) for v in versions.listing(self.db, name)]

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
