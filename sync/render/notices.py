"""Notices: Markdown files with front matter in policies/notices/, checked and turned into the board.

    ---
    title: 关于延期开学的通知
    date: 2020-02-12
    audience: [students, staff]      # ids from policies/notices/audiences.yml
    urgent: true                     # optional: the announcement bar and pinned on the board
    expires: 2020-03-01              # optional: the last day it is on the board and in the feed
    language: zh                     # zh or en; <slug>.zh.md and <slug>.en.md are translations
    issuer: party_office             # optional: a unit id
    ---

A notice dated after the build day is not published yet. An expired one leaves the board and the
feed and is listed in the archive; its page stays where it was, marked as expired.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..policy import RefList
from ..policy_check import Checker
from . import text as t

SLUG = re.compile(r"^[0-9a-z][0-9a-z-]*$")
RESERVED = {"index", "archive", "audience", "feed"}     # the board's own pages sit beside the notices
KEYS = {"title", "date", "audience", "urgent", "expires", "language", "issuer"}
REQUIRED = ("title", "date", "audience", "language")
LANGUAGES = {"zh": "中文", "en": "English"}


@dataclass
class Notice:
    path: Path
    slug: str
    language: str
    title: str
    date: dt.date
    audience: list[str]
    body: str
    urgent: bool = False
    expires: dt.date | None = None
    issuer: str | None = None
    lines: dict = field(default_factory=dict, repr=False)

    @property
    def page(self) -> str:
        """Where the page lives under site/notices/ (zh at the slug, a translation beside it)."""
        return f"{self.slug}.md" if self.language == "zh" else f"{self.slug}-{self.language}.md"

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def published(self, today: dt.date) -> bool:
        return self.date <= today


def load_audiences(folder: Path) -> tuple[RefList | None, list[str]]:
    checker = Checker(folder)
    path = folder / "audiences.yml"
    if not path.is_file():
        return None, [f"{path}: missing: the list of audiences (id, zh, en)"]
    return checker.ref_list(path), checker.problems


def load(folder: str | Path, audiences: RefList | None, units: RefList | None) -> tuple[list[Notice], list[str]]:
    """Every notice in the folder, and every problem found (file:line: message)."""
    folder = Path(folder)
    notices, problems, seen = [], [], {}
    for path in sorted(folder.glob("*.md")):
        notice, found = _one(path, audiences, units)
        problems += found
        if notice is None:
            continue
        key = (notice.slug, notice.language)
        if key in seen:
            problems.append(f"{path}:1: same notice and language as {seen[key]}")
            continue
        seen[key] = path
        notices.append(notice)
    return notices, problems


def _one(path: Path, audiences: RefList | None, units: RefList | None) -> tuple[Notice | None, list[str]]:
    meta, lines, body, body_line, problems = t.split_front_matter(path)
    if meta is None:
        return None, problems

    def bad(key, message, *more):
        problems.append(f"{t.where(path, lines, key, *more)}: {key}: {message}")

    for key in meta:
        if key not in KEYS:
            bad(key, f"unknown key; expected one of {', '.join(sorted(KEYS))}")
    for key in REQUIRED:
        if key not in meta:
            problems.append(f"{path}:1: missing key '{key}'")
    title = meta.get("title")
    if "title" in meta and not (isinstance(title, str) and title.strip()):
        bad("title", f"expected text; got {title!r}")
    day, expires = t.as_date(meta.get("date")), t.as_date(meta.get("expires"))
    if "date" in meta and day is None:
        bad("date", f"expected a date such as 2020-02-12; got {meta.get('date')!r}")
    if meta.get("expires") is not None and expires is None:
        bad("expires", f"expected a date such as 2020-03-01; got {meta.get('expires')!r}")
    if day and expires and expires < day:
        bad("expires", f"{expires} is before the notice's date {day}")
    audience = meta.get("audience")
    audience = [audience] if isinstance(audience, str) else audience
    if "audience" in meta and not (isinstance(audience, list) and audience
                                   and all(isinstance(a, str) for a in audience)):
        bad("audience", f"expected an audience id or a list of them; got {meta.get('audience')!r}")
        audience = []
    for i, a in enumerate(audience or []):
        if audiences is not None and a not in {x["id"] for x in audiences.items}:
            bad("audience", f"unknown audience {a!r}; expected one of "
                            f"{', '.join(x['id'] for x in audiences.items)}", i)
    if "urgent" in meta and not isinstance(meta["urgent"], bool):
        bad("urgent", f"expected true or false; got {meta['urgent']!r}")
    language = meta.get("language")
    if "language" in meta and language not in LANGUAGES:
        bad("language", f"expected one of {', '.join(LANGUAGES)}; got {language!r}")
    stem = path.name[:-3]
    slug, _, suffix = stem.rpartition(".")
    if suffix not in LANGUAGES:
        slug, suffix = stem, None
    if not SLUG.match(slug) or slug in RESERVED:
        problems.append(f"{path}:1: file name {slug!r}: use lower-case letters, digits and '-' "
                        f"(e.g. 2020-02-12-delayed-opening.zh.md), not {', '.join(sorted(RESERVED))}")
    if suffix and language in LANGUAGES and suffix != language:
        bad("language", f"{language!r} does not match the file name's .{suffix}.md")
    issuer = meta.get("issuer")
    if issuer is not None and units is not None and issuer not in {u["id"] for u in units.items}:
        bad("issuer", f"unknown unit {issuer!r}")
    if not body.strip():
        problems.append(f"{path}:{body_line}: the notice has no text")
    if problems:
        return None, problems
    return Notice(path=path, slug=slug, language=language, title=title.strip(), date=day, audience=audience,
                  body=body, urgent=bool(meta.get("urgent")), expires=expires, issuer=issuer, lines=lines), []


def stale_urgent(notices: list[Notice], today: dt.date) -> list[str]:
    """Lint: an urgent notice past its expiry is a mistake to fix (drop urgent or the notice)."""
    return [f"{t.where(n.path, n.lines, 'expires')}: expires: urgent notice already expired on {n.expires} "
            f"(today is {today}); remove 'urgent' or the notice" for n in notices if n.urgent and n.expired(today)]
