"""The cells of one worksheet's XML, found with whole-array operations instead of an XML parser.

Why: calamine hands every cell over as a Python object (about 0.5 M cells/s here, and the
office's workbooks reach Google's cap of 10 M cells). The sheet XML that spreadsheet programs
write is regular: each tag starts with '<' and the two bytes after it say which tag it is. So
one numpy pass over an inflated block finds every '<'; from those positions come every cell,
its reference and the byte span of its value, and Arrow cuts all the value texts out at once.

Only the plain form is taken: cells with an r="A1" reference, values in <v> or <is><t>, no
rich text, comments, CDATA or whitespace between tags. Anything else raises Unsupported and
the caller reads the workbook with calamine instead: an unusual writer costs time, never a cell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator

import numpy as np
import pyarrow as pa

BLOCK = 1 << 22     # inflated bytes per block: large for numpy, small enough to reuse warm memory


class Unsupported(Exception):
    """The XML uses a form this reader does not take; read the workbook another way."""


# Token kinds, looked up by the two bytes after '<' read as one little-endian 16-bit number.
# Anything not listed is OTHER and refused.
OTHER, CELL, ROW, VALUE, TEXT, TEXT_ATTR, SKIP, EMPTY_VALUE = range(8)
_KIND = np.zeros(1 << 16, np.uint8)
for _first, _seconds, _kind in [("c", " ", CELL), ("r", "o", ROW), ("v", ">", VALUE), ("t", ">", TEXT),
                                ("t", " ", TEXT_ATTR), ("t", "/", SKIP), ("v", "/", SKIP), ("v", " ", EMPTY_VALUE),
                                ("f", " >/", SKIP), ("i", "s", SKIP), ("/", "rcvtfi", SKIP)]:
    for _second in _seconds:
        _KIND[ord(_second) << 8 | ord(_first)] = _kind
_PRESERVE = b'<t xml:space="preserve">'
_PAD = b"\0" * 32                       # so that reading a few bytes past the last tag stays in the block
_SPACE_REFERENCE = rb"&#(?:0*(?:9|10|13|32)|x0*(?:9|a|d|20));"
_EDGE_SPACE = re.compile(rb"\A" + _SPACE_REFERENCE + rb"|" + _SPACE_REFERENCE + rb"\Z", re.I)
_KEY = np.dtype([("length", "u1"), ("first", "<u8"), ("last", "<u8")])     # packed: 17 bytes


@dataclass
class Cells:
    """The cells of a block that hold a value: row number, column index, value class, raw text."""
    rows: np.ndarray        # int32, as the user sees them (1 = first row)
    cols: np.ndarray        # int32, 0 = column A
    classes: np.ndarray     # int8, from classify() of the cell's attributes
    values: pa.DictionaryArray  # the raw XML text of each <v> or <t> (entities not yet decoded)


def blocks(stream: BinaryIO) -> Iterator[bytes]:
    """The content of <sheetData>, in blocks that each end just after a </row>."""
    head = b""
    while (start := head.find(b"<sheetData")) < 0:
        more = stream.read(BLOCK)
        if not more:
            if b"sheetData" in head:        # a prefixed <x:sheetData>
                raise Unsupported("namespace prefix")
            return
        head += more
    close = head.find(b">", start)
    while close < 0:
        more = stream.read(BLOCK)
        if not more:
            raise Unsupported("unterminated <sheetData>")
        head += more
        close = head.find(b">", start)
    if head[close - 1:close] == b"/":
        return
    carry = head[close + 1:]
    while (end := carry.find(b"</sheetData>")) < 0:
        more = stream.read(BLOCK)
        if not more:
            raise Unsupported("unterminated <sheetData>")
        cut = more.rfind(b"</row>")
        if cut < 0:
            carry += more
            continue
        cut += len(b"</row>")
        yield b"".join((carry, memoryview(more)[:cut], _PAD))     # one copy
        carry = more[cut:]
    if carry[:end].strip():
        yield carry[:end] + _PAD


def block_cells(block: bytes, classify: Callable[[str], int]) -> Cells:
    """Every valued cell of a block. classify maps a cell's attributes after r (' s="2" t="s"') to a class."""
    if b"\r" in block:                      # an XML parser would turn CR LF into LF
        raise Unsupported("carriage return")
    if not block.endswith(_PAD):
        block += _PAD
    buf = np.frombuffer(block, np.uint8)
    at = np.flatnonzero(buf == 60)
    if len(at) == 0:
        return _empty()
    kind = np.take(_KIND, np.take(buf, at + 1).astype(np.uint16) | np.take(buf, at + 2).astype(np.uint16) << 8)
    if not kind.all():
        raise Unsupported(f"tag {bytes(buf[at[np.argmin(kind)]:][:12])!r}")
    _expect(block, at[kind == EMPTY_VALUE], b"<v />")

    row_at = at[kind == ROW]
    _expect(block, row_at + 4, b' r="')
    row_no, row_digits = _decimal(buf, row_at + 8)

    cell_k = np.flatnonzero(kind == CELL)
    cell_at = at[cell_k]
    _expect(block, cell_at + 2, b' r="')
    row_of = np.cumsum(kind == ROW, dtype=np.int32)[cell_k] - 1
    if len(row_of) and row_of[0] < 0:
        raise Unsupported("cell outside a row")
    cols, letters = _columns(buf, cell_at + 6)
    ref_end = cell_at + 6 + letters + row_digits[row_of]
    tag_end = at[cell_k + 1] - 1
    _expect(block, ref_end, b'"')
    _expect(block, tag_end, b">")

    val_k = np.flatnonzero((kind == VALUE) | (kind == TEXT) | (kind == TEXT_ATTR))
    starts = at[val_k] + 3
    preserved = kind[val_k] == TEXT_ATTR
    if preserved.any():
        _expect(block, at[val_k[preserved]], _PRESERVE)
        starts[preserved] += len(_PRESERVE) - 3
    ends = at[val_k + 1]
    trimmed = kind[val_k] == TEXT
    _no_edge_space(block, buf, starts[trimmed], ends[trimmed])
    owner = np.cumsum(kind == CELL, dtype=np.int32)[val_k] - 1
    if len(owner) and (owner[0] < 0 or (np.diff(owner) <= 0).any()):
        raise Unsupported("a value outside a cell, or two in one")

    values = _slices(block, starts, ends).dictionary_encode()
    _utf8(values.dictionary)                # every text is in the dictionary: check each once
    # An inline string's <t> says its class; only cells with a <v> need their attributes read.
    classes = np.full(len(val_k), classify(' t="inlineStr"'), np.int8)
    typed = np.flatnonzero(kind[val_k] == VALUE)
    classes[typed] = _classes(block, ref_end[owner[typed]] + 1, tag_end[owner[typed]], classify)
    return Cells(rows=row_no[row_of[owner]], cols=cols[owner], classes=classes, values=values)


def _classes(block: bytes, starts: np.ndarray, ends: np.ndarray, classify: Callable[[str], int]) -> np.ndarray:
    """classify() of each cell's attribute text block[start:end], called once per distinct text.
    Texts of up to 16 bytes are keyed by their length and first and last 8 bytes, which hold all
    of them, without making a string per cell; longer ones, which are rare, as strings."""
    lengths = ends - starts
    out = np.zeros(len(starts), np.int8)
    long = np.flatnonzero(lengths > 16)
    if len(long):
        _classes_by_text(block, starts[long], ends[long], classify, out, long)
    short = np.flatnonzero(lengths <= 16)
    if len(short) == 0:
        return out
    starts, ends, lengths = starts[short], ends[short], lengths[short]
    words = _view(block, "<u8")
    key = np.zeros(len(short), _KEY)
    key["length"] = lengths
    shift = np.uint64(8) * np.minimum(lengths, 7).astype(np.uint64)
    key["first"] = words[starts] & np.where(lengths >= 8, np.uint64(2**64 - 1), (np.uint64(1) << shift) - np.uint64(1))
    key["last"] = np.where(lengths > 8, words[np.maximum(ends - 8, starts)], np.uint64(0))
    encoded = pa.Array.from_buffers(pa.binary(_KEY.itemsize), len(key), [None, pa.py_buffer(key)]).dictionary_encode()
    class_of = np.array([classify(_key_text(k)) for k in encoded.dictionary.to_pylist()], np.int8)
    out[short] = class_of[encoded.indices.to_numpy(zero_copy_only=False)]
    return out


def _key_text(key: bytes) -> str:
    length, first, last = key[0], key[1:9], key[9:17]
    return (first[:length] if length <= 8 else first + last[16 - length:]).decode()


def _classes_by_text(block, starts, ends, classify, out, where) -> None:
    attrs = _slices(block, starts, ends).dictionary_encode()
    _utf8(attrs.dictionary)
    class_of = np.array([classify(a) for a in attrs.dictionary.to_pylist()], np.int8)
    out[where] = class_of[attrs.indices.to_numpy(zero_copy_only=False)]


def _view(block: bytes, dtype: str) -> np.ndarray:
    """The block read as numbers of dtype starting at every byte offset (overlapping, unaligned)."""
    size = np.dtype(dtype).itemsize
    return np.ndarray((len(block) - size + 1,), dtype, buffer=block, strides=(1,))


def _no_edge_space(block: bytes, buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
    """calamine trims the ends of a <t> (not a <v>) without xml:space="preserve"; rather than
    trim raw XML, leave the rare text that would be trimmed to calamine."""
    filled = starts < ends
    starts, ends = starts[filled], ends[filled]
    head, tail = np.take(buf, starts), np.take(buf, ends - 1)
    if any(((head == byte) | (tail == byte)).any() for byte in (9, 10, 32)):
        raise Unsupported("space at the end of a <t> without xml:space")
    for i in np.flatnonzero((head == ord("&")) | (tail == ord(";"))):
        if _EDGE_SPACE.search(block[starts[i]:ends[i]]):
            raise Unsupported("a space reference at the end of a <t> without xml:space")


def _empty() -> Cells:
    none = np.zeros(0, np.int32)
    return Cells(none, none, np.zeros(0, np.int8), pa.array([], pa.string()).dictionary_encode())


def _expect(block: bytes, positions: np.ndarray, text: bytes) -> None:
    """Every position must start with text (up to 8 bytes), else the XML is not in the plain form."""
    if len(positions) == 0:
        return
    dtype = {1: "u1", 2: "<u2", 4: "<u4", 8: "<u8"}.get(len(text))
    if dtype is None:
        step = 8 if len(text) > 8 else 1
        for i in sorted({*range(0, len(text) - step, step), len(text) - step}):
            _expect(block, positions + i, text[i:i + step])
        return
    if not (_view(block, dtype)[positions] == int.from_bytes(text, "little")).all():
        raise Unsupported(f"expected {text!r}")


def _decimal(buf: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unsigned decimal numbers starting at positions (up to 8 digits), and their lengths."""
    value = np.zeros(len(positions), np.int64)
    length = np.zeros(len(positions), np.int64)
    going = np.ones(len(positions), bool)
    for i in range(8):
        digit = buf[positions + i].astype(np.int64) - 48
        going &= (digit >= 0) & (digit <= 9)
        value = np.where(going, value * 10 + digit, value)
        length += going
    if ((length == 0) | (length == 8)).any():
        raise Unsupported("row number")
    return value.astype(np.int32), length


def _columns(buf: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column indexes (A = 0) of the letters at positions (A to XFD), and how many letters."""
    first, second, third = (buf[positions + i].astype(np.int32) - 64 for i in range(3))
    is2 = (second >= 1) & (second <= 26)
    is3 = is2 & (third >= 1) & (third <= 26)
    if len(positions) and not ((first >= 1) & (first <= 26)).all():
        raise Unsupported("cell reference")
    cols = np.where(is3, (first * 26 + second) * 26 + third, np.where(is2, first * 26 + second, first)) - 1
    return cols.astype(np.int32), 1 + is2.astype(np.int64) + is3


def _utf8(texts: pa.Array) -> None:
    """Texts cut out of the raw bytes must be UTF-8 (an XML file in another encoding is refused)."""
    try:
        texts.validate(full=True)
    except pa.ArrowInvalid:
        raise Unsupported("not UTF-8") from None


def _slices(block: bytes, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """block[starts[i]:ends[i]] for every i, as one Arrow string array (one copy, no Python strings).
    Not yet checked as UTF-8: the caller checks what it keeps."""
    if len(starts) == 0:
        return pa.array([], pa.string())
    offsets = np.empty(2 * len(starts) + 1, np.int32)
    offsets[0] = 0
    offsets[1::2] = starts
    offsets[2::2] = ends
    spans = pa.StringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(block))
    return spans.take(pa.array(np.arange(1, len(offsets) - 1, 2, dtype=np.int32)))


def shared_strings(data: bytes) -> tuple[pa.Array, np.ndarray]:
    """The raw texts of a shared-string table whose items are each one plain <t>: <si><t>..</t></si>,
    and for each whether it lacks xml:space="preserve" (so its ends are trimmed). Rich text (runs,
    phonetic guides) raises Unsupported; xlsxtext reads those one by one."""
    data += _PAD
    buf = np.frombuffer(data, np.uint8)
    at = np.flatnonzero(buf == 60)
    first, second = np.take(buf, at + 1), np.take(buf, at + 2)
    if ((first == ord("r")) & np.isin(second, (ord(">"), ord(" "), ord("P")))).any():
        raise Unsupported("rich text")
    item = np.flatnonzero((first == ord("s")) & (second == ord("i")))
    if len(item) == 0:
        return pa.array([], pa.string()), np.zeros(0, bool)
    _expect(data, at[item] + 3, b">")
    text = at[np.minimum(item + 1, len(at) - 1)]
    _expect(data, text + 1, b"t")
    after = np.take(buf, text + 2)
    empty = after == ord("/")
    if not ((after == ord(">")) | (after == ord(" ")) | empty).all() or not (item[1:] - item[:-1] >= 2).all():
        raise Unsupported("shared string item")
    starts = text + 3
    preserved = np.flatnonzero(after == ord(" "))
    if len(preserved):
        _expect(data, text[preserved], _PRESERVE)
        starts[preserved] += len(_PRESERVE) - 3
    ends = np.where(empty, starts, at[np.minimum(item + 2, len(at) - 1)])
    starts = np.where(empty, ends, starts)
    _expect(data, ends[~empty], b"</t></si>")
    texts = _slices(data, starts, ends)
    _utf8(texts)
    return texts, after != ord(" ")
