"""Read each campus's /data/ files, check them, and keep what was read on disk.

One request per campus tells what changed: index.json, asked for conditionally. The index lists
every day's files with their SHA-256, so only new or changed days are read; the rest comes from
the cache, which holds the figures of every day that validated, per campus. A campus that is down
or serves broken files today keeps its last good figures, which the roll-up marks stale.

A few new days (fetch.per_day_up_to, a daily refresh or a short gap) are read file by file, each
summary checked against the whole contract. More (a first roll-up: a year of a campus) come
from days.csv in one request, row by row checked (sync/rollup/bulk.py); the day the pages show
is still read from its own files, checked whole, and must agree with its row.

requests-cache and CacheControl were considered for the cache: both keep HTTP responses, as
sent. What the roll-up must keep is the last *validated* figures of each campus (a file that
fails the contract must not replace them) and, for 365 days x 120 campuses, one small file per
campus rather than 43,800 cached responses to revalidate each morning; the index's hashes make
that revalidation unnecessary.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
from pydantic import ValidationError

from ..config.base import key_text
from ..publish.files import write_bytes
from ..render.opendata import UNIT_HEAD
from ..summarize import contract
from . import bulk
from .config import Campus, Fetch
from .fetch import Budget, FolderSource, HttpSource, Unavailable

CACHE_FORMAT = 2
# The schema_version values this roll-up reads. A summary with any other is refused by name
# (unknown-schema-version), never read by guessing.
KNOWN_VERSIONS = frozenset({contract.SCHEMA_VERSION})
BULK = "days.csv"


@dataclass
class Fetched:
    """What is known of one campus after this run's reading."""
    campus: Campus
    days: dict[str, dict]                          # date -> figures of a day that validated
    error: str | None = None                       # why the campus could not be read now
    problems: dict[str, str] = field(default_factory=dict)       # date -> why that day's files were refused
    versions: dict[str, object] = field(default_factory=dict)    # date -> an unknown schema_version
    awaiting: list[str] = field(default_factory=list)            # days that await the office's sign-off
    bulk_error: str | None = None                  # why days.csv (or a row of it) was not used
    requests: int = 0
    downloaded: int = 0                            # bytes
    not_modified: int = 0


def record(summary: dict, unit_csv: bytes | None, shas: dict, published_at: str | None = None) -> dict:
    """The figures the roll-up keeps of one validated day (the cache's unit). published_at: when the
    day's file first appeared (its Last-Modified, or the file's mtime), for on time or late."""
    rep = summary.get("reporting")
    return {"date": summary["date"], "status": summary["status"], "schema_version": summary["schema_version"],
            "cutoff": summary.get("cutoff"), "published_at": published_at, "counts": summary.get("units"),
            "reporting": {k: rep.get(k) for k in ("expected", "reported", "on_time", "late", "rate")} if rep else None,
            "unit_sums": _unit_sums(unit_csv) if unit_csv is not None else None,
            "held": summary.get("held"), "signoff": summary.get("signoff"), "sha": shas}


def _unit_sums(data: bytes) -> dict[str, int]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    if not rows or rows[0][:len(UNIT_HEAD)] != UNIT_HEAD:
        raise ValueError(f"header should start with {','.join(UNIT_HEAD)}")
    width, first = len(rows[0]), len(UNIT_HEAD)
    for k, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise ValueError(f"line {k}: {len(row)} cells, header has {width}")
    reported = [row for row in rows[1:] if row[4] == "true"]
    return {name: sum(int(row[c]) for row in reported if row[c]) for c, name in enumerate(rows[0][first:], first)}


def _shas(entry: dict) -> dict:
    return {"summary": entry["summary_sha256"], "units": entry.get("units_sha256")}


class Reader:
    """since: the first day worth reading (the trends' window and the checks' look-back); older days
    are neither fetched nor kept. until: the roll-up's day (later days are read but not shown)."""

    def __init__(self, settings: Fetch, cache_dir: str | Path, since: dt.date | None = None,
                 until: dt.date | None = None):
        self.settings, self.cache_dir = settings, Path(cache_dir)
        self.since = since.isoformat() if since else ""
        self.until = until.isoformat() if until else "9999-12-31"
        self.budget, self.sessions = Budget(settings), threading.local()

    def source(self, campus: Campus) -> FolderSource | HttpSource:
        if campus.folder is not None:
            return FolderSource(campus.folder)
        return HttpSource(campus.url or "", self.settings, self.budget, self.sessions)

    def read_all(self, campuses: list[Campus]) -> list[Fetched]:
        with ThreadPoolExecutor(max_workers=self.settings.concurrency, thread_name_prefix="rollup") as pool:
            return list(pool.map(self.read, campuses))

    def _cache(self, campus: Campus) -> Path:
        return self.cache_dir / f"{campus.id}.json"

    def _load_cache(self, campus: Campus) -> dict:
        try:
            cached = msgspec.json.decode(self._cache(campus).read_bytes())
            if (isinstance(cached, dict) and cached.get("format") == CACHE_FORMAT
                    and cached.get("source") == self.source(campus).where("")):
                return cached
        except (OSError, ValueError):
            pass
        return {"format": CACHE_FORMAT, "source": self.source(campus).where(""), "index": None, "days": {},
                "awaiting": []}

    def read(self, campus: Campus) -> Fetched:
        cache = self._load_cache(campus)
        source = self.source(campus)
        days: dict[str, dict] = cache["days"]
        out = Fetched(campus, days, awaiting=cache["awaiting"])
        shown = max((d for d in days if d <= self.until), default=None)
        # A day to show that only days.csv gave (an earlier run for a later day) is read whole: ask
        # for the index without its validator, so that its files are listed.
        validator = None if shown and days[shown].get("from") == BULK else cache["index"]
        try:
            reply = source.get("data/index.json", validator)
            out.requests += 1
            if reply.body is None:
                out.not_modified += 1
                return out
            out.downloaded += len(reply.body)
            index = _index(reply.body, self.since)
        except Unavailable as exc:
            out.error = f"unreachable: {exc}"
            return out
        except ValueError as exc:
            out.error = f"invalid: {source.where('data/index.json')}: {exc}"
            return out
        listed = {e["date"]: e for e in index["days"] if e["date"] >= self.since}
        out.awaiting = cache["awaiting"] = sorted(index.get("awaiting") or [])
        wanted = {d: e for d, e in listed.items() if days.get(d, {}).get("sha") != _shas(e)}
        rows: dict[str, dict] = {}
        if len(wanted) > self.settings.per_day_up_to and (index.get("sha256") or {}).get(BULK):
            rows = self._bulk(source, index["sha256"][BULK], wanted, out)
        whole = self._whole(source, listed, {d: e for d, e in wanted.items() if d not in rows}, rows, out)
        for date in [d for d in days if d not in listed]:      # a day the campus withdrew
            del days[date]
        if out.error:                                          # days.csv lied: keep none of it
            for date in [d for d, r in days.items() if r.get("from") == BULK]:
                del days[date]
            rows = {}
        for date, fresh in {**rows, **whole}.items():
            if date in days and days[date].get("published_at") and fresh.get("published_at"):
                # an evening rerun: first publication counts
                fresh["published_at"] = min(days[date]["published_at"], fresh["published_at"])
            days[date] = fresh
        # The index's validator is kept only when every day it lists was read: otherwise the next run
        # must ask again rather than hear 304 and never retry the day that failed.
        cache["index"] = reply.validator if not out.problems and not out.error else None
        # Compact, by msgspec: a year of a campus is 180 KB, which the standard library took ~10 ms a
        # campus to read and write again each morning (more than a second of a 120-campus refresh).
        write_bytes(self._cache(campus), msgspec.json.encode(cache))
        return out

    def _whole(self, source, listed: dict, wanted: dict, rows: dict, out: Fetched) -> dict:
        """The days read from their own files: those wanted, and (when days.csv gave the rest) the
        newest day to show, or the next older one while it does not validate."""
        got: dict[str, dict] = {}
        for date, entry in wanted.items():
            self._one(source, entry, got, out)
        for date in sorted((d for d in listed if d <= self.until), reverse=True):
            if date in got:
                break
            if date in out.problems:
                continue
            cached = out.days.get(date)
            from_rows = rows.get(date) or (cached if cached and cached.get("from") == BULK else None)
            if from_rows is None:
                break                      # already read whole in an earlier run
            if self._one(source, listed[date], got, out):
                why = bulk.disagreement(from_rows, got[date])
                if why:
                    day_file = source.where("data/" + listed[date]["summary"])
                    out.error = f"invalid: {source.where('data/' + BULK)} and {day_file} disagree on {date}: {why}"
                break
        return got

    def _one(self, source, entry: dict, got: dict, out: Fetched) -> bool:
        date = entry["date"]
        try:
            got[date] = self._day(source, entry, _shas(entry), out)
            return True
        except Unavailable as exc:
            out.problems[date] = f"unreachable: {exc}"
        except ValueError as exc:
            out.problems[date] = str(exc)
        return False

    def _bulk(self, source, sha: str, wanted: dict, out: Fetched) -> dict[str, dict]:
        """The wanted days' records from days.csv; a row it refuses is read from its own files."""
        try:
            reply, where = self._checked(source, BULK, sha, out)
            lines, _ = bulk.rows(reply.body)
        except Unavailable as exc:
            out.bulk_error = f"unreachable: {exc}"
            return {}
        except (ValueError, UnicodeDecodeError) as exc:
            out.bulk_error = f"{source.where('data/' + BULK)}: {exc}"
            return {}
        got: dict[str, dict] = {}
        seen: set[str] = set()
        for line, row in lines:
            entry = wanted.get(row.get("date") or "")
            if entry is None:
                continue
            try:
                if entry["date"] in seen:          # which of the two is the day's? Neither: read it whole
                    got.pop(entry["date"], None)
                    raise ValueError(f"line {line}: date: {entry['date']} is there twice")
                seen.add(entry["date"])
                rec = bulk.record(line, row, _shas(entry))
                if rec["schema_version"] not in KNOWN_VERSIONS:
                    raise ValueError(f"line {line}: schema_version: {rec['schema_version']!r} is not one this "
                                     f"roll-up reads")
            except ValueError as exc:
                out.bulk_error = out.bulk_error or f"{where}: {exc}"
                continue
            got[rec["date"]] = rec
        return got

    def _checked(self, source, rel: str, sha: str, out: Fetched):
        """(reply, where) of one file of data/, its bytes counted and held to index.json's SHA-256."""
        reply = source.get(f"data/{rel}")
        out.requests += 1
        out.downloaded += len(reply.body)
        where = source.where(f"data/{rel}")
        if hashlib.sha256(reply.body).hexdigest() != sha:
            raise ValueError(f"{where}: its SHA-256 differs from index.json's (changed while being read?)")
        return reply, where

    def _day(self, source, entry: dict, shas: dict, out: Fetched) -> dict:
        reply, where = self._checked(source, entry["summary"], shas["summary"], out)
        try:
            summary = msgspec.json.decode(reply.body)
        except ValueError as exc:
            raise ValueError(f"{where}: not JSON: {exc}") from None
        problems = summary_problems(summary)
        if problems:
            if isinstance(summary, dict) and summary.get("schema_version") not in KNOWN_VERSIONS:
                out.versions[entry["date"]] = summary.get("schema_version")
            raise ValueError(f"{where}: " + "; ".join(problems[:3]))
        if summary["date"] != entry["date"]:
            raise ValueError(f"{where}: date: {summary['date']} where index.json says {entry['date']}")
        if not entry.get("units"):
            return record(summary, None, shas, reply.modified)
        units_reply, uwhere = self._checked(source, entry["units"], shas["units"], out)
        try:
            return record(summary, units_reply.body, shas, reply.modified)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"{uwhere}: {exc}") from None


def _index(body: bytes, since: str = "") -> dict:
    """index.json, its days from since on checked for the keys the roll-up follows (the others are
    not read: a year of them is most of a daily refresh's work)."""
    data = msgspec.json.decode(body)
    if not isinstance(data, dict) or not isinstance(data.get("days"), list):
        raise ValueError("expected an object with a days list")
    for k, entry in enumerate(data["days"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("date"), str):
            raise ValueError(f"days.{k}: expected date, summary and summary_sha256")
        if entry["date"] < since:
            continue
        if not (isinstance(entry.get("summary"), str) and isinstance(entry.get("summary_sha256"), str)):
            raise ValueError(f"days.{k}: expected date, summary and summary_sha256")
        if entry.get("units") is not None and not isinstance(entry.get("units_sha256"), str):
            raise ValueError(f"days.{k}: units without units_sha256")
        if ".." in entry["summary"] or entry["summary"].startswith("/") or ".." in (entry.get("units") or ""):
            raise ValueError(f"days.{k}: a path outside data/")
    for key, kind in (("awaiting", list), ("sha256", dict)):
        if data.get(key) is not None and not isinstance(data[key], kind):
            raise ValueError(f"{key}: expected a {kind.__name__}")
    if not all(isinstance(d, str) for d in data.get("awaiting") or []):
        raise ValueError("awaiting: expected a list of dates")
    return data


def summary_problems(body: object) -> list[str]:
    """How a campus's summary breaks the published contract (sync/summarize/contract.py), as
    `key.path: message`; the schema_version first and alone: another version is not ours to judge."""
    if not isinstance(body, dict):
        return [f"(top): expected a JSON object, got {type(body).__name__}"]
    if body.get("schema_version") not in KNOWN_VERSIONS:
        return [f"schema_version: {body.get('schema_version')!r} is not one this roll-up reads ({sorted(KNOWN_VERSIONS)})"]
    try:
        contract.Summary.model_validate(body)
    except ValidationError as exc:
        return [f"{key_text(e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors(include_url=False)]
    return []
