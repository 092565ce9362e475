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
from ..config import Problem, check, load_list, problem
from ..config.pages import LANGUAGES, NoticeMeta
from . import text as t

SLUG = re.compile(r"^[0-9a-z][0-9a-z-]*$")
RESERVED = {"index", "archive", "audience", "feed"}     # the board's own pages sit beside the notices


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

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def published(self, today: dt.date) -> bool:
        return self.date <= today


def load_audiences(folder: Path) -> tuple[RefList | None, list[str]]:
    path = folder / "audiences.yml"
    if not path.is_file():
        return None, [f"{path}: missing: the list of audiences (id, zh, en)"]
    problems: list = []
    return load_list(path, problems), problems


def load(folder: str | Path, audiences: RefList | None, units: RefList | None) -> tuple[list[Notice], list[str]]:
    """Every notice in the folder, and every problem found (file:line: message)."""
    folder = Path(folder)
    notices: list[Notice] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], Path] = {}
    for path in sorted(folder.glob("*.md")):
        notice, found = _one(path, audiences, units)
        problems += found
        if notice is None:
            continue
        key = (notice.slug, notice.language)
        if key in seen:
            problems.append(Problem(path, 1, "", f"same notice and language as {seen[key]}", "duplicate-notice"))
            continue
        seen[key] = path
        notices.append(notice)
    return notices, problems


def _one(path: Path, audiences: RefList | None, units: RefList | None) -> tuple[Notice | None, list[str]]:
    meta, lines, body, body_line, problems = t.split_front_matter(path)
    if meta is None:
        return None, problems
    stem = path.name[:-3]
    slug, _, suffix = stem.rpartition(".")
    if suffix not in LANGUAGES:
        slug, suffix = stem, ""
    context = {"lists": {"audiences": [a["id"] for a in audiences.items] if audiences else None,
                         "units": [u["id"] for u in units.items] if units else None}, "suffix": suffix}
    found: list[Problem] = []
    spec = check(NoticeMeta, meta, path, lines, found, context)
    problems += found
    if not SLUG.match(slug) or slug in RESERVED:
        problems.append(Problem(path, 1, "", f"file name {slug!r}: use lower-case letters, digits and '-' (e.g. "
                                             f"2020-02-12-delayed-opening.zh.md), not {', '.join(sorted(RESERVED))}",
                                "bad-file-name"))
    if not body.strip():
        problems.append(Problem(path, body_line, "", "the notice has no text", "no-text"))
    if problems or spec is None:
        return None, problems
    return Notice(path=path, slug=slug, language=spec.language, title=spec.title.strip(), date=spec.date,
                  audience=list(spec.audience), body=body, urgent=spec.urgent, expires=spec.expires,
                  issuer=spec.issuer, lines=lines), []


def stale_urgent(notices: list[Notice], today: dt.date) -> list[str]:
    """Lint: an urgent notice past its expiry is a mistake to fix (drop urgent or the notice)."""
    return [problem(n.path, n.lines, ("expires",), f"urgent notice already expired on {n.expires} (today is {today}); "
                    "remove 'urgent' or the notice", "expired-urgent") for n in notices if n.urgent and n.expired(today)]


def out_of_range(notices: list[Notice], dates: tuple[dt.date, dt.date]) -> list[str]:
    """A notice's date or expiry outside the campus's `dates:` (a typo such as 9999-12-31)."""
    return [problem(n.path, n.lines, (key,), f"{day} is outside the dates this campus accepts, {dates[0]} to "
                    f"{dates[1]}", "date-out-of-range")
            for n in notices for key, day in (("date", n.date), ("expires", n.expires))
            if day is not None and not dates[0] <= day <= dates[1]]
