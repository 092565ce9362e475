"""How a row's version identity is made, without a loop over rows: each distinct text of a column is
hashed once (two 64-bit lanes, each a polynomial over its UTF-8 bytes, in numpy), a row's cell sum
adds its cells' hashes, each scaled by its column (an empty cell adding nothing, so an appended
column changes no row), then its key and its sheet go in and a final mix. The hashes are stored in
the archive: nothing here may change what they are. A tab's digests (SHA-256) stand for what its
hashes are made of, so that a tab read again unchanged is not hashed again.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..read.table import RawTable

_RNG = np.random.default_rng(15)                       # fixed: hashes are stored, so they must not change
_TABLES = _RNG.integers(1, 2**63, size=(2, 256), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_BASES = np.array([0x100000001B3, 0x9E3779B97F4A7C15], dtype=np.uint64)     # per lane, for cells in a row
_P = 0x100000001B3                                     # odd, so invertible modulo 2**64
_CHUNK = 1 << 20                                       # bytes hashed at once: bounds the temporary arrays
_powers: list[np.ndarray] = []                         # [P**k, P**-k] for k < len, made once a process


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit. A new array; in place past
    the first step, through one buffer."""
    shifted = z >> np.uint64(30)
    z = z ^ shifted
    z *= np.uint64(0xBF58476D1CE4E5B9)
    np.right_shift(z, np.uint64(27), out=shifted)
    z ^= shifted
    z *= np.uint64(0x94D049BB133111EB)
    np.right_shift(z, np.uint64(31), out=shifted)
    z ^= shifted
    return z


def _power_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    if not _powers or len(_powers[0]) < n:
        size = max(n, _CHUNK + 1)
        steps = np.full(size, _P, dtype=np.uint64)
        steps[0] = 1
        inverse = np.full(size, pow(_P, -1, 2**64), dtype=np.uint64)
        inverse[0] = 1
        _powers[:] = [np.cumprod(steps, dtype=np.uint64), np.cumprod(inverse, dtype=np.uint64)]  # wrap mod 2**64
    return _powers[0], _powers[1]


def text_hashes(texts: pa.Array) -> np.ndarray:
    """(n, 2) uint64: two hashes of each text's UTF-8 bytes (nulls hash as ""). Each lane is a polynomial
    over the bytes (through a random byte table) taken from running sums over all the texts at once:
    sum(T[b_i] P**i) over a text's positions, shifted back by P**-start. Three passes over the bytes."""
    texts = pc.fill_null(texts.cast(pa.large_string()), "")
    n = len(texts)
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64, count=n + 1, offset=texts.offset * 8)
    data = texts.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    out = np.empty((n, 2), dtype=np.uint64)
    first = 0
    while first < n:                                   # texts in runs of about _CHUNK bytes
        last = min(max(int(np.searchsorted(offsets, offsets[first] + _CHUNK, side="right")) - 1, first + 1), n)
        start, stop = int(offsets[first]), int(offsets[last])
        size = stop - start
        powers, inverse = _power_tables(size + 1)
        lo, hi = offsets[first:last] - start, offsets[first + 1:last + 1] - start
        sums = np.zeros(size + 1, dtype=np.uint64)
        for lane in (0, 1):
            terms = np.take(_TABLES[lane], data[start:stop])
            np.multiply(terms, powers[:size], out=terms)
            np.cumsum(terms, dtype=np.uint64, out=sums[1:])
            out[first:last, lane] = (sums[hi] - sums[lo]) * inverse[lo]
        first = last
    out ^= (np.diff(offsets).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))[:, None]
    return _mix(out)


def hash_key(digest) -> str:
    return "#" + int(digest[0]).to_bytes(8, "big").hex() + int(digest[1]).to_bytes(8, "big").hex()[:8]


def cells_digest(raw: RawTable) -> bytes:
    """SHA-256 of a tab's cells as read (each column's distinct texts and codes), about 1 GB/s: one pass,
    where the hashing makes several over every text."""
    digest = hashlib.sha256()
    for col in raw.columns:
        _arrow(digest, col.dictionary)
        codes = np.ascontiguousarray(col.codes)
        digest.update(f"|{codes.dtype}|{len(codes)}".encode())
        digest.update(codes.data)
    return digest.digest()


def tab_digest(name: str, cells: bytes, live: np.ndarray, keys: pa.Array | None) -> bytes:
    """SHA-256 of everything a tab's row hashes are made of (the sheet, its cells_digest, the rows kept,
    the keys): equal digests, equal hashes."""
    digest = hashlib.sha256(name.encode())
    digest.update(b"|cells" + cells + b"|live")
    digest.update(np.ascontiguousarray(live, dtype=np.int64).data)
    if keys is not None:
        _arrow(digest, keys)
    return digest.digest()


def _arrow(digest, array: pa.Array) -> None:
    digest.update(f"|{array.type}|{array.offset}|{len(array)}".encode())
    for buffer in array.buffers():
        digest.update(b"-" if buffer is None else len(buffer).to_bytes(8, "little"))
        if buffer is not None:
            digest.update(buffer)


def cell_sums(raw: RawTable) -> np.ndarray:
    """(n_rows, 2): per row of the tab, the sum over its cells of hash(text) * B**column (per lane, modulo
    2**64), an empty cell adding nothing: trailing empty cells change no row, and the sum is one gather
    and one add per column."""
    sums = np.zeros((raw.n_rows, 2), dtype=np.uint64)
    cells = np.empty_like(sums)                        # one buffer for every column: no new pages each time
    scale = np.ones(2, dtype=np.uint64)
    for col in raw.columns:
        texts = text_hashes(col.dictionary) * scale
        texts[pc.equal(pc.utf8_length(col.dictionary), 0).to_numpy(zero_copy_only=False)] = 0
        np.take(texts, col.codes, axis=0, out=cells)   # both lanes in one gather (a lane alone is strided)
        sums += cells
        scale = scale * _BASES
    return sums


def row_hashes(name: str, raw: RawTable, live: np.ndarray, keys: pa.Array | None,
               sums: np.ndarray | None = None) -> np.ndarray:
    """A row's hash: its cell sum (cell_sums, made here unless given), then the key, then the sheet,
    then a final mix."""
    sums = cell_sums(raw) if sums is None else sums
    hashes = sums if len(live) == raw.n_rows else sums[live]
    if keys is not None:
        has_key = pc.is_valid(keys).to_numpy(zero_copy_only=False)
        hashes = np.where(has_key[:, None], hashes * _BASES + text_hashes(keys), hashes)
    return _mix(hashes ^ text_hashes(pa.array([name]))[0])
