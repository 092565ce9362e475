"""What python-calamine loses or cannot survive in an .xlsx, found by a quick look at the zip.

This is not a reader: calamine reads every cell. Two things it gets wrong are put right here,
and this is the only module of ours that looks inside a workbook's XML:

* error values: calamine 0.9 hands a cell holding #DIV/0!, #REF!, ... over as an empty
  string (in an .ods, as the number 0), which would turn a broken formula into a silent blank. Cells with t="e" are found
  again and their error text is put back (xlsx.py), so the validator can point at them.
* negative date serials: calamine reads -5 in a date format as the time 00:00:00, a silent
  wrong value (Excel shows ####); such cells are read as the number typed.
* UTF-16 parts: calamine reads a UTF-16 sheet as empty and refuses a UTF-16 workbook.xml, rels
  or shared-string table; a workbook with any is read from a copy in memory with those
  parts in UTF-8 (utf8_copy).
* far cells: calamine holds a tab as one dense block from A1 to its last cell, so a single
  value at XFD1048576 asks for 512 GiB and aborts the whole process (Rust's out-of-memory
  handler aborts; nothing can catch it). A tab whose cells reach further than MAX_CELLS is
  kept from calamine and read row by row instead (sparse.py).

The workbook's own structure (which zip member holds which tab) is read with ElementTree, which
takes any namespace prefix and encoding; the sheets themselves are only searched, never parsed.
"""
from __future__ import annotations

import io
import re
import threading
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
_DECLARED = re.compile(r"""encoding\s*=\s*["'][Uu][Tt][Ff]-?16(?:[LB]E)?["']""")

# A cell in any writer's form: any prefix, attributes in any order, either quote, spaces.
_ERROR = re.compile(rb"""\bt\s*=\s*["']e["']""")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*?)(/>|>(.*?)</(?:[\w.-]+:)?c\s*>)", re.S)
_REF = re.compile(rb"""\br\s*=\s*["']\$?([A-Z]{1,3})\$?([0-9]{1,7})["']""")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v\b[^>]*>([^<]*)</(?:[\w.-]+:)?v\s*>")
_NEGATIVE = re.compile(rb"v>-")
_CELL_START = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?(?:c|row)\s*>")
_HAS_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is)\b")
# Quick tests (a literal first, so the search is fast) that a tab may reach past column Z or
# row 999,999 (a cell's or a row's r=), or quotes its attributes with ' (which these tests and
# the error search would miss); only then is every cell looked at. A tab that passes them
# reaches at most Z999999 (26 M cells, 830 MB in calamine). Not covered: spaces around an
# attribute's = (r = "A1"), which no writer we know of uses; such a file could still make
# calamine abort.
_SUSPECT = [re.compile(rb'r="[A-Z]{2}'), re.compile(rb'r="[A-Z]?[0-9]{7}')]
_SINGLE_QUOTED = b"='"


@dataclass
class Gaps:
    errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # tab -> {(row, col): '#REF!'}
    negative: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # tab -> {(row, col): '-5'}
    refused: dict[str, str] = field(default_factory=dict)        # tab -> why calamine must not read it


class Progress:
    """Gaps as they are found, tab by tab, for a reader in another thread to wait on."""

    def __init__(self) -> None:
        self.gaps = Gaps()
        self._searched: set[str] = set()
        self._finished = False
        self._changed = threading.Condition()

    def searched(self, tab: str) -> None:
        with self._changed:
            self._searched.add(tab)
            self._changed.notify_all()

    def finish(self, found: Gaps | None = None) -> None:
        with self._changed:
            if found is not None:
                self.gaps = found
            self._finished = True
            self._changed.notify_all()

    def wait(self, tab: str) -> Gaps:
        """The gaps, once the tab has been searched (or everything has)."""
        with self._changed:
            self._changed.wait_for(lambda: self._finished or tab in self._searched)
            return self.gaps


def utf8_copy(path: Path) -> io.BytesIO | None:
    """The workbook with its UTF-16 XML parts in UTF-8, in memory; None when it has none (or is
    no zip: calamine says what it is)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = [i for i in archive.infolist() if i.filename.endswith((".xml", ".rels"))]
            wide = [i.filename for i in parts if _utf16(archive.open(i).read(4))]
            if not wide:
                return None
            copy = io.BytesIO()
            with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
                for info in archive.infolist():
                    data = archive.read(info)
                    if info.filename in wide:
                        text = data.decode("utf-16")
                        data = _DECLARED.sub('encoding="UTF-8"', text.lstrip("\ufeff"), count=1).encode("utf-8")
                    out.writestr(info.filename, data)
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return None
    copy.seek(0)
    return copy


def _utf16(start: bytes) -> bool:
    """A byte-order mark, or '<?' in UTF-16 without one."""
    return start[:2] in (b"\xff\xfe", b"\xfe\xff") or start in (b"<\x00?\x00", b"\x00<\x00?")


def tab_sizes(path: Path | io.BytesIO) -> dict[str, int]:
    """{tab name: bytes of its XML} of an .xlsx/.xlsm; empty when this cannot follow the zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            return {name: archive.getinfo(member).file_size for name, member in sheet_members(archive).items()}
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, ElementTree.ParseError, RuntimeError):
        return {}
    finally:
        if isinstance(path, io.BytesIO):
            path.seek(0)


def inspect(path: Path | io.BytesIO, progress: Progress | None = None) -> Gaps:
    """The error cells, negative serials and refused tabs of an .xlsx/.xlsm (or the error cells
    of an .ods); nothing for a zip this cannot follow (calamine's own read then says what is
    wrong). With progress, each tab is announced as soon as it has been searched."""
    progress = progress or Progress()
    found = progress.gaps
    try:
        with zipfile.ZipFile(path) as archive:
            members = sheet_members(archive)
            # Largest first, the order in which xlsx.py parses them.
            for name in sorted(members, key=lambda tab: -archive.getinfo(members[tab]).file_size):
                _scan(archive, name, members[name], found)
                progress.searched(name)
            if not found.errors and "content.xml" in archive.namelist():
                found.errors.update(ods_errors(archive))
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, ValueError, EOFError,
            ElementTree.ParseError, NotImplementedError, RuntimeError):
        pass                                # a damaged part: calamine's read of it says so
    finally:
        progress.finish(found)
    return found


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_CALCEXT_TYPE = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"


def ods_errors(archive: zipfile.ZipFile) -> dict[str, dict[tuple[int, int], str]]:
    """Error cells of an .ods: LibreOffice stores =1/0 as the float 0 with calcext:value-type
    "error", which calamine reads as 0, a silent wrong figure. Only looked for when the file
    has any; repeated rows and cells are counted as calamine counts them."""
    if "content.xml" not in archive.namelist() or not any(b'value-type="error"' in part for part in
                                                          _parts(archive, "content.xml")):
        return {}
    found: dict[str, dict[tuple[int, int], str]] = {}
    tab, row, col = None, 0, 0
    with archive.open("content.xml") as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = element.tag
            if event == "start" and tag == _ODS_TABLE + "table":
                tab, row = element.get(_ODS_TABLE + "name"), 0
            elif event == "start" and tag == _ODS_TABLE + "table-row":
                col = 0
            elif event == "end" and tag in (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell"):
                if element.get(_CALCEXT_TYPE) == "error" and tab is not None:
                    text = "".join(element.itertext()).strip()
                    found.setdefault(tab, {})[(row, col)] = text
                col += int(element.get(_ODS_TABLE + "number-columns-repeated", "1"))
                element.clear()
            elif event == "end" and tag == _ODS_TABLE + "table-row":
                row += int(element.get(_ODS_TABLE + "number-rows-repeated", "1"))
                element.clear()
    return found


def xls_gaps(path: Path) -> Gaps:
    """Error cells and negative date serials of an .xls (BIFF, not XML: calamine loses both there
    too), found with xlrd, the maintained .xls reader, which keeps each cell's own type."""
    import xlrd

    found = Gaps()
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception:                       # xlrd refuses what calamine may still read: nothing to add
        return found
    try:
        with book:
            for index in range(book.nsheets):
                sheet = book.sheet_by_index(index)
                for r in range(sheet.nrows):
                    for c, (kind, value) in enumerate(zip(sheet.row_types(r), sheet.row_values(r))):
                        if kind == xlrd.XL_CELL_ERROR:
                            text = xlrd.error_text_from_code.get(value, "#N/A")
                            found.errors.setdefault(sheet.name, {})[(r, c)] = text
                        elif kind == xlrd.XL_CELL_DATE and value < 0:
                            found.negative.setdefault(sheet.name, {})[(r, c)] = repr(value)
                book.unload_sheet(index)
    except Exception:                       # a sheet xlrd cannot follow: calamine's reading stands
        pass
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
    targets: dict[str, str] = {}
    if rels_name in names:
        for rel in ElementTree.fromstring(archive.read(rels_name)):
            target = rel.get("Target", "")
            targets[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else str(base / target)
    members: dict[str, str] = {}
    for sheet in ElementTree.fromstring(archive.read(workbook)).iter():
        if sheet.tag in (f"{{{_MAIN}}}sheet", f"{{{_STRICT}}}sheet"):
            rid = next((sheet.get(a) for a in _REL_ATTR if sheet.get(a)), "")
            name = sheet.get("name")
            if name is not None and targets.get(rid or "") in names:
                members[name] = targets[rid or ""]
    return members


def _scan(archive: zipfile.ZipFile, name: str, member: str, found: Gaps) -> None:
    """One pass over the tab's XML, a chunk at a time, each chunk cut after a row's end."""
    errors: dict[tuple[int, int], str] = {}
    negative: dict[tuple[int, int], str] = {}
    suspect = unplaced = False
    for part in _parts(archive, member):
        # Each search of several bytes costs about 0.1 s per 100 MB; one of a single byte
        # (memchr) a tenth of that. So the rare byte of each search is looked for first: most
        # sheets hold no ', no - and, with shared strings, no e after the first chunk.
        single = b"'" in part and _SINGLE_QUOTED in part
        suspect = suspect or single or any(p.search(part) for p in _SUSPECT)
        if single or b"e" in part and b'"e"' in part:
            unplaced |= _values(part, _ERROR.finditer(part), errors)
        if b"-" in part and b"v>-" in part:
            unplaced |= _values(part, _NEGATIVE.finditer(part), negative)
    if unplaced:                            # a cell without r=: its place is found by counting
        errors, negative = _placed(archive, member)
    if errors:
        found.errors[name] = errors
    if negative:
        found.negative[name] = negative
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


def _values(data: bytes, hits, into: dict) -> bool:
    """{(row index, column index): raw value} of the cell around each hit; True if one of
    those cells has no reference."""
    unplaced = False
    for hit in hits:
        cell = _cell_around(data, hit.start())
        value = _VALUE.search(cell.group(3) or b"") if cell else None
        if cell is None or value is None:
            continue
        ref = _REF.search(cell.group(1))
        if ref is None:
            unplaced = True
            continue
        letters, row = ref.groups()
        into[(int(row) - 1, _column(letters))] = value.group(1).decode("utf-8", "replace").strip()
    return unplaced


def _cell_around(data: bytes, at: int) -> re.Match | None:
    """The <c> element holding position at: the nearest cell start tag before it, tag by tag."""
    for _ in range(64):                     # a cell's tags: <c>, <f>, <v>, <is>, <r>, <rPr>, <t>, ...
        at = data.rfind(b"<", 0, at)
        if at < 0 or data.startswith(b"</", at) and _CELL_END.match(data, at):
            return None
        if _CELL_START.match(data, at):
            return _CELL.match(data, at)
    return None


def _placed(archive: zipfile.ZipFile, member: str) -> tuple[dict, dict]:
    """Error and negative cells of a tab with cells (or rows) without references, placed the way
    calamine places them: a row without r= is the next row, a cell without r= the next cell."""
    errors, negative = {}, {}
    row = col = -1
    with archive.open(member) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start" and tag == "row":
                row, col = (int(element.get("r")) - 1 if element.get("r") else row + 1), -1
            elif event == "start" and tag == "c":
                ref = _REF.match(b' r="' + element.get("r", "").encode() + b'"')
                if ref:
                    row, col = int(ref.group(2)) - 1, _column(ref.group(1))
                else:
                    col += 1
            elif event == "end" and tag == "c":
                value = next((v.text for v in element if v.tag.rsplit("}", 1)[-1] == "v"), None) or ""
                if element.get("t") == "e" and value:
                    errors[(row, col)] = value.strip()
                elif value.strip().startswith("-"):
                    negative[(row, col)] = value.strip()
                element.clear()
            elif event == "end" and tag == "row":
                element.clear()
    return errors, negative


def _column(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1
