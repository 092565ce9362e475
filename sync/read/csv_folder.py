"""A folder of .csv files, one per sheet, as Excel or WPS saves them (UTF-8 with BOM, or GB18030;
"Unicode text" as UTF-16 or UTF-32, with or without a BOM, is turned into UTF-8 first).

The fast path is Arrow's multi-threaded CSV parser with every column read as text. Files
where Arrow's row count would drift from what a person sees (empty lines, rows with too
many or too few cells, line breaks inside cells) take the stdlib csv path, which keeps every
row number exact.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import SourceError
from .table import Column, RawTable, Workbook


def read_folder(folder: Path) -> Workbook:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and not p.name.startswith("."))
    if not files:
        raise SourceError(f"{folder}: no .csv files in this folder / 文件夹中没有 .csv 文件")
    return Workbook(source=str(folder), tables=[_read_or_note(path) for path in files])


def _read_or_note(path: Path) -> RawTable:
    """One file that cannot be read makes its sheet unavailable, not the whole folder."""
    try:
        return read_csv(path)
    except SourceError as exc:
        return RawTable.unreadable_tab(path.stem, str(path), str(exc))


def read_csv(path: Path) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror}") from None
    data = _wide_to_utf8(path, data)
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0      # the BOM, skipped without a copy
    encoding = _encoding(data[start:start + (1 << 20)])
    text_head = data[start:start + 65536].decode(encoding, errors="replace")
    header = next(csv.reader(io.StringIO(text_head, newline="")), [])
    if not header:
        return RawTable(title=path.stem, source=str(path), header=[], columns=[], n_rows=0)
    table = _read_arrow(path, data, start, encoding, header)
    if table is None:
        table = _read_stdlib(path, _decode(path, data[start:], encoding))
    return table


def _read_arrow(path: Path, data: bytes, start: int, encoding: str, header: list[str]) -> RawTable | None:
    names = [f"c{i}" for i in range(len(header))]
    bad_rows = []

    def on_invalid(row):
        bad_rows.append(row)
        return "skip"

    text = pa.dictionary(pa.int32(), pa.string())     # Arrow dictionary-encodes while it parses
    try:
        quoted = b'"' in data
        arrow = pacsv.read_csv(
            pa.py_buffer(data)[start:],
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=encoding,
                                           block_size=8 << 20),
            # Line breaks inside cells need quotes; without any quote the faster scan is exact.
            # An empty line is kept as a row of one cell, which the handler below sees as invalid,
            # so a file with empty lines goes to the exact path instead of being renumbered.
            parse_options=pacsv.ParseOptions(newlines_in_values=quoted, ignore_empty_lines=False,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: text for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    if bad_rows:
        return None      # short or long rows: let the exact path number and pad them
    columns = [Column.from_arrow(arrow.column(n)) for n in names]
    table = RawTable(title=path.stem, source=str(path), header=header, columns=columns, n_rows=arrow.num_rows)
    if quoted and _has_multiline_cells(data, table.n_rows):
        return None
    return table


# Byte-order marks of the wide encodings, longest first (UTF-32-LE's begins with UTF-16-LE's).
WIDE_BOMS = [(b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
             (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")]


def _wide_to_utf8(path: Path, data: bytes) -> bytes:
    """UTF-16/UTF-32 (Excel's "Unicode text", some exports) as UTF-8; other bytes as they are.

    Without a BOM the encoding shows in where the zero bytes of ASCII characters (digits,
    commas, line ends: every CSV has them) fall; a stray zero byte in a cell is the cell's problem."""
    bom, encoding = next(((bom, name) for bom, name in WIDE_BOMS if data.startswith(bom)), (b"", None))
    if encoding is None and b"\x00" in data[:4096]:
        probe = data[:4096]
        zeros = [probe[i::4].count(0) / max(len(probe[i::4]), 1) for i in range(4)]
        even, odd = (zeros[0] + zeros[2]) / 2, (zeros[1] + zeros[3]) / 2
        if zeros[2] > 0.9 and zeros[3] > 0.9 and zeros[0] < 0.5:      # every character below U+10000
            encoding = "utf-32-le"
        elif zeros[0] > 0.9 and zeros[1] > 0.9 and zeros[3] < 0.5:
            encoding = "utf-32-be"
        elif odd > 2 * even + 0.05:                                    # ASCII characters' high bytes
            encoding = "utf-16-le"
        elif even > 2 * odd + 0.05:
            encoding = "utf-16-be"
    if encoding is None:
        return data
    return _decode(path, data[len(bom):], encoding).encode("utf-8")


def _decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = _line(data, exc.start, encoding)
    if encoding == "gb18030":       # chosen because the file is not UTF-8: say where that stops too
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            other = _line(data, exc.start, "utf-8")
            raise SourceError(f"{path}:{other}: UTF-8 up to this line, then neither UTF-8 nor GB18030 (line {line} is "
                              f"not GB18030): a file saved in two encodings? Save it again as CSV UTF-8 "
                              f"/ 文件编码混杂，请另存为 CSV UTF-8") from None
    raise SourceError(f"{path}:{line}: not {encoding.upper()} text from this line on (a file saved in two "
                      f"encodings?); save it again as CSV UTF-8 / 文件编码混杂，请另存为 CSV UTF-8")


def _line(data: bytes, offset: int, encoding: str) -> int:
    return data[:offset].decode(encoding, errors="replace").count("\n") + 1


def _encoding(probe: bytes) -> str:
    """UTF-8 unless the first bytes say otherwise: Excel on Chinese Windows saves "CSV" as GB18030.
    A file that is UTF-8 here and something else further on is refused by _decode, with its line."""
    try:
        probe.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(probe) - 4:      # not just a character cut in half at the probe's end
            return "gb18030"
    return "utf-8"


def _has_multiline_cells(data: bytes, n_rows: int) -> bool:
    """A quoted cell with a line break makes Arrow's row index differ from the record number we show."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return lines - 1 != n_rows


def _read_stdlib(path: Path, text: str) -> RawTable:
    rows = list(csv.reader(io.StringIO(text, newline="")))    # "\r" ends a line too
    header = rows[0]
    width = len(header)
    ragged = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            ragged.append((number, ",".join(row)))
        if len(row) > width:
            del row[width:]
    table = RawTable.from_rows(path.stem, str(path), [header] + rows[1:])
    table.ragged = ragged
    return table
