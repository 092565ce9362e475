"""A folder of .csv files, one per sheet, as Excel or WPS saves them (UTF-8 with BOM, or GB18030).

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
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0      # the BOM, skipped without a copy
    encoding = _encoding(data[start:start + (1 << 20)])
    text_head = data[start:start + 65536].decode(encoding, errors="replace")
    header = next(csv.reader(io.StringIO(text_head, newline="")), [])
    if not header:
        return RawTable(title=path.stem, source=str(path), header=[], columns=[], n_rows=0)
    table = _read_arrow(path, data, start, encoding, header)
    if table is None:
        try:
            text = data[start:].decode(encoding)
        except UnicodeDecodeError:
            text = data[start:].decode("gb18030", errors="replace")
        table = _read_stdlib(path, text)
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


def _encoding(probe: bytes) -> str:
    """UTF-8 unless the first bytes say otherwise: Excel on Chinese Windows saves "CSV" as GB18030."""
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
