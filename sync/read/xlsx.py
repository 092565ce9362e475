"""A workbook (.xlsx, .xlsm, .xls, .ods), one tab per sheet, read by python-calamine as text cells.

calamine (Rust) reads every writer's form: namespace prefixes, UTF-16 parts, rich and inline
strings, cells without references, the built-in and East Asian date formats, 1904 dates. What
it loses or cannot survive is put right in one place, gaps.py (error values, far cells, which
sparse.py reads row by row with openpyxl). This
module is the only one that calls the library, so every failure of it, a Rust panic included,
becomes a SourceError naming the file here.
"""
from __future__ import annotations

import collections
import contextlib
import datetime as dt
import gc
import io
import itertools
import os
import re
import sys
import tempfile
import threading
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
from python_calamine import CalamineWorkbook, SheetTypeEnum

from ..errors import SourceError
from . import gaps
from .sparse import read_sparse
from .table import Column, RawTable, Workbook, cell_text

_DATES = (dt.date, dt.time, dt.timedelta)     # dt.datetime is a dt.date
DAMAGED = "this file is not an .xlsx workbook, or it is damaged / 该文件不是 .xlsx 工作簿，或已损坏"
TAB_DAMAGED = "this tab is damaged or holds a value that cannot be read / 此工作表已损坏或含有无法读取的值"


def read_workbook(path: Path) -> Workbook:
    """Every worksheet of the workbook as a RawTable; a tab that cannot be read is kept as an
    unreadable RawTable (its reason said), so the other tabs are still read.

    Three steps overlap, since calamine parses a tab without holding the GIL: gaps searches the
    XML (one thread), calamine parses tabs (two threads), and each parsed tab is turned into
    text columns here as soon as it is parsed. A tab is parsed only once gaps has searched it
    (it may reach too far). Both go largest tab first: while one parser is on the largest tab,
    the other parses the rest and they are turned into text meanwhile, so that on two cores
    the read takes about as long as calamine's parse of the largest tab and its conversion.
    The tabs are returned in the workbook's order."""
    with _collector_paused(), _panic_reports_dropped():
        return _read(path)


@contextlib.contextmanager
def _collector_paused():
    """No cyclic garbage collection while a workbook is read: calamine hands over one list per
    row and every cell is a new object, none of them in a cycle, yet each list allocated moves
    the collector on, and its passes over them all cost a sixth of the read of a large
    workbook. Freed as usual by reference counting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# What Rust's panic hook prints before pyo3 turns a panic into PanicException: the thread line,
# the message, with RUST_BACKTRACE a backtrace, and a note.
_PANIC_REPORT = re.compile(r"^thread '[^'\n]*'(?: \(\d+\))? panicked at [^\n]*\n[^\n]*\n"
                           r"(?:stack backtrace:\n(?:[ \t][^\n]*\n)*)?(?:note: [^\n]*\n)?", re.M)
_stderr_lock = threading.RLock()           # a read within a read (none today) must not wait for itself


@contextlib.contextmanager
def _panic_reports_dropped():
    """Rust's panic hook writes its report to the process's stderr (file descriptor 2) before
    pyo3 raises PanicException, which _call turns into a message naming the file and tab; the
    report would read like a crash to whoever runs check. So while a workbook is read, fd 2
    goes to a temporary file; afterwards what it holds goes to stderr, less any panic report.
    (Python's own sys.stderr writes to fd 2 too: a warning is shown after the read, not lost.)
    Reads in other threads at the same time wait: fd 2 is one per process."""
    with _stderr_lock, tempfile.TemporaryFile() as held:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):       # no fd 2 (a pythonw-like host): nothing to hold
            yield
            return
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            try:
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = _PANIC_REPORT.sub("", held.read().decode("utf-8", "replace"))
            if text.strip():
                sys.stderr.write(text)
                sys.stderr.flush()


def _read(path: Path) -> Workbook:
    is_zip = zipfile.is_zipfile(path)
    utf8 = gaps.utf8_copy(path) if is_zip else None
    copy = utf8.getvalue() if utf8 else None
    sizes = gaps.tab_sizes(utf8 or path) if is_zip else {}
    progress = gaps.Progress()

    def opened() -> CalamineWorkbook:
        return _call(path, lambda: CalamineWorkbook.from_filelike(io.BytesIO(copy)) if copy else
                     CalamineWorkbook.from_path(str(path)))

    with ThreadPoolExecutor(1) as scanner, ThreadPoolExecutor(2) as parsers:
        # The scan gets its own copy of an in-memory workbook: the two threads would move one
        # stream's position under each other.
        scanner.submit(_inspect, path, copy and io.BytesIO(copy), is_zip, progress)
        book = opened()
        ahead = _Ahead(sizes)
        try:
            names = [meta.name for meta in _call(path, lambda: book.sheets_metadata)
                     if meta.typ == SheetTypeEnum.WorkSheet]        # chart and dialog sheets hold no cells
            order = sorted(names, key=lambda name: -sizes.get(name, 0))
            queue: collections.deque[tuple[str, Future]] = collections.deque((name, Future()) for name in order)
            waiting = {future: name for name, future in queue}      # each dropped once turned into text
            # Two parsers, each with a workbook of its own (calamine's is not shared between
            # threads): while one parses the largest tab, the other parses the rest.
            parsers.submit(_parse_all, path, book, queue, progress, ahead)
            if len(order) > 1:
                parsers.submit(_parse_all, path, opened, queue, progress, ahead)
            tables = {}
            for future in as_completed(list(waiting)):
                name = waiting.pop(future)
                tables[name] = _tab(path, name, future, progress.wait(name), copy)
                ahead.done(name)
                del future
        finally:
            ahead.close()
            parsers.shutdown(wait=True)
            book.close()
    return Workbook(source=str(path), tables=[tables[name] for name in names])


class _Ahead:
    """How far the parsers may run ahead of the conversion: while the tabs parsed and not yet
    turned into text hold at most twice the largest tab's XML, so that memory stays within two
    large tabs however many small ones there are (one tab ahead when the sizes are unknown)."""

    def __init__(self, sizes: dict[str, int]) -> None:
        self._sizes = sizes
        self._room = 2 * max(sizes.values(), default=1)
        self._held = 0
        self._closed = False
        self._changed = threading.Condition()

    def _size(self, name: str) -> int:
        return self._sizes.get(name, 1) if self._sizes else 1

    def take(self, name: str) -> bool:
        """Wait for room to parse the tab; False once the read has ended."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or not self._held or
                                   self._held + self._size(name) <= self._room)
            self._held += self._size(name)
            return not self._closed

    def done(self, name: str) -> None:
        with self._changed:
            self._held -= self._size(name)
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()


def _parse_all(path: Path, book: CalamineWorkbook | Callable[[], CalamineWorkbook],
               queue: collections.deque, progress: "gaps.Progress", ahead: _Ahead) -> None:
    """Parse tabs from the queue until it is empty; book is the workbook, or how to open one of
    this thread's own (closed at the end; if it cannot be opened, the other parser does all)."""
    own = None
    if not isinstance(book, CalamineWorkbook):
        try:
            book = own = book()
        except SourceError:
            return
    try:
        while True:
            try:
                name, future = queue.popleft()  # held here no longer than it takes to parse
            except IndexError:
                break
            if not ahead.take(name):
                break
            try:
                future.set_result(_parse(path, book, name, progress))
            except BaseException as exc:    # a SourceError, or an interrupt: the reader sees it
                future.set_exception(exc)
            del future
    finally:
        if own is not None:
            own.close()


def _inspect(path: Path, utf8, is_zip: bool, progress: "gaps.Progress") -> None:
    try:
        if utf8 is not None or is_zip:
            gaps.inspect(utf8 or path, progress)
        elif path.suffix.lower() == ".xls":
            progress.finish(gaps.xls_gaps(path))
    finally:
        progress.finish()                   # whatever happened, no tab waits for ever


def _parse(path: Path, book: CalamineWorkbook, name: str, progress: "gaps.Progress"):
    """calamine's tab, or None when gaps found it too far for calamine (it would abort on it)."""
    if name in progress.wait(name).refused:
        return None
    return _call(path, lambda: book.get_sheet_by_name(name), tab=name)


def _tab(path: Path, name: str, parsed, found: "gaps.Gaps", copy: bytes | None) -> RawTable:
    refused = found.refused.get(name)
    if refused:                             # too far for calamine's dense block: row by row
        try:
            return read_sparse(io.BytesIO(copy) if copy else path, name, str(path), found.negative.get(name, {}))
        except Exception as exc:            # openpyxl's errors are many; the tab is unavailable
            detail = " ".join(str(exc).split())[:160] or type(exc).__name__
            return RawTable.unreadable_tab(name, str(path), f"{refused} (openpyxl: {detail})")
    try:
        sheet = parsed.result()
        rows = _call(path, lambda: sheet.to_python(skip_empty_area=False), tab=name)
    except SourceError as exc:
        return RawTable.unreadable_tab(name, str(path), str(exc))
    for (row, col), value in found.errors.get(name, {}).items():
        if row < len(rows) and col < len(rows[row]) and _lost(rows[row][col]):
            rows[row][col] = value
    for (row, col), value in found.negative.get(name, {}).items():
        if row < len(rows) and col < len(rows[row]) and isinstance(rows[row][col], _DATES):
            rows[row][col] = _number(value)
    while rows and all(v == "" for v in rows[-1]):
        rows.pop()
    return _table(name, str(path), rows)


def _call(path: Path, read, tab: str | None = None):
    """read() with any failure of calamine as a SourceError naming the file (and the tab). A Rust
    panic arrives as pyo3's PanicException, which derives from BaseException, not Exception."""
    where = f"{path}" + (f", tab {tab!r} / 工作表“{tab}”" if tab is not None else "")
    try:
        return read()
    except (KeyboardInterrupt, SystemExit):
        raise
    except OSError as exc:
        raise SourceError(f"{where}: cannot be opened / 无法打开: {exc.strerror or exc}") from None
    except BaseException as exc:            # CalamineError, ValueError, OverflowError, PanicException, ...
        if tab is None:                     # the library's words ("Could not find EOCD") say nothing to a person
            raise SourceError(f"{where}: {DAMAGED}") from None
        # For a tab they help whoever repairs the file, so they follow the message.
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise SourceError(f"{where}: {TAB_DAMAGED} (calamine: {detail})") from None


def _lost(value) -> bool:
    """What calamine puts where an error value was: '' (.xlsx) or the float 0 (.ods)."""
    return value == "" or (type(value) is float and value == 0)


def _number(raw: str):
    """A negative serial calamine read as a date or time: the number typed (Excel shows ####)."""
    try:
        return float(raw)
    except ValueError:
        return raw


def _table(name: str, source: str, rows: list[list]) -> RawTable:
    """calamine's rows are rectangular: each column is turned into text in one pass. Blank
    columns at the right are left out (an empty formula result, <c t="str"><v/></c>, would
    otherwise widen the tab by however far it sits)."""
    width = len(rows[0]) if rows else 0
    header = [cell_text(v) for v in rows[0]] if rows else []
    columns = [_column(rows, c) for c in range(width)]
    while header and header[-1] == "" and columns[-1].uniques in ([""], []):
        header.pop()
        columns.pop()
    if not header:
        return RawTable(title=name, source=source, header=[], columns=[], n_rows=0)
    return RawTable(title=name, source=source, header=header, columns=columns, n_rows=len(rows) - 1)


def _column(rows: list[list], c: int) -> Column:
    """Column c below the header as distinct texts and a code per row, in one pass: strings as
    they are, other values converted once per distinct value (keyed with their type where
    Python holds different ones equal: True == 1 == 1.0, not here)."""
    codes: dict = {}                        # text -> its code
    converted: dict = {}                    # value (or (type, value) of a bool or int) -> code
    out = []
    for row in itertools.islice(rows, 1, None):
        v = row[c]
        kind = type(v)
        if kind is str:
            code = codes.get(v)
            if code is None:
                code = codes[v] = len(codes)
        else:
            key = (kind, v) if kind is bool or kind is int else v
            code = converted.get(key)
            if code is None:
                text = cell_text(v)
                code = converted[key] = codes.setdefault(text, len(codes))
        out.append(code)
    return Column(pa.array(list(codes), pa.string()), np.array(out, dtype=np.int32))
