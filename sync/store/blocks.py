"""A block of the archive: up to BLOCK versions of a sheet's first read as one Arrow IPC stream of one
record batch (versions.py keeps them in the `blocks` table).

    c0, c1, ...   each column of the tab, dictionary-encoded over the texts the block's rows hold
    key           the row key (string, null where none), when the sheet has a primaryKey
    day           the row's day as an ordinal (int32, 0 where unreadable), when the sheet is dated

A row's cells are the texts of c0, c1, ... with the blank ones after its last filled cell cut, as
a row version stored row by row holds them. Arrow writes and reads the format; this module only
says which columns there are, so a block costs a few array copies instead of a text per row.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BLOCK = 65536       # versions per block: a late edit's lookup decodes at most this many
Entry = tuple       # (key | None, day "YYYY-MM-DD" | None, cells: list[str])


def encode(columns: list[pa.Array], keys: pa.Array | None, days: np.ndarray | None) -> memoryview:
    """One IPC stream of the block's columns (strings or dictionaries of strings, one per tab
    column, all of the block's length), keys (strings) and days (ordinals)."""
    arrays = list(columns)
    names = [f"c{k}" for k in range(len(columns))]
    if keys is not None:
        arrays.append(keys.cast(pa.string()))
        names.append("key")
    if days is not None:
        arrays.append(pa.array(np.where(days > 0, days, 0).astype(np.int32)))
        names.append("day")
    batch = pa.RecordBatch.from_arrays(arrays, names=names)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return memoryview(sink.getvalue())          # SQLite takes it as it is: not copied into a bytes first


def columns(raw) -> dict[int, list[pa.DictionaryArray]]:
    """{first row: each column compacted} of a tab's rows in runs of BLOCK from its first: the blocks of
    its first read when every row is filled and distinct (rows.Rows.block takes them when so)."""
    return {start: [compacted(col.dictionary, col.codes[start:start + BLOCK]) for col in raw.columns]
            for start in range(0, raw.n_rows, BLOCK)}


def compacted(dictionary: pa.Array, codes: np.ndarray) -> pa.DictionaryArray:
    """codes into dictionary as a dictionary array over only the texts they use (a block of 65,536
    rows holds a fraction of a column's distinct texts), its indices as narrow as they fit."""
    used = np.zeros(len(dictionary), dtype=bool)
    used[codes] = True
    kept = np.flatnonzero(used)
    width = np.dtype(np.int16 if len(kept) <= np.iinfo(np.int16).max else np.int32)
    renumbered = np.cumsum(used, dtype=width)
    renumbered -= 1
    return pa.DictionaryArray.from_arrays(pa.array(renumbered[codes]),
                                          pc.fill_null(dictionary.take(pa.array(kept)).cast(pa.string()), ""))


def keys(blob) -> list[str | None]:
    """Only the row keys of a block (none: a sheet without a primaryKey)."""
    batch = _batch(blob)
    return batch.column("key").to_pylist() if "key" in batch.schema.names else [None] * batch.num_rows


def decode(blob) -> list[Entry]:
    """Every version of a block as (key, day, cells)."""
    batch = _batch(blob)
    names = batch.schema.names
    n = batch.num_rows
    texts, widths = [], np.zeros(n, dtype=np.int64)
    for k in range(sum(name.startswith("c") for name in names)):
        column = batch.column(f"c{k}")
        if isinstance(column, pa.DictionaryArray):
            column = column.dictionary_decode()
        widths[filled(column)] = k + 1
        texts.append(column.to_pylist())
    key_list = batch.column("key").to_pylist() if "key" in names else [None] * n
    days = [_day(d) for d in batch.column("day").to_pylist()] if "day" in names else [None] * n
    rows = zip(*texts) if texts else ((),) * n
    return [(key, day, list(cells[:width])) for key, day, cells, width in zip(key_list, days, rows, widths.tolist())]


def filled(texts: pa.Array) -> np.ndarray:
    """Per text: holds something besides white space (a blank cell after a row's last filled one is cut)."""
    return pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(texts)), 0).to_numpy(zero_copy_only=False)


def _batch(blob) -> pa.RecordBatch:
    return pa.ipc.open_stream(blob).read_next_batch()


def _day(ordinal: int) -> str | None:
    return dt.date.fromordinal(ordinal).isoformat() if ordinal > 0 else None
