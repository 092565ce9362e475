"""Plans: the disinfection plan (policies/plans/disinfection.yml, the list the sync checks the log
against) and the contingency plans (policies/plans/contingency/*.md, with YAML beside them).

A contingency plan is Markdown with front matter. Facts that live in a YAML list are not typed
again: the text pulls them in, so a changed list changes every page that shows it.

    ---
    title: 分期分批返校工作预案 Staggered return
    order: 2
    updated: 2020-02-20
    responsible: [student_affairs, graduate]    # unit ids
    batches: [b1, b2, b3, b_intl]               # also areas, zones, gates: ids the plan relies on
    ---
    <!-- table: batches -->                      on a line of its own: a table from a list
    体温达到 <!-- value: fever --> 者不得入校。    inline: a threshold or the campus name
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..config import Problem, check, load_file
from ..config.pages import PLAN_REFS, PlanMeta, PlanTable
from ..policy import Policy
from ..vocabulary import THRESHOLD_UNITS
from . import text as t

TABLE = re.compile(r"^<!--\s*table:\s*([\w-]+)\s*-->\s*$", re.M)
VALUE = re.compile(r"<!--\s*value:\s*([\w-]+)\s*-->")
HEAD = {"batches": ["批次 Batch", "返校日期 Date", "对象 Who"], "gates": ["校门 Gate"],
        "zones": ["隔离区域 Zone"], "units": ["单位 Unit", "每日填报 Reports daily"],
        "teaching": ["对象 Group", "返校批次 Batch", "返校前 Before return", "返校后 After return"],
        "areas": ["区域 Area", "每日次数 Times a day", "消毒剂 Agent", "浓度 mg/L", "通风 Ventilation (min)",
                  "负责单位 Responsible"]}


@dataclass
class Plan:
    path: Path
    stem: str
    title: str
    order: int
    updated: dt.date | None
    responsible: list[str]
    body: str


class Plans:
    """Loads and checks the plans; `problems` holds every mistake as file:line: message."""

    def __init__(self, policy: Policy, folder: Path | None = None):
        self.policy = policy
        self.folder = Path(folder or policy.root / "plans" / "contingency")
        self.problems: list[str] = []        # Problems, and the front matter's syntax errors as text
        self.extra: dict[str, dict] = {}           # contingency YAML tables by name (e.g. teaching)
        self.plans: list[Plan] = []
        for path in sorted(self.folder.glob("*.yml")):
            self._table(path)
        for path in sorted(self.folder.glob("*.md")):
            self._plan(path)
        self.plans.sort(key=lambda p: (p.order, p.stem))
        responsible = policy.lists["areas"].extra.get("responsible")
        if responsible is not None and not self._unit(responsible):
            self.problems.append(Problem(policy.lists["areas"].path, 1, "responsible", f"unknown unit {responsible!r}",
                                         "unknown-unit"))

    def _ids(self, name: str) -> set[str]:
        ref = self.policy.lists.get(name)
        return {i["id"] for i in ref.items} if ref else set()

    def _unit(self, uid) -> dict | None:
        units = self.policy.lists.get("units")
        return next((u for u in units.items if u["id"] == uid), None) if units else None

    def _table(self, path: Path) -> None:
        found: list[Problem] = []
        spec, data = load_file(PlanTable, path, found, {"stem": path.stem, "batches": self._ids("batches")})
        self.problems += found
        if spec is not None:
            self.extra[spec.name] = data

    def _plan(self, path: Path) -> None:
        meta, lines, body, body_line, problems = t.split_front_matter(path)
        self.problems += problems
        if meta is None:
            return
        lists = {name: self._ids(name) for name in set(PLAN_REFS.values())}
        found: list[Problem] = []
        spec = check(PlanMeta, meta, path, lines, found, {"lists": lists})
        self.problems += found
        for number, line in enumerate(body.splitlines(), start=body_line):
            for name in TABLE.findall(line):
                if name not in HEAD or (name == "teaching" and name not in self.extra):
                    self.problems.append(Problem(path, number, "", f"unknown table {name!r}; expected one of "
                                                                   f"{', '.join(sorted(HEAD))}", "unknown-table"))
            for name in VALUE.findall(line):
                if name not in self.policy.thresholds and name != "campus":
                    self.problems.append(Problem(path, number, "", f"unknown value {name!r}; expected campus or one "
                                                                   f"of {', '.join(sorted(self.policy.thresholds))}",
                                                 "unknown-value"))
        if spec is not None:
            self.plans.append(Plan(path=path, stem=path.stem, title=spec.title.strip(), order=spec.order,
                                   updated=spec.updated, responsible=list(spec.responsible), body=body))

    # -- rendering ---------------------------------------------------------------------------------

    def rows(self, name: str) -> list[list]:
        if name == "batches":
            return [[t.bi(b), b.get("date", ""), t.bi(b.get("who"))] for b in self.policy.lists["batches"].items]
        if name in ("gates", "zones"):
            return [[t.bi(i)] for i in self.policy.lists[name].items]
        if name == "units":
            return [[t.bi(u), "是 yes" if u.get("reports_daily", True) else "否 no"]
                    for u in self.policy.lists["units"].items]
        if name == "teaching":
            batches = {b["id"]: b for b in self.policy.lists["batches"].items}
            return [[t.bi(i), f"{t.bi(batches.get(i.get('batch')))} {batches.get(i.get('batch'), {}).get('date', '')}",
                     t.bi(i.get("before"), " / "), t.bi(i.get("after"), " / ")] for i in self.extra["teaching"]["items"]]
        areas = self.policy.lists["areas"]
        unit = t.bi(self._unit(areas.extra.get("responsible")))
        return [[t.bi(a), a["times_per_day"], t.bi(a.get("agent")),
                 "–".join(str(c) for c in a["concentration"]) if a.get("concentration") else "—",
                 a.get("ventilation_minutes", "—"), unit] for a in areas.items]

    def value(self, name: str) -> str:
        if name == "campus":
            return t.md(t.bi(self.policy.campus["name"]))
        return t.md(f"{self.policy.thresholds[name]}{THRESHOLD_UNITS.get(name, '')}")

    def fill(self, body: str) -> str:
        body = TABLE.sub(lambda m: t.table(HEAD[m.group(1)], self.rows(m.group(1)),
                                           "lrllrl" if m.group(1) == "areas" else ""), body)
        return VALUE.sub(lambda m: self.value(m.group(1)), body)

    def pages(self) -> dict[str, str]:
        """Files under site/plans/."""
        areas = self.policy.lists["areas"]
        out = {"disinfection.md": t.page(t.bi(areas.title), "后勤管理处制定，消毒记录按此方案逐日核对。 "
                                         "Every day's disinfection log is checked against this plan.\n\n"
                                         + t.table(HEAD["areas"], self.rows("areas"), "lrllrl"))}
        listing = [f"- [{t.md(t.bi(areas.title))}](disinfection.md)"]
        for plan in self.plans:
            meta = [f"更新 Updated: {plan.updated}"] if plan.updated else []
            if plan.responsible:
                meta.append("负责 Responsible: " + "、".join(t.md(t.bi(self._unit(u)) or u) for u in plan.responsible))
            text = (f"<small>{' · '.join(meta)}</small>\n\n" if meta else "") + self.fill(plan.body)
            out[f"{plan.stem}.md"] = t.page(plan.title, text)
            listing.append(f"- [{t.md(plan.title)}]({plan.stem}.md)")
        out["index.md"] = t.page("工作方案 Plans", "\n".join(listing))
        return out
