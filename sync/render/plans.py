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

from ..policy import Policy, read_yaml
from ..errors import ConfigError
from . import text as t

KEYS = {"title", "order", "updated", "responsible", "areas", "zones", "gates", "batches"}
REFS = {"responsible": "units", "areas": "areas", "zones": "zones", "gates": "gates", "batches": "batches"}
TABLE = re.compile(r"^<!--\s*table:\s*([\w-]+)\s*-->\s*$", re.M)
VALUE = re.compile(r"<!--\s*value:\s*([\w-]+)\s*-->")
UNITS = {"fever": " ℃", "isolation_days": " 天 days", "min_cover_days": " 天 days"}
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
        self.problems: list[str] = []
        self.extra: dict[str, dict] = {}           # contingency YAML tables by name (e.g. teaching)
        self.plans: list[Plan] = []
        for path in sorted(self.folder.glob("*.yml")):
            self._table(path)
        for path in sorted(self.folder.glob("*.md")):
            self._plan(path)
        self.plans.sort(key=lambda p: (p.order, p.stem))
        responsible = policy.lists["areas"].extra.get("responsible")
        if responsible is not None and not self._unit(responsible):
            self.problems.append(f"{policy.lists['areas'].path}:1: responsible: unknown unit {responsible!r}")

    def _ids(self, name: str) -> set[str]:
        ref = self.policy.lists.get(name)
        return {i["id"] for i in ref.items} if ref else set()

    def _unit(self, uid) -> dict | None:
        units = self.policy.lists.get("units")
        return next((u for u in units.items if u["id"] == uid), None) if units else None

    def _table(self, path: Path) -> None:
        try:
            data, lines = read_yaml(path)
        except ConfigError as exc:
            self.problems += exc.problems
            return
        name = data.get("name") if isinstance(data, dict) else None
        if name != path.stem or not isinstance(data.get("items"), list):
            self.problems.append(f"{path}:1: expected name: {path.stem}, title: {{zh, en}} and items: [...]")
            return
        for i, item in enumerate(data["items"]):
            here = t.where(path, lines, "items", i)
            if not (isinstance(item, dict) and {"id", "zh", "en"} <= set(item)):
                self.problems.append(f"{here}: items[{i}]: expected id, zh and en; got {item!r}")
                continue
            if "batch" in item and item["batch"] not in self._ids("batches"):
                self.problems.append(f"{t.where(path, lines, 'items', i, 'batch')}: items[{i}].batch: "
                                     f"unknown batch {item['batch']!r}")
        self.extra[name] = data

    def _plan(self, path: Path) -> None:
        meta, lines, body, body_line, problems = t.split_front_matter(path)
        self.problems += problems
        if meta is None:
            return
        for key in meta:
            if key not in KEYS:
                self.problems.append(f"{t.where(path, lines, key)}: {key}: unknown key; expected one of "
                                     f"{', '.join(sorted(KEYS))}")
        title = meta.get("title")
        if not (isinstance(title, str) and title.strip()):
            self.problems.append(f"{t.where(path, lines, 'title')}: title: expected text; got {title!r}")
        updated = t.as_date(meta.get("updated")) if meta.get("updated") is not None else None
        if meta.get("updated") is not None and updated is None:
            self.problems.append(f"{t.where(path, lines, 'updated')}: updated: expected a date; got {meta['updated']!r}")
        for key, ref in REFS.items():
            values = meta.get(key) or []
            values = [values] if isinstance(values, str) else values
            known = self._ids(ref)
            for i, value in enumerate(values if isinstance(values, list) else [values]):
                if value not in known:
                    self.problems.append(f"{t.where(path, lines, key, i)}: {key}[{i}]: unknown "
                                         f"{ref[:-1] if ref != 'batches' else 'batch'} {value!r}")
        for number, line in enumerate(body.splitlines(), start=body_line):
            for name in TABLE.findall(line):
                if name not in HEAD or (name == "teaching" and name not in self.extra):
                    self.problems.append(f"{path}:{number}: unknown table {name!r}; expected one of "
                                         f"{', '.join(sorted(HEAD))}")
            for name in VALUE.findall(line):
                if name not in self.policy.thresholds and name != "campus":
                    self.problems.append(f"{path}:{number}: unknown value {name!r}; expected campus or one of "
                                         f"{', '.join(sorted(self.policy.thresholds))}")
        order, responsible = meta.get("order", 99), meta.get("responsible") or []
        self.plans.append(Plan(path=path, stem=path.stem, title=str(title or path.stem).strip(),
                               order=order if isinstance(order, int) else 99, updated=updated,
                               responsible=responsible if isinstance(responsible, list) else [responsible],
                               body=body))

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
        return t.md(f"{self.policy.thresholds[name]}{UNITS.get(name, '')}")

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
