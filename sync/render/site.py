"""Write every generated page of the site as real Markdown files under site/ (the docs_dir).

    site/index.md                 home: the day's figures, trends, completeness, urgent notices
    site/notices/                 a page per notice, the board, audiences, archive, feed.xml
    site/plans/                   the disinfection plan and the contingency plans
    site/reports/                 a page per day and the index (sync.render.report's templates)
    site/trends/, site/contacts/  trend charts over time; hotlines and duty roster
    site/overrides/generated/     the announcement bar (urgent notices) and the stale-data banner, per language
    site/en/                      the same pages in English (built by mkdocs.en.yml into public/en/)
    site/data/, site/en/data/     the open data: summaries, CSV, schema, data package; its page (sync.render.opendata)

These folders are git-ignored and rewritten whole on every build. Nothing here imports MkDocs:
plain files keep the site buildable by any tool that reads mkdocs.yml.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import policy as policy_mod
from ..errors import ConfigError
from ..policy import Policy, RefList
from ..summarize import contract
from . import contacts as contacts_mod
from . import home, notices, opendata, report, safety
from .board import Board
from .plans import Plans
from .summaries import read_summaries
from .text import Tree, unsearchable

GENERATED = ["notices", "plans", "reports", "trends", "contacts", "overrides/generated", "schemas", "en", "data"]
SINGLE = ["index.md"]


@dataclass
class Content:
    """policies/ as the site sees it; `problems` are file:line messages (empty when all is well)."""
    policy: Policy | None
    audiences: RefList | None = None
    notices: list = field(default_factory=list)
    plans: Plans | None = None
    hotlines: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def load(root: str | Path = "policies") -> Content:
    root = Path(root)
    try:
        policy, problems = policy_mod.load(root), []
    except ConfigError as exc:      # the notices and contacts are still checked, without references
        policy, problems = None, list(exc.problems)
    audiences, more = notices.load_audiences(root / "notices")
    found, more2 = notices.load(root / "notices", audiences, policy.lists.get("units") if policy else None)
    plans = Plans(policy) if policy else None
    ids = {a["id"] for a in audiences.items} if audiences else None
    hotlines, more3 = contacts_mod.load(root / "contacts.yml", ids)
    far = notices.out_of_range(found, policy.dates) if policy else []
    # Content, not code: no scripts or other hosts in a notice or plan, nothing from outside policies/.
    unsafe = safety.symlinks_out(root) + [p for item in found + (plans.plans if plans else [])
                                          for p in safety.check_file(item.path)]
    return Content(policy, audiences, found, plans, hotlines,
                   [*problems, *more, *more2, *far, *(plans.problems if plans else []), *more3, *unsafe])


LANGS = {"zh": "", "en": "en/"}      # where each language's pages go under the docs_dir


def render(policies: str | Path, summaries: str | Path, docs_dir: str | Path, today: dt.date,
           site_url: str = "") -> list[Path]:
    """Render all generated pages in both languages (zh under site/, en under site/en/); raise
    ConfigError (file:line problems) when policies are broken."""
    content = load(policies)
    if content.problems:
        raise ConfigError(content.problems)
    policy, tree = content.policy, Tree(Path(docs_dir))
    assert policy is not None and content.plans is not None and content.audiences is not None   # no problems
    policy.check_day(today)
    units = policy.lists["units"]
    board = Board(content.notices, content.audiences, units, today)
    days_list = read_summaries(summaries, policy.dates)
    expected = [u for u in units.items if u.get("reports_daily", True)]
    days = home.Days(days_list, expected)
    awaiting = Path(summaries) / "awaiting.json"
    if awaiting.exists():
        days.awaiting = json.loads(awaiting.read_text(encoding="utf-8")).get("dates", [])
    audiences = {a["id"]: a for a in content.audiences.items}
    env = report.environment()
    for lang, where in LANGS.items():
        for rel, text in board.pages(lang).items():
            tree.add(f"{where}notices/{rel}", text)
        tree.add(f"{where}notices/feed.xml", board.feed(site_url, policy.campus["name"], policy.timezone, lang))
        tree.add(f"overrides/generated/announce.{lang}.html", board.announce(lang))
        for rel, text in content.plans.pages(lang).items():
            tree.add(f"{where}plans/{rel}", text)
        tree.add(f"{where}index.md", home.home(days, board, policy.campus["name"], today, lang))
        tree.add(f"{where}trends/index.md", home.trends(days, lang))
        tree.add(f"overrides/generated/stale.{lang}.html", home.stale(days, today, policy.timezone, lang))
        tree.add(f"{where}contacts/index.md", contacts_mod.page(content.hotlines, audiences, days.latest, lang))
        for summary in days_list:
            tree.add(f"{where}reports/{summary['date']}.md", unsearchable(report.render_report(summary, env, lang)))
        tree.add(f"{where}reports/index.md", report.render_index(days_list, env, lang))
    for asset in sorted(Path(docs_dir, "assets").glob("*")):     # the English build's docs_dir is site/en/
        if asset.is_file():
            tree.add(f"en/assets/{asset.name}", asset.read_text(encoding="utf-8"))
    tree.add(contract.SCHEMA_PATH, json.dumps(contract.json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    # The data API (/data/, one for both languages): the upward reports sit beside the summaries, as
    # `run` writes them.
    data = opendata.files(days_list, Path(summaries).parent / "exports", days.awaiting)
    for rel, body in data.items():
        tree.add(rel, body.decode("utf-8"))
    index = json.loads(data["data/index.json"])
    for lang, where in LANGS.items():
        tree.add(f"{where}data/index.md", opendata.page(index, lang))
    return tree.write(GENERATED, SINGLE)
