"""How the archive keeps the versions of rows: a sheet's first read (a semester's rows at once) in
blocks, later versions row by row, one id space for both, and the `versions` view over them.

    blocks        blocks.BLOCK versions of a sheet's first read, ids first_id .. first_id + n - 1: their hashes as one
                  blob, their keys, days and cells as one Arrow IPC stream (blocks.py)
    row_versions  each version first read after its sheet's first read: its 128-bit hash (h1, h2), the
                  sheet (sheets.id), key, day (ordinal), the cells as a JSON list of texts, the run
    versions      a view of both in plain SQL: id, sheet, key, day, header_id, cells, first_run, stored ('row'
                  or 'block'); key, day and cells of a block's versions are in its Arrow stream, so NULL
                  here (`python -m sync versions` prints both kinds)

A read is matched with the sheet's newest read in numpy first (rows at the same place or moved keep
their ids), then with its blocks; only the rest go to SQLite, as a temporary table joined against
every row version stored (INSERT ... SELECT ... WHERE NOT EXISTS). A re-run that changed nothing
sends no row to SQLite; a day's new rows send only those.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa

from . import blocks
from .hashing import hash_key
from .rows import Rows, named, pack, unpack

SCHEMA = """
CREATE TABLE IF NOT EXISTS blocks(first_id INTEGER PRIMARY KEY, sheet TEXT NOT NULL, n INTEGER NOT NULL,
    header_id INTEGER NOT NULL, first_run INTEGER NOT NULL, hashes BLOB NOT NULL, rows BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS blocks_sheet ON blocks(sheet);
CREATE TABLE IF NOT EXISTS sheets(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS row_versions(id INTEGER PRIMARY KEY, sheet_id INTEGER NOT NULL, key TEXT,
    h1 INTEGER NOT NULL, h2 INTEGER NOT NULL, day INTEGER, header_id INTEGER NOT NULL, cells TEXT NOT NULL,
    first_run INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS versions_key ON row_versions(sheet_id, key) WHERE key IS NOT NULL;
CREATE INDEX IF NOT EXISTS versions_hash ON row_versions(h1);
CREATE VIEW IF NOT EXISTS versions(id, sheet, key, day, header_id, cells, first_run, stored) AS
    SELECT v.id, s.name, v.key, date(v.day + 1721424.5), v.header_id, v.cells, v.first_run, 'row'
    FROM row_versions v JOIN sheets s ON s.id = v.sheet_id UNION ALL
    SELECT * FROM (WITH RECURSIVE ids(first_id, i) AS (SELECT first_id, 0 FROM blocks WHERE n > 0 UNION ALL
                       SELECT ids.first_id, ids.i + 1 FROM ids JOIN blocks b USING (first_id) WHERE ids.i + 1 < b.n)
                   SELECT b.first_id + ids.i, b.sheet, NULL, NULL, b.header_id, NULL, b.first_run, 'block'
                   FROM ids JOIN blocks b USING (first_id));
"""
TODAY = """CREATE TEMP TABLE IF NOT EXISTS today(pos INTEGER PRIMARY KEY, h1 INTEGER NOT NULL, h2 INTEGER NOT NULL,
    key TEXT, day INTEGER, cells TEXT NOT NULL)"""


@dataclass
class Block:
    """blocks.BLOCK versions of a sheet's first read, ids from first_id on: hashes, and (key, day, cells) each."""
    first_id: int
    sheet: str
    header_id: int
    first_run: int
    hashes: np.ndarray
    blob: bytes

    @cached_property
    def entries(self) -> list[blocks.Entry]:
        return blocks.decode(self.blob)

    def key(self, i: int) -> str:
        key = self.entries[i][0]
        return key if key is not None else hash_key(self.hashes[i])


def store(db: sqlite3.Connection, rows: Rows, run_id: int, header_id: int) -> tuple[np.ndarray, tuple[bytes, bytes]]:
    """The version id of every row, storing the versions never seen before; the ids and row numbers
    packed for the read (the newest read's own when the same: a re-run compresses nothing)."""
    last = db.execute("SELECT l.digest, d.version_ids, d.row_numbers FROM latest l JOIN reads d ON "
                      "d.run_id = l.run_id AND d.sheet = l.sheet WHERE l.sheet = ?", (rows.sheet,)).fetchone()
    if last is None:
        ids = _first(db, rows, run_id, header_id)
        packed = pack(ids), pack(rows.rows)
    elif rows.digest and last[0] == rows.digest:
        # the tab as at its newest read: its hashes are that read's (rows.py), so are its version ids
        ids, same = unpack(last[1]), True
    else:
        old = np.frombuffer(db.execute("SELECT hashes FROM latest WHERE sheet = ?", (rows.sheet,)).fetchone()[0],
                            dtype=np.uint64).reshape(-1, 2)
        ids, rest = _matched(rows.hashes, old, unpack(last[1]))       # rows where they were, or moved
        if len(rest):                                                  # versions stored in blocks
            found, missing = _matched(rows.hashes[rest], *_block_hashes(db, rows.sheet))
            ids[rest] = found
            rest = rest[missing]
        if len(rest):
            ids[rest] = _join(db, rows, rest, run_id, header_id)
        same = len(old) == len(rows) and bool((old == rows.hashes).all())
    if last is not None:
        packed = (last[1] if same else pack(ids),
                  last[2] if np.array_equal(unpack(last[2]), rows.rows) else pack(rows.rows))
        if same:
            db.execute("UPDATE latest SET run_id = ?, digest = ?, cells_digest = ? WHERE sheet = ?",
                       (run_id, rows.digest, rows.cells_digest, rows.sheet))
            return ids, packed
    db.execute("INSERT OR REPLACE INTO latest VALUES (?, ?, ?, ?, ?)",
               (rows.sheet, run_id, np.ascontiguousarray(rows.hashes).data, rows.digest, rows.cells_digest))
    return ids, packed


def _sheet_id(db: sqlite3.Connection, sheet: str) -> int | None:
    row = db.execute("SELECT id FROM sheets WHERE name = ?", (sheet,)).fetchone()
    return row[0] if row else None


def last_id(db: sqlite3.Connection) -> int:
    """The newest version id, rows and blocks alike (0: none)."""
    return db.execute("SELECT max(m) FROM (SELECT max(id) AS m FROM row_versions UNION ALL "
                      "SELECT max(first_id + n - 1) FROM blocks)").fetchone()[0] or 0


def _next_id(db: sqlite3.Connection) -> int:
    return 1 + last_id(db)


def _block_hashes(db: sqlite3.Connection, sheet: str) -> tuple[np.ndarray, np.ndarray]:
    """The hashes and ids of every version of a sheet stored in blocks."""
    hashes, ids = [np.zeros((0, 2), dtype=np.uint64)], [np.zeros(0, dtype=np.int64)]
    for first_id, n, blob in db.execute("SELECT first_id, n, hashes FROM blocks WHERE sheet = ?", (sheet,)):
        hashes.append(np.frombuffer(blob, dtype=np.uint64).reshape(-1, 2))
        ids.append(np.arange(first_id, first_id + n, dtype=np.int64))
    return np.concatenate(hashes), np.concatenate(ids)


def _join(db: sqlite3.Connection, rows: Rows, rest: np.ndarray, run_id: int, header_id: int) -> np.ndarray:
    """Rows found neither in the sheet's newest read nor in its blocks: the versions among them never
    stored are inserted in one statement against every version stored row by row, then every row's id
    is read back."""
    signed = rows.hashes[rest].view(np.int64)
    keys = rows.keys.take(rest).to_pylist() if rows.keys is not None else [None] * len(rest)
    db.execute("DELETE FROM temp.today")
    db.executemany("INSERT INTO temp.today VALUES (?, ?, ?, ?, ?, ?)",
                   zip(range(len(rest)), signed[:, 0].tolist(), signed[:, 1].tolist(), keys,
                       _ordinals(rows, rest), rows.cells(rest)))
    db.execute("INSERT OR IGNORE INTO sheets(name) VALUES (?)", (rows.sheet,))
    db.execute("INSERT INTO row_versions SELECT ? + row_number() OVER (ORDER BY pos) - 1, ?, key, h1, h2, "
               "day, ?, cells, ? FROM (SELECT min(pos) AS pos, key, h1, h2, day, cells FROM temp.today t "
               "WHERE NOT EXISTS (SELECT 1 FROM row_versions v WHERE v.h1 = t.h1 AND v.h2 = t.h2) "
               "GROUP BY h1, h2)", (_next_id(db), _sheet_id(db, rows.sheet), header_id, run_id))
    found = np.array(db.execute("SELECT t.pos, v.id FROM temp.today t JOIN row_versions v ON v.h1 = t.h1 "
                                "AND v.h2 = t.h2").fetchall(), dtype=np.int64).reshape(-1, 2)
    ids = np.zeros(len(rest), dtype=np.int64)
    ids[found[:, 0]] = found[:, 1]
    return ids


def _first(db: sqlite3.Connection, rows: Rows, run_id: int, header_id: int) -> np.ndarray:
    """A sheet read for the first time (a semester's rows at once): nothing to join against (hashes
    include the sheet), so its distinct rows are numbered here and stored in blocks of BLOCK versions,
    a few records in all rather than one per row."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    new, number = _distinct(rows.hashes)
    start = _next_id(db)
    db.executemany("INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?, ?)", (
        (start + k, rows.sheet, len(part), header_id, run_id, np.ascontiguousarray(rows.hashes[part]).data,
         rows.block(part)) for k, part in ((k, new[k:k + blocks.BLOCK]) for k in range(0, len(new), blocks.BLOCK))))
    return start + number


def _distinct(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The position of the first row of each distinct version, ascending, and each row's version
    numbered in that order."""
    if not (np.diff(np.sort(hashes[:, 0])) == 0).any():     # the usual first read: every row a version of its own
        return np.arange(len(hashes)), np.arange(len(hashes))
    _, first, inverse = np.unique(hashes[:, 0], return_index=True, return_inverse=True)
    if (hashes[first[inverse.ravel()], 1] != hashes[:, 1]).any():     # never seen: h1 alike, h2 not
        pairs = np.ascontiguousarray(hashes).view([("a", "<u8"), ("b", "<u8")]).ravel()
        _, first, inverse = np.unique(pairs, return_index=True, return_inverse=True)
    is_first = np.zeros(len(hashes), dtype=bool)
    is_first[first] = True
    return np.flatnonzero(is_first), (np.cumsum(is_first) - 1)[first[inverse.ravel()]]


def first_runs(db: sqlite3.Connection, sheet: str, keys: list[str]) -> dict[str, int]:
    """The run that first read any version of each key."""
    out: dict[str, int] = {}
    for k in range(0, len(keys), 500):
        part = keys[k:k + 500]
        out.update(db.execute(f"SELECT key, min(first_run) FROM row_versions WHERE sheet_id = ? AND key IN "
                              f"({','.join('?' * len(part))}) GROUP BY key", (_sheet_id(db, sheet), *part)))
    wanted = set(keys)
    for block in _blocks(db, "sheet = ?", (sheet,)):
        for key in blocks.keys(block.blob):
            if key in wanted and (key not in out or block.first_run < out[key]):
                out[key] = block.first_run
    return out


def _blocks(db: sqlite3.Connection, where: str, args: tuple) -> list[Block]:
    return [Block(first_id, sheet, header_id, first_run, np.frombuffer(hashes, dtype=np.uint64).reshape(-1, 2), blob)
            for first_id, sheet, header_id, first_run, hashes, blob in db.execute(
                f"SELECT first_id, sheet, header_id, first_run, hashes, rows FROM blocks WHERE {where} "
                f"ORDER BY first_id", args)]


def lookup(db: sqlite3.Connection, ids: np.ndarray) -> dict[int, tuple[str, str | None, list[str]]]:
    """{id: (row key, day, cells)} of the given versions."""
    out, wanted = {}, ids.tolist()
    asked = set(wanted)
    for k in range(0, len(wanted), 500):
        part = wanted[k:k + 500]
        for vid, key, h1, h2, day, cells in db.execute(
                f"SELECT id, key, h1, h2, day, cells FROM row_versions WHERE id IN ({','.join('?' * len(part))})",
                part):
            out[vid] = (key if key is not None else _hash_key(h1, h2), _day(day), json.loads(cells))
    starts = [first for (first,) in db.execute("SELECT first_id FROM blocks ORDER BY first_id")]
    inside = sorted({starts[i - 1] for i in np.searchsorted(starts, [v for v in wanted if v not in out],
                                                            side="right").tolist() if i})
    for first in inside:                      # only the blocks holding a wanted id are decoded
        for block in _blocks(db, "first_id = ?", (first,)):
            for i, (key, day, cells) in enumerate(block.entries):
                if block.first_id + i in asked:
                    out[block.first_id + i] = (block.key(i), day, cells)
    return out


def history(db: sqlite3.Connection, sheet: str) -> list[dict]:
    """The newest version of every key ever read for a sheet, with `present` False for rows no
    longer in the sheet at the newest read: figures for trends survive rows deleted from a sheet."""
    last = db.execute("SELECT version_ids FROM reads WHERE sheet = ? ORDER BY run_id DESC LIMIT 1",
                      (sheet,)).fetchone()
    present = set(unpack(last[0]).tolist()) if last else set()
    stored = _stored(db, sheet)
    newest = {key: vid for vid, key, *_ in stored if key is not None}       # ids ascend: the last wins
    return [{"key": name, "day": day, "present": vid in present, "cells": cells}
            for vid, key, name, day, cells, _ in stored if key is None or newest[key] == vid]


def listing(db: sqlite3.Connection, sheet: str) -> list[dict]:
    """Every version of a sheet's rows, blocks and rows alike, by id: id, sheet, key (a row without
    one by its hash, "#..."), day, first_run and the cells by header."""
    return [{"id": vid, "sheet": sheet, "key": name, "day": day, "first_run": run, "cells": cells}
            for vid, _, name, day, cells, run in _stored(db, sheet)]


def _stored(db: sqlite3.Connection, sheet: str) -> list[tuple]:
    """(id, key or None, key or hash key, day, cells by header, first run) of every version of a sheet, by id."""
    headers = {i: json.loads(cells) for i, cells in db.execute("SELECT id, cells FROM headers")}
    stored = [(block.first_id + i, key, block.key(i), day, block.header_id, cells, block.first_run)
              for block in _blocks(db, "sheet = ?", (sheet,)) for i, (key, day, cells) in enumerate(block.entries)]
    stored += [(vid, key, key if key is not None else _hash_key(h1, h2), _day(day), header_id, json.loads(cells), run)
               for vid, key, h1, h2, day, header_id, cells, run in db.execute(
                   "SELECT id, key, h1, h2, day, header_id, cells, first_run FROM row_versions WHERE sheet_id = ? "
                   "ORDER BY id", (_sheet_id(db, sheet),))]
    stored.sort(key=lambda version: version[0])
    return [(vid, key, name, day, named(headers[header_id], cells), run)
            for vid, key, name, day, header_id, cells, run in stored]


def sheets(db: sqlite3.Connection) -> list[str]:
    """Every sheet with a version stored."""
    return [name for (name,) in db.execute("SELECT sheet FROM blocks UNION SELECT s.name FROM sheets s JOIN "
                                           "row_versions v ON v.sheet_id = s.id ORDER BY 1")]


def from_format_2(db: sqlite3.Connection) -> None:
    """An archive of format 2 (every version one row of `versions`, sheet and day as text) becomes
    format 3 in one transaction: its versions become row versions, ids kept, nothing lost; its newest
    reads get an empty digest (hashed again once)."""
    db.execute("CREATE TABLE sheets(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
    db.execute("INSERT INTO sheets(name) SELECT DISTINCT sheet FROM versions ORDER BY sheet")
    db.execute("CREATE TABLE row_versions(id INTEGER PRIMARY KEY, sheet_id INTEGER NOT NULL, key TEXT, h1 INTEGER "
               "NOT NULL, h2 INTEGER NOT NULL, day INTEGER, header_id INTEGER NOT NULL, cells TEXT NOT NULL, "
               "first_run INTEGER NOT NULL)")
    db.execute("INSERT INTO row_versions SELECT v.id, s.id, v.key, v.h1, v.h2, CAST(julianday(v.day) - 1721424.5 "
               "AS INTEGER), v.header_id, v.cells, v.first_run FROM versions v JOIN sheets s ON s.name = v.sheet")
    db.execute("DROP TABLE versions")                  # and its indexes; SCHEMA makes them anew on row_versions
    db.execute("ALTER TABLE latest ADD COLUMN digest BLOB NOT NULL DEFAULT x''")
    db.execute("PRAGMA user_version = 3")


def from_format_3(db: sqlite3.Connection) -> None:
    """Format 3 kept each block as one JSON text, [[key, day, [cells]], ...]: each becomes an Arrow
    stream of the same versions (cells past a row's own as blank, which reading cuts), ids kept; the
    view is made anew; the newest reads' digests change (hashed again once)."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'blocks'").fetchone():
        for first_id, text in db.execute("SELECT first_id, rows FROM blocks").fetchall():
            entries = json.loads(text)
            width = max((len(cells) for _, _, cells in entries), default=0)
            columns = [pa.array([cells[k] if k < len(cells) else "" for _, _, cells in entries], pa.string())
                       for k in range(width)]
            keys = pa.array([key for key, _, _ in entries], pa.string())
            days = np.array([dt.date.fromisoformat(day).toordinal() if day else 0 for _, day, _ in entries], dtype=np.int64)
            db.execute("UPDATE blocks SET rows = ? WHERE first_id = ?", (blocks.encode(columns, keys, days), first_id))
    db.execute("DROP VIEW IF EXISTS versions")
    db.execute("ALTER TABLE latest ADD COLUMN cells_digest BLOB NOT NULL DEFAULT x''")
    db.execute("PRAGMA user_version = 4")


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
        # only the known versions whose first half some row has are sorted: a day's few new rows
        # against a semester's versions cost a search of each version, not a sort of them all
        wanted = np.sort(hashes[rest, 0])
        near = np.searchsorted(wanted, known[:, 0]).clip(max=len(wanted) - 1)
        candidates = np.flatnonzero(wanted[near] == known[:, 0])         # ascending: the first stays first
        if len(candidates):
            known, known_ids = known[candidates], known_ids[candidates]
            order = np.argsort(known[:, 0], kind="stable")
            at = order[np.searchsorted(known[order, 0], hashes[rest, 0]).clip(max=len(known) - 1)]
            hit = (known[at] == hashes[rest]).all(axis=1)
            ids[rest[hit]] = known_ids[at[hit]]
            rest = rest[~hit]
    return ids, rest
