"""An .xlsx workbook, one tab per sheet, read as text cells.

Sheet XML in the plain form that Excel, WPS, LibreOffice, Google and xlsxwriter write is read by
sheetxml with whole-array operations, about four times faster than calamine (Rust), which reads
everything else: .xls, .ods, rich text, unusual writers. Both give the same texts (xlsxtext).
"""
from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import calamine, sheetxml, xlsxtext
from .memory import keep_freed_memory
from .sheetxml import Unsupported, block_cells, blocks
from .table import Column, RawTable, Workbook

try:                                        # ISA-L inflates about three times faster than zlib here
    from isal import isal_zlib as inflate
except ImportError:                         # pragma: no cover - a platform without its wheels
    inflate = zlib


def read_workbook(path: Path) -> Workbook:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            return read_plain(path)
        except (Unsupported, zipfile.BadZipFile, zlib.error, inflate.error, KeyError, IndexError, ValueError, OSError):
            pass                            # malformed or unusual: calamine reads it, or says why it cannot
    return calamine.read_workbook(path)


def read_plain(path: Path) -> Workbook:
    """The workbook through sheetxml; Unsupported if any tab is not in the plain form."""
    keep_freed_memory()
    # numpy, Arrow and ISA-L let go of the GIL in their loops, so threads share the work: tabs
    # side by side, and each tab's blocks. Two pools, so that a tab waiting for its blocks
    # holds no thread its blocks need.
    workers = min(4, os.cpu_count() or 1)
    with zipfile.ZipFile(path) as archive, ThreadPoolExecutor(workers) as tabs, \
            ThreadPoolExecutor(workers) as pool:
        members = calamine.sheet_members(archive)
        if any(not m.startswith("xl/worksheets/") for m in members.values()):
            raise Unsupported("chart or dialog sheet")
        book = _Book(archive, pool)
        # The largest tab first, so the small ones fill in around it rather than hold it up.
        largest_first = sorted(members.items(), key=lambda tab: -archive.getinfo(tab[1]).file_size)
        futures = {name: tabs.submit(book.table, name, str(path), _Inflated(path, archive.getinfo(member)))
                   for name, member in largest_first}
        tables = [futures[name].result() for name in members]
    return Workbook(source=str(path), tables=tables)


class _Inflated:
    """A zip member as a stream, inflated with ISA-L; its CRC is checked when it is closed."""

    def __init__(self, path: Path, info: zipfile.ZipInfo):
        if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED) or info.flag_bits & 1:
            raise Unsupported("compression or encryption")
        with open(path, "rb") as fh:
            fh.seek(info.header_offset)
            local = fh.read(30)
            if local[:4] != b"PK\x03\x04":
                raise Unsupported("zip header")
            fh.seek(info.header_offset + 30 + int.from_bytes(local[26:28], "little")
                    + int.from_bytes(local[28:30], "little"))
            self.pending = fh.read(info.compress_size)
        self.inflater = None if info.compress_type == zipfile.ZIP_STORED else inflate.decompressobj(-15)
        self.crc, self.expected = 0, info.CRC

    def read(self, size: int) -> bytes:
        if self.inflater is None:
            out, self.pending = self.pending[:size], self.pending[size:]
        else:
            out = self.inflater.decompress(self.pending, size)
            self.pending = self.inflater.unconsumed_tail
        self.crc = inflate.crc32(out, self.crc)
        return out

    def close(self) -> None:
        while self.read(1 << 20):
            pass
        if self.crc != self.expected or (self.inflater is not None and not self.inflater.eof):
            raise Unsupported("CRC mismatch: the file is damaged")


class _Book:
    """What the tabs of one workbook share: shared strings, date styles, the 1904 flag, the pool."""

    def __init__(self, archive: zipfile.ZipFile, pool: ThreadPoolExecutor):
        names = set(archive.namelist())
        self.pool = pool
        self.date1904 = re.search(rb'date1904="(1|true)"', archive.read("xl/workbook.xml")) is not None
        self.styles = xlsxtext.date_styles(archive.read("xl/styles.xml").decode()) if "xl/styles.xml" in names else {}
        table = archive.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else b""
        self.shared = pool.submit(_shared_strings, table)     # read while the first tabs are cut up
        self.classes: dict[str, int] = {}

    def classify(self, attrs: str) -> int:
        """The value class of a cell from its attributes after r=, e.g. ' s="2" t="s"'."""
        found = self.classes.get(attrs)
        if found is None:
            pairs = dict(re.findall(r'(\w+)="([^"]*)"', attrs))
            found = xlsxtext.TYPES.get(pairs.get("t", "n"))
            if found is None:
                raise Unsupported(f"cell type {pairs.get('t')!r}")
            if found == xlsxtext.NUMBER:
                found = self.styles.get(int(pairs.get("s", "0")), xlsxtext.NUMBER)
            self.classes[attrs] = found
        return found

    def table(self, name: str, source: str, stream: _Inflated) -> RawTable:
        """A tab as calamine reads it: from A1 to the last column with a value and the last row
        with a text; row 1 is the header."""
        parts = list(_ahead(self.pool, lambda block: block_cells(block, self.classify), blocks(stream)))
        stream.close()
        empty = RawTable(title=name, source=source, header=[], columns=[], n_rows=0)
        if not any(len(p.rows) for p in parts):
            return empty
        rows = np.concatenate([p.rows for p in parts])
        cols = np.concatenate([p.cols for p in parts])
        classes = np.concatenate([p.classes for p in parts])
        values = pa.chunked_array([p.values for p in parts]).unify_dictionaries()
        dictionary = values.chunk(0).dictionary
        codes = np.concatenate([chunk.indices.to_numpy(zero_copy_only=False) for chunk in values.chunks])

        def column(c: int):
            cells = np.flatnonzero(cols == c)
            return self._column(dictionary, codes[cells], classes[cells], rows[cells])
        built = list(self.pool.map(column, range(int(cols.max()) + 1)))
        last = max(last_row for *_, last_row in built)
        if last == 0:                       # nothing but empty texts
            return empty
        header, columns = [], []
        for texts, blank, codes, cell_rows, _ in built:
            full = np.full(last, blank, np.int32)
            kept = cell_rows <= last
            full[cell_rows[kept] - 1] = codes[kept]
            header.append(texts[int(full[0])].as_py())
            columns.append(Column(texts, full[1:]))
        return RawTable(title=name, source=source, header=header, columns=columns, n_rows=last - 1)

    def _column(self, dictionary: pa.Array, codes: np.ndarray, classes: np.ndarray, rows: np.ndarray):
        """(distinct texts with "" among them, the index of "", text code per cell, the cells' rows,
        last row with a text) of one column, from the codes of its cells' raw texts in the tab's dictionary."""
        present = np.flatnonzero(np.bincount(classes, minlength=8))
        if len(present) == 1:
            used = np.zeros(len(dictionary), bool)
            used[codes] = True
            distinct = np.flatnonzero(used)
            local = np.zeros(len(dictionary), np.int32)
            local[distinct] = np.arange(len(distinct), dtype=np.int32)
            codes = local[codes]
            raw = dictionary.take(pa.array(distinct))
            texts = self._texts(int(present[0]), raw)
            if texts is not raw:            # a conversion can make two raw texts one (7 and 7.0)
                texts, codes = _distinct(texts, codes)
        else:                               # a column mixing classes, e.g. typed dates among text ones
            pairs, codes = np.unique(codes.astype(np.int64) * 8 + classes, return_inverse=True)
            kinds = pairs % 8
            grouped = pa.chunked_array([self._texts(int(k), dictionary.take(pa.array(pairs[kinds == k] // 8)))
                                        for k in np.unique(kinds)], pa.string()).combine_chunks()
            order = np.argsort(kinds, kind="stable")
            back = np.empty_like(order)
            back[order] = np.arange(len(order))
            texts, codes = _distinct(grouped.take(pa.array(back)), codes)
        codes = codes.astype(np.int32, copy=False)
        blank = _index_of_blank(texts)
        if blank == len(texts):
            texts = pa.concat_arrays([texts, pa.array([""])])
        written = rows[codes != blank]
        return texts, blank, codes, rows, int(written.max()) if len(written) else 0

    def _texts(self, kind: int, raw: pa.Array) -> pa.Array:
        return xlsxtext.texts(kind, raw, self.shared.result(), self.date1904)


def _shared_strings(data: bytes) -> pa.Array:
    try:
        return xlsxtext.shared_texts(*sheetxml.shared_strings(data))
    except Unsupported:                     # rich text: item by item
        return xlsxtext.shared_strings(data)


def _distinct(texts: pa.Array, codes: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    encoded = texts.dictionary_encode()
    return encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)[codes]


def _ahead(pool: ThreadPoolExecutor, work, items, depth: int = 4):
    """work(item) for each item, in order, computed up to depth items ahead in the pool."""
    pending: deque = deque()
    for item in items:
        pending.append(pool.submit(work, item))
        if len(pending) >= depth:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _index_of_blank(texts: pa.Array) -> int:
    found = pc.index(texts, "").as_py()
    return len(texts) if found < 0 else found
