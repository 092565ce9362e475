"""`python -m sync lint`: check every file in policies/ before a pull request is merged.

One line per problem, `file:line: message`: YAML syntax, unknown keys (sheets, lists, notices,
plans, contacts), references between files (a plan naming an unknown area, a notice for an
unknown audience), dates, and urgent notices that have already expired.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .config import Problem
from .errors import ConfigError
from .policy import read_yaml
from .render import notices, site

# Files the loaders read; any other YAML under policies/ is at least parsed.
KNOWN_TEXT = {".md", ".yml", ".yaml"}


def lint(root: str | Path = "policies", today: dt.date | None = None) -> list[Problem]:
    """Every problem in the policies folder (empty when clean). Raises ConfigError when root is no
    policies folder at all (a usage error, not a finding)."""
    root = Path(root)
    if not (root / "campus.yml").is_file():
        raise ConfigError([f"{root}: not a policies folder (no campus.yml)"])
    content = site.load(root)
    problems = list(content.problems)
    if content.policy is not None and today is None:
        today = content.policy.today()
    if today is not None and content.policy is not None:
        content.policy.check_day(today)
    if today is not None:
        problems += notices.stale_urgent(content.notices, today)
    read = {root / "campus.yml", root / "contacts.yml", root / "notices" / "audiences.yml"}
    read |= {p for d in ("lists", "plans", "sheets", "plans/contingency") for p in (root / d).glob("*.yml")}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix in (".yml", ".yaml") and path not in read:
            try:
                read_yaml(path)
            except ConfigError as exc:
                problems += exc.problems
            else:
                problems.append(Problem(path, 1, "", "not read by anything: lists go in lists/, plans in plans/, "
                                                     "notices are .md files in notices/", "stray-file"))
        elif path.suffix not in KNOWN_TEXT:
            problems.append(Problem(path, 1, "", "unexpected file type; policies hold .yml and .md files",
                                    "unexpected-file"))
    return [Problem.of(p) for p in dict.fromkeys(problems)]
