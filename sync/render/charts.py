"""Pictures made at build time as inline SVG: trend lines and the unit-by-day completeness grid.

No JavaScript and no request: the SVG sits in the page. Every label is escaped. A day without a
summary, or a section the summary marks absent (null), is a gap in the line, never a zero.

Readable on a phone: the SVG is drawn at the size it is shown at on a 390 px screen (its width
is about the column's), so 13-unit text stays at least 12 px. Colours are from the Okabe-Ito
palette (safe for the common colour-vision deficiencies), and every series has a second cue, a
marker shape and a dash pattern; the grid marks a missing report with a cross, not by red alone.
After each picture, its figures as a table (figures_table, grid_text) for screen readers and for
anyone who wants the numbers.
"""
from __future__ import annotations

import datetime as dt

from .text import html, say

# key: (colour, marker, dash). Okabe-Ito colours with at least 3:1 contrast on white.
STYLE = {"confirmed": ("#D55E00", "triangle", ""), "suspected": ("#CC79A7", "square", "6 3"),
         "fever": ("#0072B2", "circle", "2 3"), "isolated": ("#009E73", "diamond", "8 3 2 3"),
         "rate": ("#0072B2", "circle", ""), "on_time_rate": ("#D55E00", "square", "6 3")}
FONT = 13
REPORTED, MISSING = "#009E73", "#D55E00"
CELL_LABEL = {"reported": ("已报", "reported"), "missing": ("未报", "missing"), "none": ("无数据", "no data")}


def _width(label: str) -> int:
    """Rough text width at the chart's font size: CJK characters are about twice as wide."""
    return sum(FONT if ord(ch) > 0x2E80 else 7.5 for ch in label)


def _nice(top: float) -> int:
    """A round axis maximum at or above top whose quarters are whole numbers (4, 8, 20, 40, ...)."""
    step = 4
    while True:
        for m in (1, 2, 5):
            if step * m >= top:
                return step * m
        step *= 10


def marker(shape: str, x: float, y: float, colour: str, r: float = 3.5) -> str:
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" fill="{colour}"/>'
    if shape == "triangle":
        return (f'<polygon points="{x:.1f},{y - r - 1:.1f} {x - r - 0.5:.1f},{y + r:.1f} {x + r + 0.5:.1f},{y + r:.1f}" '
                f'fill="{colour}"/>')
    if shape == "diamond":
        return (f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y:.1f} {x:.1f},{y + r + 1:.1f} '
                f'{x - r - 1:.1f},{y:.1f}" fill="{colour}"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}"/>'


def line_chart(days: list[dt.date], series: list[tuple[str, str, list]], title: str,
               percent: bool = False, width: int = 340, height: int = 240) -> str:
    """series: (key, label, values) with None for a gap; key picks the colour, marker and dash."""
    rows = (len(series) + 1) // 2                    # the legend: two entries a row
    left, right, top, bottom = 40, 10, 12 + rows * 20, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, _, vals in series for v in vals if v is not None]
    y_max = 1.0 if percent else _nice(max(values, default=0))
    n = max(len(days) - 1, 1)

    def x(i):
        return left + plot_w * i / n

    def y(v):
        return top + plot_h * (1 - v / y_max)

    out = [f'<svg class="cd-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{html(title)}" xmlns="http://www.w3.org/2000/svg"><title>{html(title)}</title>']
    for k in range(5):
        v = y_max * k / 4
        label = f"{v * 100:.0f}%" if percent else f"{v:g}"
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="cd-grid"/>'
                   f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{label}</text>')
    for i in sorted({0, len(days) // 2, len(days) - 1}) if days else []:
        anchor = "start" if i == 0 else ("end" if i == len(days) - 1 else "middle")
        out.append(f'<text x="{x(i):.1f}" y="{height - 6}" text-anchor="{anchor}">{days[i].strftime("%m-%d")}</text>')
    for j, (key, label, vals) in enumerate(series):
        colour, shape, dash = STYLE.get(key, ("#000000", "circle", ""))
        lx, ly = 4 + (j % 2) * (width // 2), 10 + (j // 2) * 20
        out.append(f'<line x1="{lx}" x2="{lx + 22}" y1="{ly + 5}" y2="{ly + 5}" stroke="{colour}" stroke-width="2.5"'
                   + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
                   + marker(shape, lx + 11, ly + 5, colour)
                   + f'<text x="{lx + 28}" y="{ly + 10}">{html(label)}</text>')
        for run in _runs(vals):
            points = " ".join(f"{x(i):.1f},{y(vals[i]):.1f}" for i in run)
            if len(run) > 1:
                out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{points}"'
                           + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
            if len(days) <= 31:
                out += [marker(shape, x(i), y(vals[i]), colour) for i in run]
    return "".join(out) + "</svg>"


def _runs(vals: list) -> list[list[int]]:
    runs, current = [], []
    for i, v in enumerate(vals):
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(i)
    return runs + ([current] if current else [])


def figures_table(days: list[dt.date], series: list[tuple[str, str, list]], title: str, percent: bool,
                  lang: str) -> str:
    """The chart's figures, a row per day (newest first), folded under the chart."""
    _ = say(lang)

    def shown(v):
        return "—" if v is None else (f"{v * 100:.1f}%" if percent else f"{v:g}")

    head = "".join(f"<th>{html(label)}</th>" for _, label, _v in series)
    rows = "".join(f"<tr><td>{d.strftime('%m-%d')}</td>" + "".join(f"<td>{shown(vals[i])}</td>" for _, _l, vals in series)
                   + "</tr>" for i, d in reversed(list(enumerate(days))))
    return (f'<details class="cd-data"><summary>{html(_("数据表：", "Figures: "))}{html(title)}</summary>'
            f'<table data-figures><tr><th>{html(_("日期", "Date"))}</th>{head}</tr>{rows}</table></details>')


def grid(days: list[dt.date], units: list[dict], status: dict[tuple[str, dt.date], str], title: str,
         lang: str = "zh") -> str:
    """A row per unit, a column per day; status maps (unit id, day) to reported/missing/none.
    Reported: a filled square; missing: a cross in an outlined square; no data: a dashed outline."""
    _ = say(lang)
    names = [unit.get(lang) or unit.get("zh") or unit["id"] for unit in units]
    label_w, cell, gap, top = min(240, max(map(_width, names), default=0) + 10), 14, 2, 46
    width = label_w + len(days) * (cell + gap) + 4
    height = top + len(units) * (cell + gap) + 4
    out = [f'<svg class="cd-grid-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{html(title)}" xmlns="http://www.w3.org/2000/svg"><title>{html(title)}</title>']
    lx = 0
    for state, (zh, en) in CELL_LABEL.items():
        label = _(zh, en)
        out.append(_cell(state, lx, 4, cell) + f'<text x="{lx + cell + 4}" y="{4 + cell - 2}">{html(label)}</text>')
        lx += cell + 4 + _width(label) + 12
    for j, day in enumerate(days):
        if j == len(days) - 1 or (j % 7 == 0 and len(days) - 1 - j >= 4):
            anchor = ' text-anchor="end"' if j == len(days) - 1 and j else ""
            edge = label_w + j * (cell + gap) + (cell if anchor else 0)
            out.append(f'<text x="{edge}" y="{top - 6}"{anchor}>{day.strftime("%m-%d")}</text>')
    for i, (unit, name) in enumerate(zip(units, names)):
        yy = top + i * (cell + gap)
        out.append(f'<text x="{label_w - 6}" y="{yy + cell - 2}" text-anchor="end">{html(name)}</text>')
        for j, day in enumerate(days):
            state = status.get((unit["id"], day), "none")
            out.append(_cell(state, label_w + j * (cell + gap), yy, cell))
    return "".join(out) + "</svg>"


def _cell(state: str, x: int, y: int, size: int) -> str:
    if state == "reported":
        return f'<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="{REPORTED}"/>'
    if state == "missing":
        a, b = x + 3, x + size - 3
        return (f'<rect x="{x + 0.75}" y="{y + 0.75}" width="{size - 1.5}" height="{size - 1.5}" fill="#fff" '
                f'stroke="{MISSING}" stroke-width="1.5"/><path d="M{a} {y + 3}L{b} {y + size - 3}M{b} {y + 3}L{a} '
                f'{y + size - 3}" stroke="{MISSING}" stroke-width="2"/>')
    return (f'<rect x="{x + 0.5}" y="{y + 0.5}" width="{size - 1}" height="{size - 1}" fill="none" stroke="#767676" '
            f'stroke-dasharray="2 2"/>')


def grid_text(days: list[dt.date], units: list[dict], status: dict[tuple[str, dt.date], str], lang: str) -> str:
    """The grid as a table: for each unit, the days it did not report and the days without data."""
    _ = say(lang)
    rows = []
    for unit in units:
        name = unit.get(lang) or unit.get("zh") or unit["id"]
        missing = [d.strftime("%m-%d") for d in days if status.get((unit["id"], d)) == "missing"]
        none = sum(1 for d in days if (unit["id"], d) not in status)
        rows.append(f"<tr><td>{html(name)}</td><td>{len(days) - len(missing) - none}</td>"
                    f"<td>{html(', '.join(missing)) or '—'}</td><td>{none}</td></tr>")
    return (f'<details class="cd-data"><summary>{html(_("数据表：各单位填报", "Figures: unit reports"))}</summary>'
            f'<table><tr><th>{html(_("单位", "Unit"))}</th><th>{html(_("已报天数", "Days reported"))}</th>'
            f'<th>{html(_("未报日期", "Days missing"))}</th><th>{html(_("无数据天数", "Days without data"))}</th></tr>'
            + "".join(rows) + "</table></details>")
