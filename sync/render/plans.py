"""Plans: the disinfection plan (policies/plans/disinfection.yml, the list the sync checks the log
against) and the contingency plans (policies/plans/contingency/*.md, with YAML beside them).

A contingency plan is Markdown with front matter. Facts that live in a YAML list are not typed
again: the text pulls them in, so a changed list changes every page that shows it.

A plan is written once per language, as the notices are: <stem>.zh.md and <stem>.en.md. The
Chinese one holds the facts (order, updated, responsible, ids); a translation needs only its title.
A plan without a translation is shown in the other site in its own language, marked as such.

    ---
    title: 分期分批返校工作预案
    language: zh
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
from ..config.pages import LANGUAGES, PLAN_REFS, PlanMeta, PlanTable
from ..policy import Policy
from ..yamlfile import line_of
from ..vocabulary import THRESHOLD_UNITS
from . import text as t

TABLE = re.compile(r"^<!--\s*table:\s*([\w-]+)\s*-->\s*$", re.M)
VALUE = re.compile(r"<!--\s*value:\s*([\w-]+)\s*-->")
HEAD = {"batches": [("批次", "Batch"), ("返校日期", "Date"), ("对象", "Who")], "gates": [("校门", "Gate")],
        "zones": [("隔离区域", "Zone")], "units": [("单位", "Unit"), ("每日填报", "Reports daily")],
        "teaching": [("对象", "Group"), ("返校批次", "Batch"), ("返校前", "Before return"), ("返校后", "After return")],
        "areas": [("区域", "Area"), ("每日次数", "Times a day"), ("消毒剂", "Agent"), ("浓度 mg/L", "Concentration mg/L"),
                  ("通风（分钟）", "Ventilation (min)"), ("负责单位", "Responsible")]}


@dataclass
class Plan:
    path: Path
    stem: str
    language: str
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
        spec, data = load_file(PlanTable, path, found, {"stem": path.stem, "lists": {"batches": self._ids("batches")}})
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
        stem, _, language = path.stem.rpartition(".")
        if language not in LANGUAGES:
            self.problems.append(Problem(path, 1, "", "file name: expected <name>.zh.md or <name>.en.md",
                                         "plan-language"))
            return
        if spec is not None and spec.language not in (None, language):
            self.problems.append(Problem(path, line_of(lines, ("language",)) or 1, "language",
                                         f"{spec.language!r} does not match the file name's .{language}.md",
                                         "language-not-file"))
        elif spec is not None:
            self.plans.append(Plan(path=path, stem=stem, language=language, title=spec.title.strip(),
                                   order=spec.order, updated=spec.updated, responsible=list(spec.responsible),
                                   body=body))

    # -- rendering ---------------------------------------------------------------------------------

    def rows(self, name: str, lang: str) -> list[list]:
        def n(item):
            return t.name(item, lang)
        if name == "batches":
            return [[n(b), b.get("date", ""), n(b.get("who"))] for b in self.policy.lists["batches"].items]
        if name in ("gates", "zones"):
            return [[n(i)] for i in self.policy.lists[name].items]
        if name == "units":
            yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
            return [[n(u), yes if u.get("reports_daily", True) else no] for u in self.policy.lists["units"].items]
        if name == "teaching":
            batches = {b["id"]: b for b in self.policy.lists["batches"].items}
            return [[n(i), f"{n(batches.get(i.get('batch')))} {batches.get(i.get('batch'), {}).get('date', '')}",
                     n(i.get("before")), n(i.get("after"))] for i in self.extra["teaching"]["items"]]
        areas = self.policy.lists["areas"]
        unit = n(self._unit(areas.extra.get("responsible")))
        return [[n(a), a["times_per_day"], n(a.get("agent")),
                 "–".join(str(c) for c in a["concentration"]) if a.get("concentration") else "—",
                 a.get("ventilation_minutes", "—"), unit] for a in areas.items]

    def table(self, name: str, lang: str) -> str:
        heads = [zh if lang == "zh" else en for zh, en in HEAD[name]]
        return t.table(heads, self.rows(name, lang), "lrllrl" if name == "areas" else "")

    def value(self, name: str, lang: str) -> str:
        if name == "campus":
            return t.md(t.name(self.policy.campus["name"], lang))
        return t.md(f"{self.policy.thresholds[name]}{THRESHOLD_UNITS.get(name, {}).get(lang, '')}")

    def fill(self, body: str, lang: str) -> str:
        body = TABLE.sub(lambda m: self.table(m.group(1), lang), body)
        return VALUE.sub(lambda m: self.value(m.group(1), lang), body)

    def by_stem(self) -> dict[str, dict[str, Plan]]:
        out: dict[str, dict[str, Plan]] = {}
        for plan in self.plans:
            out.setdefault(plan.stem, {})[plan.language] = plan
        return out

    def pages(self, lang: str = "zh") -> dict[str, str]:
        """Files under site/plans/ (or site/en/plans/) for one language."""
        _ = t.say(lang)
        areas = self.policy.lists["areas"]
        out = {"disinfection.md": t.page(t.name(areas.title, lang),
                                         _("后勤管理处制定，消毒记录按此方案逐日核对。",
                                           "Every day's disinfection log is checked against this plan.")
                                         + "\n\n" + self.table("areas", lang))}
        listing = [f"- [{t.md(t.name(areas.title, lang))}](disinfection.md)"]
        for stem, versions in self.by_stem().items():
            main = versions.get("zh") or next(iter(versions.values()))
            plan = versions.get(lang) or main
            meta = [f"{_('更新', 'Updated')}: {main.updated}"] if main.updated else []
            if main.responsible:
                meta.append(_("负责：", "Responsible: ") + _("、", ", ").join(
                    t.md(t.name(self._unit(u), lang) or u) for u in main.responsible))
            text = (f"<small>{' · '.join(meta)}</small>\n\n" if meta else "")
            body = self.fill(plan.body, lang)
            mark = ""
            if plan.language != lang:
                only = _("仅有英文", "Chinese only")
                mark = f' <span class="cd-only">{t.html(only)}</span>'
                text += f'!!! note "{only}"\n\n    ' + _("本方案暂无中文版，以下为英文原文。",
                                                      "This plan has no English version yet; the Chinese text follows.") + "\n\n"
                body = f'<div lang="{plan.language}" markdown>\n\n{body.strip()}\n\n</div>\n'
            heading = f'{{ lang="{plan.language}" }}' if plan.language != lang else ""
            out[f"{stem}.md"] = t.page(plan.title, text + body, heading=heading)
            listing.append(f"- [{t.md(plan.title)}]({stem}.md){mark}")
        out["index.md"] = t.page(_("工作方案", "Plans"), "\n".join(listing))
        return out
