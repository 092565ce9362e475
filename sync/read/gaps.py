"""What python-calamine loses or cannot survive in an .xlsx, found by a quick look at the zip.

This is not a reader: calamine reads every cell. Two things it gets wrong are put right here,
and this is the only module of ours that looks inside a workbook's XML:

* error values: calamine 0.9 hands a cell holding #DIV/0!, #REF!, ... over as an empty
  string, which would turn a broken formula into a silent blank. Cells with t="e" are found
  again and their error text is put back (xlsx.py), so the validator can point at them.
* far cells: calamine holds a tab as one dense block from A1 to its last cell, so a single
  value at XFD1048576 asks for 512 GiB and aborts the whole process (Rust's out-of-memory
  handler aborts; nothing can catch it). A tab whose cells reach further than MAX_CELLS is
  refused before calamine sees it, and only that tab is unavailable.

The workbook's own structure (which zip member holds which tab) is read with ElementTree, which
takes any namespace prefix and encoding; the sheets themselves are only searched, never parsed.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from ..issues import column_letter

# Google Sheets' cap is 10 M cells a spreadsheet; calamine holds 32 bytes a cell (640 MB here).
MAX_CELLS = 20_000_000
_CHUNK = 8 << 20

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL_ATTR = ("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
             "{http://purl.oclc.org/ooxml/officeDocument/relationships}id")
_OFFICE_DOCUMENT = re.compile(r"/officeDocument$")

# A cell in any writer's form: any prefix, attributes in any order, either quote, spaces.
_ERROR = re.compile(rb"""\bt\s*=\s*["']e["']""")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*?)(/>|>(.*?)</(?:[\w.-]+:)?c\s*>)", re.S)
_REF = re.compile(rb"""\br\s*=\s*["']\$?([A-Z]{1,3})\$?([0-9]{1,7})["']""")
_ROW = re.compile(rb"""<(?:[\w.-]+:)?row\b[^>]*?\br\s*=\s*["']([0-9]+)["']""")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v\b[^>]*>([^<]*)</(?:[\w.-]+:)?v\s*>")
_HAS_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is)\b")
# Quick tests (a literal first, so the search is fast) that a tab may reach past column Z or
# row 999,999, or writes attributes in a form these tests would miss; only then is every cell
# looked at. A tab that passes them reaches at most Z999999 (26 M cells, 830 MB in calamine).
_SUSPECT = [re.compile(rb'r="[A-Z]{2}'), re.compile(rb'r="[A-Z][0-9]{7}'), re.compile(rb'row r="[0-9]{7}')]
_ODD = (b"='", b" =", b"= ")


@dataclass
class Gaps:
    errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # tab -> {(row, col): '#REF!'}
    refused: dict[str, str] = field(default_factory=dict)                        # tab -> why it is not read


def inspect(path: Path) -> Gaps:
    """The error cells and refused tabs of an .xlsx/.xlsm; nothing for other files or a zip
    this cannot follow (calamine's own read then says what is wrong)."""
    found = Gaps()
    try:
        with zipfile.ZipFile(path) as archive:
            for name, member in sheet_members(archive).items():
                _scan(archive, name, member, found)
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, ValueError, EOFError,
            ElementTree.ParseError, NotImplementedError, RuntimeError):
        return Gaps()
    return found


def sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """{tab name: zip member of its XML}, in the workbook's order (an empty dict if not an .xlsx)."""
    names = set(archive.namelist())
    workbook = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for rel in ElementTree.fromstring(archive.read("_rels/.rels")):
            if _OFFICE_DOCUMENT.search(rel.get("Type", "")):
                workbook = rel.get("Target", workbook).lstrip("/")
    if workbook not in names:
        return {}
    base = PurePosixPath(workbook).parent
    rels_name = str(base / "_rels" / (PurePosixPath(workbook).name + ".rels"))
    targets = {}
    if rels_name in names:
        for rel in ElementTree.fromstring(archive.read(rels_name)):
            target = rel.get("Target", "")
            targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else str(base / target)
    members = {}
    for sheet in ElementTree.fromstring(archive.read(workbook)).iter():
        if sheet.tag in (f"{{{_MAIN}}}sheet", f"{{{_STRICT}}}sheet"):
            rid = next((sheet.get(a) for a in _REL_ATTR if sheet.get(a)), None)
            if sheet.get("name") is not None and targets.get(rid) in names:
                members[sheet.get("name")] = targets[rid]
    return members


def _scan(archive: zipfile.ZipFile, name: str, member: str, found: Gaps) -> None:
    """One pass over the tab's XML, a chunk at a time, each chunk cut after a row's end."""
    errors: dict[tuple[int, int], str] = {}
    suspect = False
    for part in _parts(archive, member):
        suspect = suspect or any(p.search(part) for p in _SUSPECT) or any(o in part for o in _ODD)
        if b'"e"' in part or b"'e'" in part:
            _errors(part, errors)
    if errors:
        found.errors[name] = errors
    if suspect:
        rows, cols = _extent(archive, member)
        if rows * cols > MAX_CELLS:
            far = f"{column_letter(cols - 1)}{rows}"
            found.refused[name] = (f"单元格延伸到 {far}，超过 {MAX_CELLS:,} 个单元格，请删除多余的单元格 / "
                                   f"its cells reach {far}, more than {MAX_CELLS:,} cells: delete the stray cells")


def _parts(archive: zipfile.ZipFile, member: str):
    """The member's bytes in chunks of about _CHUNK, each ending after a row's end tag."""
    with archive.open(member) as stream:
        pending = b""
        while chunk := stream.read(_CHUNK):
            data = pending + chunk
            cut = data.rfind(b"row>") + 4
            if cut < 4:
                pending = data
                continue
            yield data[:cut]
            pending = data[cut:]
        if pending:
            yield pending


def _extent(archive: zipfile.ZipFile, member: str) -> tuple[int, int]:
    """(rows, columns) from A1 to the last row and column of a referenced cell holding a value
    (a formatted empty cell, <c r="XFD1048576" s="1"/>, costs calamine nothing)."""
    rows = cols = 0
    for part in _parts(archive, member):
        for cell in _CELL.finditer(part):
            ref = _REF.search(cell.group(1))
            if ref and cell.group(2) != b"/>" and _HAS_VALUE.search(cell.group(3) or b""):
                rows, cols = max(rows, int(ref.group(2))), max(cols, _column(ref.group(1)) + 1)
    return rows, max(cols, 1)


def _errors(data: bytes, errors: dict) -> None:
    """{(row index, column index): '#REF!'} of every error cell with a reference in data."""
    for hit in _ERROR.finditer(data):
        cell = _CELL.match(data, data.rfind(b"<", 0, hit.start()))
        ref = cell and _REF.search(cell.group(1))
        value = cell and _VALUE.search(cell.group(2) or b"")
        if ref and value:
            letters, row = ref.groups()
            errors[(int(row) - 1, _column(letters))] = value.group(1).decode("utf-8", "replace").strip()


def _column(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1
