"""Read each campus's /data/ files like a good citizen, and keep what was read on disk.

One request per campus tells what changed: index.json, asked for with If-None-Match /
If-Modified-Since (a 304 costs a few bytes). The index lists every day's files with their
SHA-256, so only new or changed days are downloaded; the rest comes from the cache, which
holds the figures of every day that validated, per campus. A campus that is down or serves
broken files today keeps its last good figures, which the roll-up marks stale.

Campuses are read a few at a time (fetch.concurrency), each request with a connect and a read
timeout. urllib3 retries connection errors, 429 and 5xx with growing waits (honouring
Retry-After), and every retry spends one from a budget shared by the whole run; once that or the
run's time budget is spent, requests fail at once instead of piling up on a province that is
having a bad morning.

requests-cache and CacheControl were considered for the cache: both keep HTTP responses, as
sent. What the roll-up must keep is the last *validated* figures of each campus (a file that
fails the contract must not replace them) and, for 365 days x 120 campuses, one small file per
campus rather than 43,800 cached responses to revalidate each morning; the index's hashes make
that revalidation unnecessary. So the conditional request is the few lines below.
"""
from __future__ import annotations

import csv
import datetime as dt
import email.utils
import hashlib
import io
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import requests
from pydantic import ValidationError
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..config.base import key_text
from ..summarize import contract
from ..publish.files import write_bytes
from .config import Campus, Fetch

CACHE_FORMAT = 1
# The schema_version values this roll-up reads. A summary with any other is refused by name
# (unknown-schema-version), never read by guessing.
KNOWN_VERSIONS = frozenset({contract.SCHEMA_VERSION})
UNIT_HEAD = ["date", "unit_id", "unit_zh", "unit_en", "reported", "zero_report", "timing"]


class Budget:
    """Retries and seconds for the whole run, shared by every thread."""

    def __init__(self, settings: Fetch):
        self.retries, self.deadline = settings.retry_budget, time.monotonic() + settings.time_budget
        self.lock = threading.Lock()

    def take_retry(self) -> bool:
        with self.lock:
            if self.retries <= 0 or self.expired():
                return False
            self.retries -= 1
            return True

    def expired(self) -> bool:
        return time.monotonic() > self.deadline


class BudgetRetry(Retry):
    """urllib3's Retry that stops as soon as the run's budget is spent."""

    budget: Budget | None = None

    def new(self, **kw):
        fresh = super().new(**kw)
        fresh.budget = self.budget
        return fresh

    def increment(self, *args, **kw):
        if self.budget is not None and not self.budget.take_retry():
            return Retry(total=0).increment(*args, **kw)     # raises MaxRetryError at once
        return super().increment(*args, **kw)


class Unavailable(Exception):
    """The file could not be had now (network, HTTP status, budget): the campus uses its cache."""


class Reply:
    def __init__(self, body: bytes | None, validator: dict, modified: str | None = None):
        self.body, self.validator = body, validator       # body None: not modified
        self.modified = modified                           # ISO time the server says the file last changed


class HttpSource:
    def __init__(self, base: str, settings: Fetch, budget: Budget, sessions: threading.local):
        self.base = base if base.endswith("/") else base + "/"
        self.settings, self.budget, self.sessions = settings, budget, sessions

    def where(self, rel: str) -> str:
        return urljoin(self.base, rel)

    def _session(self) -> requests.Session:
        session = getattr(self.sessions, "session", None)
        if session is None:
            retry = BudgetRetry(total=self.settings.retries, backoff_factor=self.settings.backoff,
                                status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET",),
                                respect_retry_after_header=True, raise_on_status=False)
            retry.budget = self.budget
            session = requests.Session()
            session.mount("http://", HTTPAdapter(max_retries=retry, pool_maxsize=2))
            session.mount("https://", HTTPAdapter(max_retries=retry, pool_maxsize=2))
            session.headers["User-Agent"] = "campus-desk-rollup"
            self.sessions.session = session
        return session

    def get(self, rel: str, validator: dict | None = None) -> Reply:
        if self.budget.expired():
            raise Unavailable("the run's time budget is spent (fetch.time_budget)")
        headers = {}
        if validator and validator.get("etag"):
            headers["If-None-Match"] = validator["etag"]
        if validator and validator.get("last_modified"):
            headers["If-Modified-Since"] = validator["last_modified"]
        try:
            r = self._session().get(self.where(rel), headers=headers,
                                    timeout=(self.settings.connect_timeout, self.settings.read_timeout))
        except requests.RequestException as exc:
            raise Unavailable(f"{self.where(rel)}: {_reason(exc)}") from None
        if r.status_code == 304 and validator:
            return Reply(None, validator)
        if r.status_code != 200:
            raise Unavailable(f"{self.where(rel)}: HTTP {r.status_code}")
        modified = r.headers.get("Last-Modified")
        return Reply(r.content, {"etag": r.headers.get("ETag"), "last_modified": modified}, _http_date(modified))


def _http_date(text: str | None) -> str | None:
    try:
        return email.utils.parsedate_to_datetime(text).isoformat() if text else None
    except (TypeError, ValueError):
        return None


def _reason(exc: Exception) -> str:
    text = str(exc)
    for known in ("Connection refused", "timed out", "Name or service not known", "Max retries exceeded"):
        if known in text:
            return f"{type(exc).__name__} ({known})"
    return type(exc).__name__


class FolderSource:
    """A built campus site on disk (or a mounted share); the file's mtime and size stand for an ETag."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def where(self, rel: str) -> str:
        return str(self.folder / rel)

    def get(self, rel: str, validator: dict | None = None) -> Reply:
        path = self.folder / rel
        try:
            st = path.stat()
            tag = {"etag": f"{st.st_mtime_ns:x}-{st.st_size:x}", "last_modified": None}
            if validator and validator.get("etag") == tag["etag"]:
                return Reply(None, validator)
            modified = dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc).isoformat()
            return Reply(path.read_bytes(), tag, modified)
        except OSError as exc:
            raise Unavailable(f"{path}: {exc.strerror or exc}") from None


@dataclass
class Fetched:
    """What is known of one campus after this run's reading."""
    campus: Campus
    days: dict[str, dict]                          # date -> figures of a day that validated
    error: str | None = None                       # why the campus could not be read now
    problems: dict[str, str] = field(default_factory=dict)       # date -> why that day's files were refused
    versions: dict[str, object] = field(default_factory=dict)    # date -> an unknown schema_version
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


class Reader:
    """since: the first day worth reading (the trends' window and the checks' look-back); older days
    are neither fetched nor kept."""

    def __init__(self, settings: Fetch, cache_dir: str | Path, since: dt.date | None = None):
        self.settings, self.cache_dir = settings, Path(cache_dir)
        self.since = since.isoformat() if since else ""
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
            cached = json.loads(self._cache(campus).read_text(encoding="utf-8"))
            if cached.get("format") == CACHE_FORMAT and cached.get("source") == self.source(campus).where(""):
                return cached
        except (OSError, ValueError):
            pass
        return {"format": CACHE_FORMAT, "source": self.source(campus).where(""), "index": None, "days": {}}

    def read(self, campus: Campus) -> Fetched:
        cache = self._load_cache(campus)
        source = self.source(campus)
        days: dict[str, dict] = cache["days"]
        out = Fetched(campus, days)
        try:
            reply = source.get("data/index.json", cache["index"])
            out.requests += 1
            if reply.body is None:
                out.not_modified += 1
                return out
            out.downloaded += len(reply.body)
            index = _index(reply.body)
        except Unavailable as exc:
            out.error = f"unreachable: {exc}"
            return out
        except ValueError as exc:
            out.error = f"invalid: {source.where('data/index.json')}: {exc}"
            return out
        listed = {}
        for entry in index:
            if entry["date"] < self.since:
                continue
            date, shas = entry["date"], {"summary": entry["summary_sha256"], "units": entry.get("units_sha256")}
            listed[date] = True
            if date in days and days[date].get("sha") == shas:
                continue
            try:
                fresh = self._day(source, entry, shas, out)
                if date in days and days[date].get("published_at"):    # an evening rerun: first publication counts
                    fresh["published_at"] = min(filter(None, [days[date]["published_at"], fresh["published_at"]]))
                days[date] = fresh
            except Unavailable as exc:
                out.problems[date] = f"unreachable: {exc}"
            except ValueError as exc:
                out.problems[date] = str(exc)
        for date in [d for d in days if d not in listed]:      # a day the campus withdrew
            del days[date]
        complete = not out.problems
        # The index's validator is kept only when every day it lists was read: otherwise the next run
        # must ask again rather than hear 304 and never retry the day that failed.
        cache["index"] = reply.validator if complete else None
        # Compact: the cache is ours alone, and the C encoder writes a year of a campus in milliseconds.
        write_bytes(self._cache(campus), json.dumps(cache, ensure_ascii=False, separators=(",", ":")).encode())
        return out

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
        body = reply.body
        try:
            summary = json.loads(body)
        except ValueError as exc:
            raise ValueError(f"{where}: not JSON: {exc}") from None
        problems = summary_problems(summary)
        if problems:
            if isinstance(summary, dict) and summary.get("schema_version") not in KNOWN_VERSIONS:
                out.versions[entry["date"]] = summary.get("schema_version")
            raise ValueError(f"{where}: " + "; ".join(problems[:3]))
        if summary["date"] != entry["date"]:
            raise ValueError(f"{where}: date: {summary['date']} where index.json says {entry['date']}")
        units = None
        if entry.get("units"):
            units_reply, uwhere = self._checked(source, entry["units"], shas["units"], out)
            units = units_reply.body
            try:
                record_ = record(summary, units, shas, reply.modified)
            except (ValueError, UnicodeDecodeError) as exc:
                raise ValueError(f"{uwhere}: {exc}") from None
            return record_
        return record(summary, units, shas, reply.modified)


def _index(body: bytes) -> list[dict]:
    """index.json's days, each checked for the keys the roll-up follows."""
    data = json.loads(body)
    if not isinstance(data, dict) or not isinstance(data.get("days"), list):
        raise ValueError("expected an object with a days list")
    for k, entry in enumerate(data["days"]):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str)
                                                  for key in ("date", "summary", "summary_sha256")):
            raise ValueError(f"days.{k}: expected date, summary and summary_sha256")
        if entry.get("units") is not None and not isinstance(entry.get("units_sha256"), str):
            raise ValueError(f"days.{k}: units without units_sha256")
        if ".." in entry["summary"] or entry["summary"].startswith("/") or ".." in (entry.get("units") or ""):
            raise ValueError(f"days.{k}: a path outside data/")
    return data["days"]


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
