"""The home page, the trends page and the stale-data banner, from data/summaries/*.json.

Summaries are read as the issue-3 sync writes them (schema_version 1). A section that is null
(its sheet was unavailable) shows as "no data", never as zero.
"""
from __future__ import annotations

import datetime as dt

from . import charts
from . import text as t
from .board import Board

FIGURES = [("units", "confirmed", "确诊", "Confirmed"), ("units", "suspected", "疑似", "Suspected"),
           ("units", "fever", "发热", "Fever"), ("units", "isolated", "隔离观察", "Isolated"),
           ("units", "students_on_campus", "在校学生", "Students on campus"),
           ("units", "staff_on_campus", "在岗教职工", "Staff on campus")]
CASES = [("fever", "发热", "Fever"), ("suspected", "疑似", "Suspected"), ("confirmed", "确诊", "Confirmed"),
         ("isolated", "隔离", "Isolated")]
RATES = [("rate", "填报率", "Reported"), ("on_time_rate", "按时率", "On time")]
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

    def charts(self, n: int, lang: str) -> str:
        _ = t.say(lang)
        days = self.window(n)
        cases = [(k, _(zh, en), self.values(days, "units", k)) for k, zh, en in CASES]
        rates = [(k, _(zh, en), self.values(days, "reporting", k)) for k, zh, en in RATES]
        out = []
        for series, title, percent in ((cases, _(f"近 {n} 天病例与隔离", f"Cases and isolation, last {n} days"), False),
                                       (rates, _(f"近 {n} 天填报情况", f"Reporting, last {n} days"), True)):
            out.append(f'<figure class="cd-figure-chart">{charts.line_chart(days, series, title, percent)}'
                       f'{charts.figures_table(days, series, title, percent, lang)}'
                       f'</figure>')
        return "".join(out)

    def grid(self, n: int, lang: str) -> str:
        _ = t.say(lang)
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
        title = _(f"近 {n} 天各单位填报", f"Unit reports, last {n} days")
        return (charts.grid(days, units, status, title, lang)
                + charts.grid_text(days, units, status, lang))


def tabs(name: str, panes: list[tuple[str, str]]) -> str:
    """Content tabs as Material styles them (pymdownx.tabbed markup), written as raw HTML."""
    inputs = "".join(f'<input id="cd-{name}-{i}" name="cd-{name}" type="radio"{" checked" if i == 0 else ""}>'
                     for i in range(len(panes)))
    labels = "".join(f'<label for="cd-{name}-{i}">{t.html(label)}</label>' for i, (label, _) in enumerate(panes))
    blocks = "".join(f'<div class="tabbed-block">{body}</div>' for _, body in panes)
    return (f'<div class="tabbed-set tabbed-alternate" data-tabs="{name}:{len(panes)}">{inputs}'
            f'<div class="tabbed-labels">{labels}</div><div class="tabbed-content">{blocks}</div></div>\n')


def figures(s: dict, lang: str) -> str:
    _ = t.say(lang)
    cards = []
    for section, key, zh, en in FIGURES:
        part = s.get(section)
        value = part.get(key) if isinstance(part, dict) else None
        held = ((s.get("held") or {}).get(section) or {}).get(key)
        if held is not None:     # a held value never shows: "under review" and which units
            units = _("、", ", ").join(t.name(u, lang) for u in held.get("units") or [])
            cards.append(f'<div class="cd-card cd-card--held" data-figure="{key}" data-held="{held["held"]}">'
                         f'<span class="cd-card__value">{t.html(_("待核实", "under review"))}</span>'
                         f'<span class="cd-card__label">{t.html(_(zh, en))}{": " + t.html(units) if units else ""}'
                         f'</span></div>')
            continue
        cards.append(f'<div class="cd-card" data-figure="{key}"><span class="cd-card__value">'
                     f'{t.html("—" if value is None else value)}</span>'
                     f'<span class="cd-card__label">{t.html(_(zh, en))}</span></div>')
    return '<div class="cd-cards">' + "".join(cards) + "</div>\n"


def reporting(s: dict, lang: str) -> str:
    _ = t.say(lang)
    r = s.get("reporting")
    if not r:
        return _("*暂无填报数据（工作表缺失或无法读取，不是零）。*", "*No unit reports: the sheet is missing or unreadable (not zero).*") + "\n"
    pct = (lambda v: "—" if v is None else f"{v * 100:.0f}%")
    text = (f"{_('已报', 'Reported')} **{r['reported']} / {r['expected']}** ({pct(r.get('rate'))}) · "
            f"{_('按时', 'On time')} {r.get('on_time', '—')} ({pct(r.get('on_time_rate'))}) · "
            f"{_('零报告', 'Zero reports')} {r.get('zero_reports', '—')}\n")
    if r.get("missing"):
        text += "\n" + _("未报单位：", "Missing: ") + _("、", ", ").join(t.md(t.name(m, lang)) for m in r["missing"]) + "\n"
    return text


def home(days: Days, board: Board, campus: dict, today: dt.date, lang: str = "zh") -> str:
    """Phone first: the day's figures, then reporting completeness, then urgent notices, then the rest."""
    _ = t.say(lang)
    sep = _("、", ", ")
    body = []
    s = days.latest
    if s is None:
        body += ["## " + _("今日数据", "Today's figures"), "", _("暂无每日数据。", "No daily figures yet.")
                 + (_("数据待防控办签发。", " The figures await the office's sign-off.") if days.awaiting else ""), ""]
    else:
        status = _("完整", "complete") if s.get("status") == "complete" else _("不完整", "partial")
        waiting = [d for d in days.awaiting if d > s["date"]]
        if waiting:     # the public side keeps the last signed day, and says so
            title = _("今日数据待防控办签发", "Today's figures await the office's sign-off")
            body += [f'!!! info "{title}"', "",
                     "    " + _(f"{t.md('、'.join(waiting))} 的数据尚未签发，以下为最近签发的 {s['date']} 数据。",
                                f"The figures of {t.md(', '.join(waiting))} await the office's sign-off; below are "
                                f"the last signed figures, of {s['date']}."), ""]
        body += [f'{t.md(s["date"])} · {t.md(status)} · [{_("当日报告", "Full report")}](reports/{s["date"]}.md)',
                 "{: .cd-asof }", "", figures(s, lang), reporting(s, lang)]
        if s.get("status") == "partial" and s.get("unavailable"):
            names = s.get("labels", {}).get("sheets", {})
            body += [f'!!! warning "{_("数据不完整", "Partial data")}"', "",
                     "    " + _("缺失或无法读取（不是零）：", "Missing or unreadable (not zero): ")
                     + sep.join(t.md(t.name(names.get(x), lang) or x) for x in s["unavailable"]), ""]
    if board.urgent:
        body += [f'!!! danger "{_("紧急通知", "Urgent")}"', ""]
        body += [f"    - {board.link(g, lang, 'notices/')} <small>{g.main.date}</small>" for g in board.urgent]
        body.append("")
    if s is not None:
        dis = s.get("disinfection")
        if dis and dis.get("compliance") is not None:
            body += [f"{_('消毒完成率', 'Disinfection done')}: {dis['compliance'] * 100:.0f}% · "
                     f"[{_('消毒方案', 'Plan')}](plans/disinfection.md)", ""]
        donors = (s.get("supplies") or {}).get("donors") or []
        if donors:
            body += [_("感谢捐赠：", "Thanks to our donors: ") + sep.join(t.md(_name(d, lang)) for d in donors), ""]
        body += ["## " + _("趋势", "Trends"), "",
                 tabs("home", [(_(f"{n} 天", f"{n} days"), days.charts(n, lang)) for n in WINDOWS]),
                 "## " + _("各单位填报（近 14 天）", "Unit reports, last 14 days"), "",
                 f'<figure class="cd-figure-chart" tabindex="0">{days.grid(14, lang)}</figure>', "",
                 f"[{_('更多趋势', 'More trends')}](trends/index.md) · [{_('每日报告', 'Daily reports')}](reports/index.md)", ""]
    body += ["## " + _("最新通知", "Latest notices"), ""]
    latest = board.active[:8]
    body += [board.entry(g, lang, "notices/") for g in latest] or [_("暂无通知。", "No notices.")]
    body += ["", f"[{_('全部通知', 'All notices')}](notices/index.md) · [{_('订阅', 'Atom feed')}](notices/feed.xml) · "
                 f"[{_('工作方案', 'Plans')}](plans/index.md) · [{_('联系方式与心理热线', 'Contacts and hotlines')}](contacts/index.md)"]
    title = _(f"{campus.get('zh', '')}疫情防控", f"{campus.get('en') or campus.get('zh', '')}: campus notices")
    return t.page(title, "\n".join(body), heading="{ .cd-title }", search={"exclude": True}, figures=True)


def _name(donor, lang: str) -> str:
    return donor.get("name") or t.name(donor, lang) if isinstance(donor, dict) else str(donor)


def trends(days: Days, lang: str = "zh") -> str:
    _ = t.say(lang)
    if days.latest is None or days.last_day is None:
        return t.page(_("趋势", "Trends"), _("暂无每日数据。", "No daily figures yet."))
    panes = [(_(f"{n} 天", f"{n} days"), days.charts(n, lang)) for n in WINDOWS]
    span = (days.last_day - min(days.by_date)).days + 1
    if span > 30:
        panes.append((_(f"全部（{span} 天）", f"All ({span} days)"), days.charts(span, lang)))
    body = [tabs("trends", panes), "## " + _("各单位填报（近 30 天）", "Unit reports, last 30 days"), "",
            f'<figure class="cd-figure-chart" tabindex="0">{days.grid(30, lang)}</figure>']
    return t.page(_("趋势", "Trends"), "\n".join(body), search={"exclude": True}, figures=True)


def stale(days: Days, today: dt.date, tz: dt.tzinfo, lang: str = "zh") -> str:
    """The banner partial, one line: shown now when the newest summary is more than a day old at build
    time, and switched on by assets/stale.js once a visitor's clock passes that point."""
    _ = t.say(lang)
    if days.last_day is None:
        return ""
    after = dt.datetime.combine(days.last_day + dt.timedelta(days=2), dt.time(0), tz)
    hidden = "" if (today - days.last_day).days > 1 else " hidden"
    # The check runs as the page is parsed, before the first paint: a banner shown later would
    # push the page down (layout shift).
    return (f'<p class="cd-stale" role="status" data-stale-after="{int(after.timestamp() * 1000)}"{hidden}>'
            + t.tpl(_(f"数据未更新：最新数据为 {days.last_day}。", f"Figures not updated: the newest are from {days.last_day}."))
            + "</p><script>(function (b) { if (Date.now() >= Number(b.dataset.staleAfter)) b.hidden = false; })"
              "(document.currentScript.previousElementSibling);</script>\n")
