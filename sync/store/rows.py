"""The rows of every tab as one run read them, keyed and hashed column by column, for the archive.

A row's key is its primaryKey as typed values (2020-02-11|english), else "#" and its hash (such a
key names exactly one version). A version's identity is a 128-bit hash of its sheet, key and cell
texts, trailing blank cells cut, made column by column (hashing.py). What the archive keeps of rows
it has not seen is made column by column too: a sheet's first read as blocks (block(), blocks.py),
a later version's cells as a JSON text (cells()).
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..policy import fold
from ..read.table import RawTable, Workbook
from ..validate import Result
from ..validate.table import Table, day_field
from . import blocks
from .hashing import cell_sums, cells_digest, hash_key, row_hashes, tab_digest

_WIDTHS = {np.dtype(t).itemsize: (np.dtype(t), np.iinfo(t)) for t in (np.int8, np.int16, np.int32, np.int64)}


def pack(values) -> bytes:
    """Ascending-ish integers as deltas in the narrowest integers that hold them (a byte each, most
    often: row numbers and version ids step by one), then zlib: a byte of width, then the stream."""
    deltas = np.diff(np.asarray(values, dtype=np.int64), prepend=0)
    low, high = (int(deltas.min()), int(deltas.max())) if len(deltas) else (0, 0)
    width = next(t for t, info in _WIDTHS.values() if info.min <= low and high <= info.max)
    return bytes([width.itemsize]) + zlib.compress(deltas.astype(width).tobytes(), 1)


def unpack(blob: bytes) -> np.ndarray:
    if blob[:1] == b"x":                                    # a zlib stream of int64 deltas: format 3 and before
        return np.cumsum(np.frombuffer(zlib.decompress(blob), dtype=np.int64))
    return np.cumsum(np.frombuffer(zlib.decompress(blob[1:]), dtype=_WIDTHS[blob[0]][0]), dtype=np.int64)


def _text(value) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)


@dataclass
class Rows:
    """One tab as one run read it, non-blank rows only, in row order."""
    sheet: str                  # the schema's sheet, or "tab:<title>" for a tab no schema knows
    tab: str
    source: str
    header: list[str]
    raw: RawTable
    index: np.ndarray           # data-row index in raw of each non-blank row
    rows: np.ndarray            # row numbers as a person sees them
    keys: pa.Array | None       # primaryKey texts, null where none could be read; None: no key
    days: np.ndarray | None     # day ordinals, -1 where unreadable; None: not a dated sheet
    hashes: np.ndarray          # (n, 2) uint64: each row's version identity
    digest: bytes = b""         # of what the hashes are made of (hashing.tab_digest)
    cells_digest: bytes = b""   # of the tab's cells alone (cells_digest)
    columns: Callable[[], dict | None] | None = None    # blocks.columns(raw), made beforehand for a first read

    def __len__(self) -> int:
        return len(self.index)

    def key(self, i: int) -> str:
        """The row key of row i (a position in these rows)."""
        key = self.keys[i].as_py() if self.keys is not None else None
        return key if key is not None else hash_key(self.hashes[i])

    def key_list(self) -> list[str]:
        keys = self.keys.to_pylist() if self.keys is not None else [None] * len(self)
        return [k if k is not None else hash_key(h) for k, h in zip(keys, self.hashes)]

    def cells(self, at: np.ndarray) -> list[str]:
        """The compact JSON list of texts of rows `at`, trailing blanks cut, made without a Python step per
        row: each column's texts these rows use JSON-encoded once (with the comma before them past the
        first column), then one take of every piece of every row in row order, whose texts end to end
        are the rows' texts. The work goes with the rows asked for, not with the tab."""
        if not len(at):
            return []
        rows = self.index[at]
        width = len(self.raw.columns) + 2
        parts = [pa.array(_PUNCTUATION, pa.large_string())]
        start = len(_PUNCTUATION)
        index = np.empty((len(at), width), dtype=np.int64)
        index[:, 0], index[:, -1] = _OPEN, _CLOSE
        filled = np.zeros(len(at), dtype=np.int64)           # per row: its last filled column + 1
        for c, col in enumerate(self.raw.columns):
            used = blocks.compacted(col.dictionary, col.codes[rows])
            codes = used.indices.to_numpy()
            filled[blocks.filled(used.dictionary)[codes]] = c + 1
            np.add(codes, start, out=index[:, 1 + c], dtype=np.int64)
            parts.append(_json_strings(used.dictionary, "," if c else "").cast(pa.large_string()))
            start += len(used.dictionary)
        np.copyto(index[:, 1:-1], _EMPTY, where=filled[:, None] <= np.arange(width - 2))
        texts = pa.concat_arrays(parts).take(pa.array(index.ravel()))
        ends = np.frombuffer(texts.buffers()[1], dtype=np.int64, count=len(texts) + 1)[::width]
        return pa.LargeStringArray.from_buffers(len(at), pa.py_buffer(np.ascontiguousarray(ends)),
                                                texts.buffers()[2]).to_pylist()

    def block(self, at: np.ndarray) -> memoryview:
        """Rows `at` as one block of the archive (blocks.py): each column's codes over the texts they
        use (as made beforehand for a run of the tab's rows, when these are one), the keys and the
        days; no step per row."""
        rows = self.index[at]
        columns = ((self.columns() if self.columns else None) or {}).get(int(rows[0])) if len(rows) else None
        if columns is None or rows[-1] - rows[0] + 1 != len(rows) or len(columns[0]) != len(rows):
            columns = [blocks.compacted(col.dictionary, col.codes[rows]) for col in self.raw.columns]
        return blocks.encode(columns,
                             None if self.keys is None else self.keys.take(pa.array(at)),
                             None if self.days is None else self.days[at])


_PUNCTUATION = ("", "[", "]")                       # the first pieces of every row's text (Rows.cells)
_EMPTY, _OPEN, _CLOSE = range(len(_PUNCTUATION))


def sheet_rows(workbook: Workbook, result: Result, known: dict[str, tuple[bytes, bytes]] | None = None,
               prepared: dict[int, Prepared] | None = None,
               columns: Callable[[], dict[int, dict]] | None = None) -> dict[str, Rows]:
    """Every tab of the workbook as hashed rows, keyed as the schemas say; the tab of each sheet is
    the validator's (Result.tabs), its header as the validator located it. known: {sheet: (digest,
    row hashes)} of the newest read; a tab whose digest is the same keeps those hashes unmade.
    prepared: what `prepare` made beforehand, for any tab of the workbook; columns: what `block_columns`
    makes, asked for when a block is stored."""
    by_tab = {id(raw): name for name, raw in result.tabs.items()}
    out: dict[str, Rows] = {}
    for raw in workbook.tables:
        sheet = by_tab.get(id(raw))
        table = result.tables.get(sheet) if sheet else None
        if table is not None:
            raw = table.raw                            # the header found below any title rows
        name = sheet or f"tab:{raw.title}"
        while sheet is None and name in out:
            name += "'"
        out[name] = _rows(name, raw, table, (known or {}).get(name), (prepared or {}).get(id(raw)),
                          None if columns is None else functools.partial(_columns_of, columns, id(raw)))
    return out


def _columns_of(columns: Callable[[], dict[int, dict]], tab: int) -> dict | None:
    return columns().get(tab)


def _rows(name: str, raw: RawTable, table: Table | None, known: tuple[bytes, bytes] | None = None,
          prepared: Prepared | None = None, columns: Callable[[], dict | None] | None = None) -> Rows:
    """The tab's rows, keys and digest; their hashes made (hashing.row_hashes) unless known for the same
    digest."""
    if table is not None:
        live = np.flatnonzero(table.live)              # the validator's blank rows
    else:
        live = np.zeros(raw.n_rows, dtype=bool)
        for col in raw.columns:
            live |= blocks.filled(col.dictionary)[col.codes]
        live = np.flatnonzero(live)
    keys = _keys(table, live)
    cells, sums = prepared or (cells_digest(raw), None)
    digest = tab_digest(name, cells, live, keys)
    if known is not None and known[0] == digest:
        hashes = np.frombuffer(known[1], dtype=np.uint64).reshape(-1, 2)
    else:
        hashes = row_hashes(name, raw, live, keys, sums)
    days = None
    if table is not None and (f := day_field(table.sheet)):
        days = table.day_numbers(f)[live]
    numbers = raw.row_numbers[live] if raw.row_numbers is not None else live + 2
    return Rows(name, raw.title, raw.source, list(raw.header), raw, live, numbers, keys, days, hashes, digest, cells,
                columns)


Prepared = tuple[bytes, "np.ndarray | None"]


def prepare(workbook: Workbook, unchanged: set[bytes] | frozenset[bytes] = frozenset()) -> dict[int, Prepared]:
    """{id(tab): (cells_digest, cell_sums)} of every tab of the workbook, the sums left out (None) for a
    tab whose cells are as at a newest read (`unchanged`: their digests), whose hashes are kept. It needs
    no validation, so a run makes it while the validator works (store.record)."""
    out: dict[int, Prepared] = {}
    for raw in workbook.tables:
        digest = cells_digest(raw)
        out[id(raw)] = (digest, None if digest in unchanged else cell_sums(raw))
    return out


def block_columns(workbook: Workbook) -> dict[int, dict]:
    """{id(tab): blocks.columns(tab)} of every tab: the blocks of a first read, laid out beforehand."""
    return {id(raw): blocks.columns(raw) for raw in workbook.tables}


def _keys(table: Table | None, live: np.ndarray) -> pa.Array | None:
    """The primaryKey's typed values as text, joined with "|"; null where a part is unreadable."""
    if table is None or not table.sheet.primary_key:
        return None
    parts = []
    for f in table.sheet.primary_key:
        col = table.columns[f]
        texts = [None if bad or v is None else v if v.__class__ is str else _text(v)     # most keys: str already
                 for v, bad in zip(col.values, col.error.tolist())]
        parts.append(pa.array(texts, type=pa.string()).take(pa.array(col.codes[live])))
    return pc.binary_join_element_wise(*parts, "|")


def _json_strings(texts: pa.Array, lead: str = "") -> pa.Array:
    """lead + json.dumps(t, ensure_ascii=False) of every text, in Arrow; json itself only for rare control
    characters."""
    out = texts
    if pc.any(pc.match_substring_regex(texts, '[\\\\"\\x00-\\x1f]')).as_py():     # most columns need no escape
        for char, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
            out = pc.replace_substring(out, char, escaped)
        odd = pc.match_substring_regex(texts, "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]")
        if pc.any(odd).as_py():
            plain = pc.binary_join_element_wise(lead + '"', out, '"', "").to_pylist()
            for k in np.flatnonzero(odd.to_numpy(zero_copy_only=False)).tolist():
                plain[k] = lead + json.dumps(texts[k].as_py(), ensure_ascii=False)
            return pa.array(plain, type=pa.string())
    return pc.binary_join_element_wise(lead + '"', out, '"', "")


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
