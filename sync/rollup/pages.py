"""The province site's pages and its upward table, from the assessment alone.

    index.md             today: the totals with the campuses they include, every campus's state
    trends/index.md      the province totals over the last history_days
    checks/index.md      every finding of the province checks
    downloads/<day>.csv, .xlsx   the upward table, one row per campus

Campus names and reasons come from other sites: every one is escaped (text.table does it).
"""
from __future__ import annotations

import datetime as dt

from ..render import charts
from ..render import home
from ..render import text as t
from ..render.export import UNDER_REVIEW, xlsx_bytes
from .assess import STATES, Assessment, View

LABELS = {key: f"{zh} {en}" for _, key, zh, en in home.FIGURES}


def label(name: str) -> str:
    return LABELS.get(name, name)


def _num(value) -> str:
    return "—" if value is None else str(value)


def _state(v: View) -> str:
    zh, en = STATES[v.state]
    return f"{zh} {en}"


def _figure(v: View, name: str) -> object:
    """A campus's figure as the province shows it: its value, 待核实 while a value in it is held."""
    if name in v.held:
        return UNDER_REVIEW
    value = ((v.latest or {}).get("counts") or {}).get(name)
    return "" if value is None else value


def marks(v: View) -> str:
    """What a campus's figures are waiting for: held values (which figure, which units), sign-off."""
    out = []
    for name, held in v.held.items():
        units = ", ".join(f"{u['zh']} {u['en']}" for u in held.get("units") or [])
        out.append(f"{UNDER_REVIEW}: {label(name)}" + (f" ({units})" if units else ""))
    if v.awaiting and v.state != "awaiting-signoff":
        out.append("更正待防控办签发 a change awaits the office's sign-off")
    elif v.awaiting:
        out.append("今日数据待防控办签发 today's figures await the office's sign-off")
    return "; ".join(out)


def incomplete(a: Assessment, name: str) -> str:
    """The note of a province total that leaves held values out ("" when none is held)."""
    n = len(a.held.get(name, []))
    return f"不完整 incomplete: {n} 所校园数值待核实 {n} campus(es) under review, not summed" if n else ""


def _total(a: Assessment, name: str) -> str:
    note = incomplete(a, name)
    return _num(a.totals[name]) + (f" ({note})" if note else "")


def upward_rows(a: Assessment) -> list[list[object]]:
    """Header, one row per campus, then the province totals (included campuses only)."""
    header = ["校园代码 Campus id", "校园 Campus", "Campus (English)", "状态 State", "计入合计 In totals",
              "最新数据日期 Latest figures", "数据天数差 Days old", "原因 Reason",
              "待核实与签发 Under review, sign-off", "填报率 Reporting rate"]
    header += [label(f) for f in a.figures]
    rows: list[list[object]] = [list(header)]
    for v in a.views:
        rep = (v.latest or {}).get("reporting") or {}
        rows.append([v.campus.id, v.campus.name.zh, v.campus.name.en, _state(v), "是 yes" if v.included else "否 no",
                     (v.latest or {}).get("date", ""), "" if v.age_days is None else v.age_days, v.reason or "",
                     marks(v), "" if rep.get("rate") is None else rep["rate"]]
                    + [_figure(v, f) for f in a.figures])
    notes = "; ".join(f"{label(f)}: {incomplete(a, f)}" for f in a.figures if incomplete(a, f))
    rows.append(["", "合计 Total", "Total", f"{len(a.included)} / {len(a.views)}", "", a.day.isoformat(), "", "",
                 notes, ""] + ["" if a.totals[f] is None else a.totals[f] for f in a.figures])
    return rows


def to_xlsx(rows: list[list], day: dt.date) -> bytes:
    return xlsx_bytes(rows, "全省汇总 Province roll-up", day, 3, [(0, len(rows[0]) - 1, 16)])


def index(a: Assessment, title: str) -> str:
    day = a.day.isoformat()
    lines = [f"数据日期 As of **{day}**。合计只包括当日按时或迟发布、文件有效且自洽的校园："
             f"**{len(a.included)} / {len(a.views)}** 所。 Totals include only campuses that published valid, "
             f"self-consistent figures for the day: **{len(a.included)} of {len(a.views)}**.", ""]
    lines.append(t.table(["指标 Figure", "合计 Total", "计入校园数 Campuses counted"],
                         [[label(f), _total(a, f), a.counted[f]] for f in a.figures], "lrr"))
    waiting = [v for v in a.views if marks(v)]
    if waiting:
        lines += ["", "## 待核实与待签发 Under review, awaiting sign-off", "",
                  "待核实的数值不公布、不计入合计。 A value under review is neither published nor summed.", ""]
        lines.append(t.table(["校园 Campus", "状态 State", "说明 What"],
                             [[t.bi(v.campus.name.model_dump()), _state(v), marks(v)] for v in waiting]))
    left_out = [v for v in a.views if not v.included]
    if left_out:
        lines += ["", "## 未计入合计 Not in the totals", ""]
        lines.append(t.table(["校园 Campus", "状态 State", "最新数据 Latest figures", "原因 Reason"],
                             [[t.bi(v.campus.name.model_dump()), _state(v),
                               f"{v.latest['date']} ({v.age_days} 天前 days old)" if v.latest else "—",
                               v.reason or ""] for v in left_out]))
    lines += ["", "## 各校园 Campuses", ""]
    rows = []
    for v in a.views:
        rep = (v.latest or {}).get("reporting") or {}
        stale = "" if v.included else " (过期 stale)" if v.latest else ""
        rows.append([t.bi(v.campus.name.model_dump()), _state(v), ((v.latest or {}).get("date", "—")) + stale,
                     "—" if rep.get("rate") is None else f"{rep['rate'] * 100:.1f}%"]
                    + [str(_figure(v, f)) or "—" for f in a.figures])
    lines.append(t.table(["校园 Campus", "状态 State", "最新数据 Latest", "填报率 Reporting"]
                         + [label(f) for f in a.figures], rows, "llll" + "r" * len(a.figures)))
    found = a.findings
    lines += ["", f"省级核查发现 {len(found)} 项问题 / {len(found)} finding(s) of the province checks: "
                  f"[核查 Checks](checks/index.md)。 [趋势 Trends](trends/index.md)。",
              "", f"上报表 Upward table: [CSV](downloads/{day}.csv) · [XLSX](downloads/{day}.xlsx)"]
    return t.page(title, "\n".join(lines))


def trends(a: Assessment) -> str:
    days = [dt.date.fromisoformat(d["date"]) for d in a.trend]
    # A day that fewer campuses published is a gap in the line, not a fall: the table still shows it.
    most = max((d["campuses"] for d in a.trend), default=0)
    series: list[tuple[str, str, list]] = [
        (f, label(f), [d["totals"].get(f) if d["campuses"] == most and d["counted"].get(f) == most else None
                       for d in a.trend])
        for f in ("fever", "suspected", "confirmed", "isolated") if f in a.figures]
    chart = charts.line_chart(days, series, "全省合计 Province totals") if series else ""

    def cell(d: dict, f: str) -> str:
        short = d["totals"].get(f) is not None and d["counted"].get(f, 0) < d["campuses"]
        return _num(d["totals"].get(f)) + (" *" if short else "")

    rows = [[d["date"], d["campuses"]] + [cell(d, f) for f in a.figures] for d in reversed(a.trend)]
    body = (f"{chart}\n\n每日合计为当日有有效数据的校园之和（校园数见第二列）；校园数较少的日子在图中留空。 Each day sums "
            f"the campuses with valid figures for that day (their number is the second column); a day with fewer "
            f"campuses is a gap in the chart, not a fall.\n\n"
            f"\\* 不完整：有校园的该项数值待核实或未读到，未计入。 Incomplete: a campus's value is under review "
            f"(待核实) or was not read, and is not in the sum.\n\n"
            + t.table(["日期 Date", "校园数 Campuses"] + [label(f) for f in a.figures], rows, "lr" + "r" * len(a.figures)))
    return t.page("趋势 Trends", body)


def findings(a: Assessment) -> str:
    found = sorted(a.findings, key=lambda f: (f.severity != "error", f.campus, f.date))
    if not found:
        return t.page("核查 Checks", "各项核查均未发现问题。 The province checks found nothing.")
    names = {v.campus.id: t.bi(v.campus.name.model_dump()) for v in a.views}
    rows = [[("错误 error" if f.severity == "error" else "警告 warning"), names[f.campus], f.date, f.code,
             f.zh + " / " + f.en] for f in found]
    body = ("错误使该校园不计入合计；警告仅提示。 An error keeps the campus out of the totals; a warning only names "
            "it.\n\n" + t.table(["级别 Severity", "校园 Campus", "日期 Date", "代码 Code", "说明 Message"], rows))
    return t.page("核查 Checks", body)
