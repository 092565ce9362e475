"""A re-run of exactly what the last published run was made of: nothing to summarize, nothing to write.

The run key is a SHA-256 over everything a run's outputs are made of:
  - what was read: each tab's digest (store/rows.py: its columns' texts and codes, the rows kept, the
    keys), its title, header and row numbers, what could not be read, the days validated as of;
  - what the archive adds (store/facts.py): submission times it dated, late edits, the summaries
    published before (the trends); with sign-off, the sign-off it holds for each day;
  - the files of policies/, the code that makes the outputs (sync/**.py, site/templates/, the
    installed distributions, the Python), the days, the --force reason, the source and output folders.
A published run keeps its key and the state of each file it left (the days' files, every summary on
file, the index: SHA-256, the mode of private ones, or absent) in the archive; a day's page may also
be as `build` rewrites it. A run whose key is the newest published
run's, after which no read stored a new version, and whose files are all as that run left them, writes
nothing and reports what that run reported. Anything else runs in full: stale beats wrong.

A workbook or CSV folder also gives a key before reading (`ahead`): the code, policies and arguments as
above, the bytes of every file of the source and the sign-offs. The published run keeps it when the
source's files stood still while they were read. A run whose key before reading is the newest published
run's, when every run since repeated that run, no version was stored since and the files are as it left
them, neither reads nor validates: its reads are recorded as that run's (Archive.record_repeat).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..render.text import unsearchable

CODE = Path(__file__).resolve().parents[1]                  # the sync package
TEMPLATES = CODE.parent / "site" / "templates"              # sync/render/report.py's TEMPLATES


@dataclass
class Previous:
    """The published run this one repeats: its id, each day's outcome and the guards' error counts."""
    run_id: int
    days: list[dict]
    errors: dict[str, int]
    in_source: tuple[int, int] | None = None     # errors and warnings in the source (older records: None)


class _Key:
    def __init__(self) -> None:
        self.sha = hashlib.sha256()

    def add(self, label: str, data: bytes | str) -> None:
        data = data.encode() if isinstance(data, str) else data
        self.sha.update(f"{label}:{len(data)}:".encode())   # length-prefixed: no two inputs run together
        self.sha.update(data)

    def add_json(self, label: str, value) -> None:
        self.add(label, json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))

    def copy(self) -> "_Key":
        other = _Key()
        other.sha = self.sha.copy()
        return other


def _files(folder: Path, pattern: str = "*") -> list[Path]:
    return sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)


@functools.cache
def code() -> str:
    """SHA-256 of the code that makes the outputs: the package's sources, the page templates, the
    installed distributions by name and version (their .dist-info folders), the Python."""
    key = _Key()
    for path in _files(CODE, "*.py") + _files(TEMPLATES):
        key.add(str(path.relative_to(CODE.parent)), path.read_bytes())
    installed = sorted(name for entry in sys.path if os.path.isdir(entry)
                       for name in os.listdir(entry) if name.endswith((".dist-info", ".egg-info")))
    key.add_json("installed", [sys.version, installed])
    return key.sha.hexdigest()


def _common(source, policies: str | Path, days: list[dt.date], force_reason: str | None, folders: list[Path]) -> _Key:
    """A key begun with what every run key has: the code, the policies, the run's arguments."""
    key = _Key()
    key.add("code", code())
    root = Path(policies)
    for path in _files(root):
        key.add(f"policies/{path.relative_to(root).as_posix()}", path.read_bytes())
    key.add_json("run", {"source": str(Path(source).resolve()), "days": [d.isoformat() for d in days],
                         "force": force_reason, "folders": [str(f.resolve()) for f in folders]})
    return key


@dataclass
class Ahead:
    """The key of a run made before reading, from the source's bytes, and the source's files as hashed."""
    key: str
    root: Path
    files: list[tuple]
    begun: _Key = field(compare=False, repr=False)     # _common's part, for run_key: policies read once

    def still(self) -> bool:
        """The source's files as they were when hashed: one saved, added or removed during the read
        makes the key moot."""
        try:
            return _stats(_source_files(self.root)) == self.files
        except OSError:
            return False


def _source_files(root: Path) -> list[Path]:
    return _files(root) if root.is_dir() else [root]


def _stats(paths: list[Path]) -> list[tuple]:
    return [(str(p), s.st_ino, s.st_size, s.st_mtime_ns) for p in paths for s in [p.stat()]]


def ahead(*, source, policies: str | Path, days: list[dt.date], force_reason: str | None, folders: list[Path],
          signoffs: dict[str, dict | None] | None) -> Ahead | None:
    """A run key made before reading: the code, the policies and the arguments as in run_key, the bytes of
    every file of the source (a workbook, or a folder and all below it) and the sign-offs. None when the
    source is not a file or folder that can be read."""
    root = Path(source)
    try:
        paths = _source_files(root)
        files = _stats(paths)
        begun = _common(source, policies, days, force_reason, folders)
        key = begun.copy()
        for path in paths:
            with open(path, "rb") as f:
                key.add(f"source/{path.relative_to(root).as_posix() if root.is_dir() else path.name}",
                        hashlib.file_digest(f, "sha256").digest())
    except OSError:
        return None
    key.add_json("signoffs", signoffs)
    return Ahead(key.sha.hexdigest(), root, files, begun)


def run_key(*, source, policies: str | Path, days: list[dt.date], force_reason: str | None, folders: list[Path],
            workbook, result, reading, facts, signoffs: dict[str, dict | None] | None,
            begun: _Key | None = None) -> str:
    """The run key (see the module's docstring); begun: _common's part as `ahead` made it, when it did."""
    key = begun.copy() if begun is not None else _common(source, policies, days, force_reason, folders)
    for table in workbook.tables:
        key.add_json("tab", [table.title, table.source, table.sheet, table.header, table.n_rows, table.unreadable,
                             table.ragged])
        if table.row_numbers is not None:
            key.add("tab rows", table.row_numbers.tobytes())
    key.add_json("workbook", [workbook.source, workbook.unavailable])
    for name, rows in sorted(reading.rows.items()):
        key.add_json("read", [name, rows.tab, rows.source, rows.header, len(rows)])
        key.add("digest", rows.digest)
        key.add("row numbers", rows.rows.tobytes())
    key.add_json("result", [result.source, result.as_of, {s: t.title for s, t in sorted(result.tabs.items())},
                            result.missing, result.unavailable, len(result.issues), len(result.errors)])
    run_days = {d.isoformat() for d in days}
    key.add_json("facts", {
        "submitted": {str(row): at.isoformat() for row, at in facts.submitted.items()},
        "filled": facts.filled,
        "late_edits": {day: edits for day, edits in facts.late_edits.items() if edits},
        # this run's own days come from the run itself, as it makes them, not from the archive
        "published": {day: body for day, body in facts.published.items() if day not in run_days}})
    key.add_json("signoffs", signoffs)
    return key.sha.hexdigest()


def _state(path: Path, private: bool = False) -> list | None:
    """[SHA-256, mode] of a regular file (the mode of private ones only: they must stay 0600), None when
    there is none; a link or a folder is "other"."""
    try:
        found = path.lstat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return ["other", None]
    return [hashlib.sha256(path.read_bytes()).hexdigest(), stat.S_IMODE(found.st_mode) if private else None]


def as_built(page: bytes) -> bytes:
    """A day's page as `build` writes it over the one `run` wrote (kept out of the search index), so
    that a build in between is no change."""
    return unsearchable(page.decode("utf-8")).encode("utf-8")


def _paths(outputs, days: list[dt.date]) -> list[Path]:
    """The files a run of these days writes or removes, the summaries on file (latest.json and the index
    are made from them all) and the index."""
    paths = set(outputs.summaries.glob("*.json")) | {outputs.reports / "index.md"}
    for day in days:
        name = day.isoformat()
        paths |= {outputs.summaries / f"{name}.json", outputs.private / f"{name}.json",
                  outputs.exports / f"{name}.csv", outputs.exports / f"{name}.xlsx", outputs.reports / f"{name}.md"}
    return sorted(paths)


def record(outputs, days: list, errors: dict[dt.date, int], in_source: tuple[int, int],
           ahead: str | None = None) -> dict:
    """What a published run left: each file's state (and a day page's as a build rewrites it), each
    day's outcome (jobs.DayOutcome), the guards' error count per day, the errors and warnings in the
    source, and its key made before reading (when the source stood still while it was read)."""
    files, built = {}, {}
    for path in _paths(outputs, [d.date for d in days]):
        files[str(path)] = _state(path, path.parent == outputs.private)
        if path.parent == outputs.reports and path.name != "index.md" and files[str(path)]:
            built[str(path)] = [hashlib.sha256(as_built(path.read_bytes())).hexdigest(), None]
    return {"files": files, "built": built,
            "days": [{"date": d.date.isoformat(), "status": d.status, "reporting": d.reporting, "errors": d.errors,
                      "warnings": d.warnings, "signoff": d.signoff} for d in days],
            "errors": {day.isoformat(): n for day, n in errors.items()},
            "in_source": list(in_source), **({"ahead": ahead} if ahead else {})}


def previous(archive, reading, key: str, outputs, days: list[dt.date]) -> Previous | None:
    """The newest published run, when this run repeats it: the same key, no version stored since, and
    every file as it left them (summaries on file neither added nor removed). None: run in full."""
    last = archive.last_outputs(reading.run_id)
    if last is None or last[1] != key:
        return None
    return _left_as_is(archive, last, outputs, days)


def repeated(archive, ahead: Ahead, outputs, days: list[dt.date]) -> Previous | None:
    """previous(), found before reading: the newest published run's key made before reading is this
    one's, every run since repeated it, no version stored since and every file as it left them."""
    last = archive.last_outputs()
    if last is None or last[3].get("ahead") != ahead.key or not archive.only_repeats_since(last[0]):
        return None
    return _left_as_is(archive, last, outputs, days)


def _left_as_is(archive, last: tuple, outputs, days: list[dt.date]) -> Previous | None:
    run_id, _, last_version, kept = last
    if archive.last_version() != last_version:
        return None
    try:
        files, built = kept["files"], kept.get("built", {})
        if sorted(files) != [str(p) for p in _paths(outputs, days)]:      # a summary added or removed by hand
            return None
        for path, state in files.items():
            now = _state(Path(path), Path(path).parent == outputs.private)
            if now != state and (path not in built or now != built[path]):
                return None
        said = [{k: d[k] for k in ("date", "status", "reporting", "errors", "warnings", "signoff")} for d in kept["days"]]
        errors = {day: int(n) for day, n in kept["errors"].items()}
        if [d["date"] for d in said] != [d.isoformat() for d in days] or sorted(errors) != [d["date"] for d in said]:
            return None
        in_source = kept.get("in_source")
        return Previous(run_id, said, errors, (int(in_source[0]), int(in_source[1])) if in_source else None)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OSError):    # a record it cannot read
        return None
