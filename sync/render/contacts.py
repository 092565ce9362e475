"""The contacts page: hotlines from policies/contacts.yml and the day's duty roster (public columns).

    hotlines:
      - id: counselling
        zh: 心理咨询热线（线上）
        en: Online psychological counselling
        phone: "0411-0000-1005"
        hours: {zh: 每天 9:00-21:00, en: Daily 9:00-21:00}
        audience: [students, international]     # ids from policies/notices/audiences.yml
        note: {zh: ..., en: ...}                 # optional

The duty roster comes from the newest summary's `duty` section when the sync publishes one:
the person on duty is posted, the phone number is personal data and never reaches the site.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from ..policy import read_yaml
from . import text as t

KEYS = {"id", "zh", "en", "phone", "hours", "audience", "note"}


def load(path: Path, audiences: set[str] | None) -> tuple[list[dict], list[str]]:
    try:
        data, lines = read_yaml(path)
    except ConfigError as exc:
        return [], exc.problems
    problems = []
    items = data.get("hotlines") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        return [], [f"{path}:1: expected hotlines: [{{id, zh, en, phone, hours}}, ...]"]
    for key in data:
        if key != "hotlines":
            problems.append(f"{t.where(path, lines, key)}: {key}: unknown key; expected hotlines")
    good = []
    for i, item in enumerate(items):
        here = t.where(path, lines, "hotlines", i)
        if not isinstance(item, dict):
            problems.append(f"{here}: hotlines[{i}]: expected a mapping; got {item!r}")
            continue
        before = len(problems)
        for key in item:
            if key not in KEYS:
                problems.append(f"{t.where(path, lines, 'hotlines', i, key)}: hotlines[{i}].{key}: unknown key; "
                                f"expected one of {', '.join(sorted(KEYS))}")
        for key in ("id", "zh", "en", "phone"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                problems.append(f"{t.where(path, lines, 'hotlines', i, key)}: hotlines[{i}].{key}: expected text "
                                f"(quote phone numbers); got {item.get(key)!r}")
        for key in ("hours", "note"):
            value = item.get(key)
            if value is not None and not (isinstance(value, dict) and {"zh", "en"} <= set(value)):
                problems.append(f"{t.where(path, lines, 'hotlines', i, key)}: hotlines[{i}].{key}: "
                                f"expected {{zh: ..., en: ...}}")
        for j, a in enumerate(item.get("audience") or []):
            if audiences is not None and a not in audiences:
                problems.append(f"{t.where(path, lines, 'hotlines', i, 'audience', j)}: hotlines[{i}].audience: "
                                f"unknown audience {a!r}")
        if len(problems) == before:
            good.append(item)
    return good, problems


def page(hotlines: list[dict], audiences: dict[str, dict], latest: dict | None) -> str:
    rows = [[t.bi(h), h["phone"], t.bi(h.get("hours"), " / ") or "—",
             "、".join(t.bi(audiences.get(a)) or a for a in h.get("audience") or ["everyone"])] for h in hotlines]
    body = ["## 热线电话 Hotlines", "", t.table(["热线 Line", "电话 Phone", "时间 Hours", "对象 For"], rows)]
    notes = [f"- **{t.md(t.bi(h))}**: {t.md(t.bi(h['note'], ' / '))}" for h in hotlines if h.get("note")]
    body += notes + [""] if notes else []
    duty = (latest or {}).get("duty")
    body += ["## 今日值班 On duty today", ""]
    if duty:
        body.append(f"日期 Date: {t.md(latest.get('date', ''))}\n")
        body.append(t.table(["班次 Shift", "单位 Unit", "值班人 On duty"],
                            [[_label(d.get("shift")), _label(d.get("unit")),
                              "待重新安排 to be reassigned" if d.get("reassign") else d.get("person") or "—"] for d in duty]))
    else:
        body.append("值班安排请咨询各单位。 Ask the units for today's duty roster.")
    return t.page("联系方式 Contacts", "\n".join(body))


def _label(value) -> str:
    return t.bi(value) if isinstance(value, dict) else ("" if value is None else str(value))
