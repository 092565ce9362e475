"""The home page, the trends page and the stale-data banner, from data/summaries/*.json.

Summaries are read as the issue-3 sync writes them (schema_version 1). A section that is null
(its sheet was unavailable) shows as "no data", never as zero.
"""
from __future__ import annotations

import datetime as dt

from . import charts
from . import text as t
from .board import Board, excerpt

FIGURES = [("units", "confirmed", "确诊 Confirmed"), ("units", "suspected", "疑似 Suspected"),
           ("units", "fever", "发热 Fever"), ("units", "isolated", "隔离观察 Under isolation"),
           ("units", "students_on_campus", "在校学生 Students on campus"),
           ("units", "staff_on_campus", "在岗教职工 Staff on campus")]
CASES = [("fever", "发热 Fever"), ("suspected", "疑似 Suspected"), ("confirmed", "确诊 Confirmed"),
         ("isolated", "隔离 Isolated")]
RATES = [("rate", "填报率 Reported"), ("on_time_rate", "按时率 On time")]
WINDOWS = (7, 14, 30)


class Days:
    """The summaries by date, and what the pictures need from them."""

    def __init__(self, summaries: list[dict], units: list[dict]):
        self.by_date = {dt.date.fromisoformat(s["date"]): s for s in summaries}
        self.latest = self.by_date[max(self.by_date)] if self.by_date else None
        self.last_day = max(self.by_date) if self.by_date else None
        self.units = units
        self.awaiting: list[str] = []       # days that await the office's sign-off (summaries/awaiting.json)

    def window(self, n: int) -> list[dt.date]:
        return [self.last_day - dt.timedelta(days=n - 1 - i) for i in range(n)] if self.last_day else []

    def values(self, days, section, key) -> list:
        out = []
        for d in days:
            part = (self.by_date.get(d) or {}).get(section)
            out.append(part.get(key) if isinstance(part, dict) else None)
        return out

    def charts(self, n: int) -> str:
        days = self.window(n)
        cases = charts.line_chart(days, [(k, label, self.values(days, "units", k)) for k, label in CASES],
                                  f"近 {n} 天病例与隔离 Cases and isolation, last {n} days")
        rates = charts.line_chart(days, [(k, label, self.values(days, "reporting", k)) for k, label in RATES],
                                  f"近 {n} 天填报情况 Reporting, last {n} days", percent=True)
        return f'<figure class="cd-figure-chart">{cases}</figure><figure class="cd-figure-chart">{rates}</figure>'

    def grid(self, n: int) -> str:
        days, status = self.window(n), {}
        units = list(self.units)
        for d in days:
            reporting = (self.by_date.get(d) or {}).get("reporting")
            if not reporting:
                continue
            missing = {m["id"] for m in reporting.get("missing", [])}
            for m in reporting.get("missing", []):
                if m["id"] not in {u["id"] for u in units}:
                    units.append(m)
            for u in units:
                status[(u["id"], d)] = "missing" if u["id"] in missing else "reported"
        return charts.grid(days, units, status, f"近 {n} 天各单位填报 Unit reports, last {n} days")


def tabs(name: str, panes: list[tuple[str, str]]) -> str:
    """Content tabs as Material styles them (pymdownx.tabbed markup), written as raw HTML."""
    inputs = "".join(f'<input id="cd-{name}-{i}" name="cd-{name}" type="radio"{" checked" if i == 0 else ""}>'
                     for i in range(len(panes)))
    labels = "".join(f'<label for="cd-{name}-{i}">{t.html(label)}</label>' for i, (label, _) in enumerate(panes))
    blocks = "".join(f'<div class="tabbed-block">{body}</div>' for _, body in panes)
    return (f'<div class="tabbed-set tabbed-alternate" data-tabs="{name}:{len(panes)}">{inputs}'
            f'<div class="tabbed-labels">{labels}</div><div class="tabbed-content">{blocks}</div></div>\n')


def figures(s: dict) -> str:
    cards = []
    for section, key, label in FIGURES:
        part = s.get(section)
        value = part.get(key) if isinstance(part, dict) else None
        held = ((s.get("held") or {}).get(section) or {}).get(key)
        if held is not None:     # a held value never shows: "under review" and which units
            units = "、".join(u["zh"] for u in held.get("units") or [])
            cards.append(f'<div class="cd-card cd-card--held" data-figure="{key}" data-held="{held["held"]}">'
                         f'<span class="cd-card__value">待核实</span><span class="cd-card__label">'
                         f'{t.html(label)} · under review{": " + t.html(units) if units else ""}</span></div>')
            continue
        cards.append(f'<div class="cd-card" data-figure="{key}"><span class="cd-card__value">'
                     f'{t.html("—" if value is None else value)}</span>'
                     f'<span class="cd-card__label">{t.html(label)}</span></div>')
    return '<div class="cd-cards">' + "".join(cards) + "</div>\n"


def reporting(s: dict) -> str:
    r = s.get("reporting")
    if not r:
        return "*暂无填报数据（工作表缺失或无法读取，不是零）。 No unit reports: the sheet is missing or unreadable.*\n"
    pct = (lambda v: "—" if v is None else f"{v * 100:.0f}%")
    text = (f"已报 Reported **{r['reported']} / {r['expected']}** ({pct(r.get('rate'))}) · "
            f"按时 On time {r.get('on_time', '—')} ({pct(r.get('on_time_rate'))}) · "
            f"零报告 Zero reports {r.get('zero_reports', '—')}\n")
    if r.get("missing"):
        text += "\n未报单位 Missing: " + "、".join(t.md(t.bi(m)) for m in r["missing"]) + "\n"
    return text


def home(days: Days, board: Board, campus: dict, today: dt.date) -> str:
    body = []
    if board.urgent:
        body += ['!!! danger "紧急通知 Urgent"', ""]
        body += [f"    - [{t.md(g.main.title)}](notices/{g.main.page}) <small>{g.main.date}</small>" for g in board.urgent]
        body.append("")
    s = days.latest
    if s is None:
        body += ["## 今日数据 Today's figures", "", "暂无每日数据。 No daily figures yet."
                 + (" 数据待防控办签发。 The figures await the office's sign-off." if days.awaiting else ""), ""]
    else:
        status = "完整 complete" if s.get("status") == "complete" else "不完整 partial"
        waiting = [d for d in days.awaiting if d > s["date"]]
        if waiting:
            body += ['!!! info "今日数据待防控办签发 Today\'s figures await the office\'s sign-off"', "",
                     f"    {t.md('、'.join(waiting))} 的数据尚未签发，以下为最近签发的 {s['date']} 数据。 "
                     f"The figures of {t.md(', '.join(waiting))} await the office's sign-off; below are the last "
                     f"signed figures, of {s['date']}.", ""]
        body += [f"## {s['date']} 防控数据 Figures", "",
                 f"数据日期 Data date: **{s['date']}** · 状态 Status: {status} · "
                 f"[当日报告 Full report](reports/{s['date']}.md)", "", figures(s),
                 "### 单位填报 Reporting", "", reporting(s)]
        if s.get("status") == "partial" and s.get("unavailable"):
            names = s.get("labels", {}).get("sheets", {})
            body += ["!!! warning \"数据不完整 Partial data\"", "",
                     "    缺失或无法读取（不是零） Missing or unreadable (not zero): "
                     + "、".join(t.md(t.bi(names.get(x)) or x) for x in s["unavailable"]), ""]
        dis = s.get("disinfection")
        if dis and dis.get("compliance") is not None:
            body += [f"消毒完成率 Disinfection done: {dis['compliance'] * 100:.0f}% · "
                     f"[消毒方案 Plan](plans/disinfection.md)", ""]
        donors = (s.get("supplies") or {}).get("donors") or []
        if donors:
            body += ["感谢捐赠 Thanks to our donors: " + "、".join(t.md(_name(d)) for d in donors), ""]
        body += ["## 趋势 Trends", "", tabs("home", [(f"{n} 天 days", days.charts(n)) for n in WINDOWS]),
                 "## 各单位填报 Unit reports, last 14 days", "", f'<figure class="cd-figure-chart">{days.grid(14)}</figure>',
                 "", "[更多趋势 More trends](trends/index.md) · [每日报告 Daily reports](reports/index.md)", ""]
    body += ["## 最新通知 Latest notices", ""]
    latest = board.active[:8]
    body += [board.entry(g, "notices/") for g in latest] or ["暂无通知。 No notices."]
    if latest:
        body += ["", f"> {t.md(excerpt(latest[0].main.body, 120))}"]
    body += ["", "[全部通知 All notices](notices/index.md) · [订阅 Atom feed](notices/feed.xml) · "
                 "[工作方案 Plans](plans/index.md) · [联系方式与心理热线 Contacts and hotlines](contacts/index.md)"]
    title = f"{campus.get('zh', '')} 疫情防控 Campus notices"
    return t.page(title, "\n".join(body), search={"exclude": True})


def _name(donor) -> str:
    return donor.get("name") or t.bi(donor) if isinstance(donor, dict) else str(donor)


def trends(days: Days) -> str:
    if days.latest is None:
        return t.page("趋势 Trends", "暂无每日数据。 No daily figures yet.")
    panes = [(f"{n} 天 days", days.charts(n)) for n in WINDOWS]
    span = (days.last_day - min(days.by_date)).days + 1
    if span > 30:
        panes.append((f"全部 all ({span})", days.charts(span)))
    body = [tabs("trends", panes), "## 各单位填报 Unit reports, last 30 days", "",
            f'<figure class="cd-figure-chart">{days.grid(30)}</figure>', "",
            "灰色为当天没有数据（未同步或工作表缺失）。 Grey: no data for that day (no sync, or the sheet was missing)."]
    return t.page("趋势 Trends", "\n".join(body), search={"exclude": True})


def stale(days: Days, today: dt.date, tz: dt.tzinfo) -> str:
    """The banner partial: shown now when the newest summary is more than a day old at build time,
    and switched on by assets/stale.js once a visitor's clock passes that point."""
    if days.last_day is None:
        return ""
    after = dt.datetime.combine(days.last_day + dt.timedelta(days=2), dt.time(0), tz)
    hidden = "" if (today - days.last_day).days > 1 else " hidden"
    return (f'<div class="admonition warning cd-stale" data-stale-after="{int(after.timestamp() * 1000)}"{hidden}>'
            f'<p class="admonition-title">数据未更新 Figures not updated</p>'
            f'<p>最新数据为 {t.tpl(days.last_day)}，已超过一天。 The newest figures are from '
            f'{t.tpl(days.last_day)}, more than a day old.</p></div>\n')
