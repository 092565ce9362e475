"""Snapshots: every tab of a workbook as one run read it, rows as text, keyed and hashed for the archive.

A row's key is its primaryKey as typed values (2020-02-11|english), else "#" and a hash of its
cells (such a key names exactly one version). A row's cells are a compact JSON list of its texts,
trailing blanks cut, so an appended column changes no row. Row numbers and version ids are stored
as compressed delta arrays (pack/unpack).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..policy import Policy, fold
from ..read.table import RawTable, Workbook
from ..validate import Result
from ..validate.headers import locate_header, match_sheets


def pack(values) -> bytes:
    """Ascending-ish integers compress to almost nothing as deltas."""
    array = np.asarray(values, dtype=np.int64)
    return zlib.compress(np.diff(array, prepend=0).tobytes(), 6)


def unpack(blob: bytes) -> list[int]:
    return np.cumsum(np.frombuffer(zlib.decompress(blob), dtype=np.int64)).tolist()


def _text(value) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)


@dataclass
class Snapshot:
    """One sheet as one run read it, non-blank rows only."""
    sheet: str
    tab: str
    source: str
    header: list[str]
    rows: list[int] = field(default_factory=list)           # row numbers as a person sees them
    keys: list[str] = field(default_factory=list)
    hashes: list[bytes] = field(default_factory=list)        # of (key, cells): the version's identity
    cells: list[str] = field(default_factory=list)           # JSON lists of texts, trailing blanks cut
    days: list[str | None] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)             # version ids, filled in when stored

    def by_key(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for i, key in enumerate(self.keys):
            found.setdefault(key, []).append(i)
        return found


def snapshots(workbook: Workbook, result: Result, policy: Policy) -> dict[str, Snapshot]:
    """Every tab of the workbook as text rows, keyed as the schemas say. Tabs no schema knows are kept
    under "tab:<title>" with hash keys."""
    from ..summarize.scope import day_field, day_numbers
    found, _ = match_sheets(workbook, policy)
    by_table = {id(t): name for name, t in found.items()}
    out: dict[str, Snapshot] = {}
    for raw in workbook.tables:
        name = by_table.get(id(raw))
        table = result.tables.get(name) if name else None
        if table is not None:
            raw = table.raw                                    # the header found below any title rows
        elif name:
            raw = locate_header(raw, policy.sheets[name])
        else:
            name = f"tab:{raw.title}"
            while name in out:
                name += "'"
        keys = days = None
        if table is not None and table.sheet.primary_key:
            parts = []
            for f in table.sheet.primary_key:
                col = table.columns[f]
                texts = [None if bad or v is None else _text(v) for v, bad in zip(col.values, col.error.tolist())]
                parts.append(pa.array(texts, type=pa.string()).take(pa.array(col.codes)))
            keys = pc.binary_join_element_wise(*parts, "|").to_pylist()     # None where a part is unreadable
        if table is not None and (f := day_field(table.sheet)):
            ordinals = day_numbers(table, f)
            iso = {d: dt.date.fromordinal(d).isoformat() if d > 0 else None for d in np.unique(ordinals).tolist()}
            days = [iso[d] for d in ordinals.tolist()]
        out[name] = _snapshot(name, raw, keys, days)
    return out


def _snapshot(name: str, raw: RawTable, keys: list | None, days: list | None) -> Snapshot:
    """Rows as compact JSON lists (trailing blank cells cut, so an appended column changes no row),
    built column-wise in Arrow: each distinct text is encoded once, then joined per row in C."""
    snap = Snapshot(name, raw.title, raw.source, list(raw.header))
    n = raw.n_rows
    width = np.zeros(n, dtype=np.int64)
    for c, col in enumerate(raw.columns):
        filled = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(col.dictionary)), 0).to_numpy(zero_copy_only=False)
        width[filled[col.codes]] = c + 1
    live = np.flatnonzero(width > 0)
    if not len(live):
        return snap
    parts = []
    for c, col in enumerate(raw.columns):     # cells past a row's last filled one are null, and skipped
        cells = _json_strings(col.dictionary).take(pa.array(col.codes[live]))
        parts.append(pc.if_else(pa.array(width[live] > c), cells, pa.scalar(None, pa.string())))
    joined = pc.binary_join_element_wise(*parts, ",", null_handling="skip")
    snap.cells = pc.binary_join_element_wise("[", joined, "]", "").to_pylist()
    numbers = raw.row_numbers[live] if raw.row_numbers is not None else live + 2
    snap.rows = numbers.tolist()
    snap.days = [days[i] for i in live.tolist()] if days else [None] * len(live)
    prefix = f"{name}\n".encode()
    for i, text in zip(live.tolist(), snap.cells):
        key = keys[i] if keys else None
        if key is None:
            digest = hashlib.blake2b(prefix + text.encode(), digest_size=16).digest()
            key = "#" + digest.hex()[:24]
        else:
            digest = hashlib.blake2b(f"{name}\n{key}\n{text}".encode(), digest_size=16).digest()
        snap.keys.append(key)
        snap.hashes.append(digest)
    return snap


def _json_strings(texts: pa.Array) -> pa.Array:
    """json.dumps(t, ensure_ascii=False) of every text, in Arrow; json itself only for rare control characters."""
    out = texts
    for char, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        out = pc.replace_substring(out, char, escaped)
    out = pc.binary_join_element_wise('"', out, '"', "")
    odd = pc.match_substring_regex(texts, "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]")
    if pc.any(odd).as_py():
        plain = out.to_pylist()
        for k in np.flatnonzero(odd.to_numpy(zero_copy_only=False)).tolist():
            plain[k] = json.dumps(texts[k].as_py(), ensure_ascii=False)
        out = pa.array(plain, type=pa.string())
    return out


def row_key(sheet: str, key: str | None, cells: str) -> str:
    """A stored row's key: its primaryKey text, or "#" and the hash of its cells (as _snapshot makes it)."""
    if key is not None:
        return key
    return "#" + hashlib.blake2b(f"{sheet}\n{cells}".encode(), digest_size=16).hexdigest()[:24]


def named(header: list[str], cells: list[str]) -> dict[str, str]:
    """Cells by header text (folded duplicates and blank headers get their column letter)."""
    from ..issues import column_letter
    out, seen = {}, set()
    for k, text in enumerate(cells):
        label = header[k] if k < len(header) and header[k].strip() else column_letter(k)
        if fold(label) in seen:
            label = f"{label} ({column_letter(k)})"
        seen.add(fold(label))
        out[label] = text
    return out
