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

from ..config import Problem, load_file
from ..config.pages import Contacts
from . import text as t

def load(path: Path, audiences: set[str] | None) -> tuple[list[dict], list[str]]:
    found: list[Problem] = []
    spec, data = load_file(Contacts, path, found, {"lists": {"audiences": sorted(audiences) if audiences is not None else None}})
    return (data["hotlines"] if spec is not None else []), list(found)


def page(hotlines: list[dict], audiences: dict[str, dict], latest: dict | None, lang: str = "zh") -> str:
    _ = t.say(lang)
    rows = [[t.name(h, lang), h["phone"], t.name(h.get("hours"), lang) or "—",
             _("、", ", ").join(t.name(audiences.get(a), lang) or a for a in h.get("audience") or ["everyone"])]
            for h in hotlines]
    body = ["## " + _("热线电话", "Hotlines"), "",
            t.table([_("热线", "Line"), _("电话", "Phone"), _("时间", "Hours"), _("对象", "For")], rows)]
    notes = [f"- **{t.md(t.name(h, lang))}**: {t.md(t.name(h['note'], lang))}" for h in hotlines if h.get("note")]
    body += notes + [""] if notes else []
    duty = (latest or {}).get("duty")
    body += ["## " + _("今日值班", "On duty today"), ""]
    if duty and latest:
        body.append(f"{_('日期', 'Date')}: {t.md(latest.get('date', ''))}\n")
        body.append(t.table([_("班次", "Shift"), _("单位", "Unit"), _("值班人", "On duty")],
                            [[_label(d.get("shift"), lang), _label(d.get("unit"), lang),
                              _("待重新安排", "to be reassigned") if d.get("reassign") else d.get("person") or "—"]
                             for d in duty]))
    else:
        body.append(_("值班安排请咨询各单位。", "Ask the units for today's duty roster."))
    return t.page(_("联系方式", "Contacts"), "\n".join(body))


def _label(value, lang: str) -> str:
    return t.name(value, lang) if isinstance(value, dict) else ("" if value is None else str(value))
