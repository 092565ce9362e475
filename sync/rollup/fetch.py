"""How the roll-up asks a campus for one file of its site: over HTTP like a good citizen, or from a folder.

Every request has a connect and a read timeout. urllib3 retries connection errors, 429 and 5xx
with growing waits (honouring Retry-After), and every retry spends one from a budget shared by
the whole run; once that or the run's time budget is spent, requests fail at once instead of
piling up on a province that is having a bad morning. A file is asked for with If-None-Match /
If-Modified-Since when its last validator is known (a 304 costs a few bytes). What is read, and
kept, is sync/rollup/reader.py's.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import threading
import time
from pathlib import Path
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .config import Fetch


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
