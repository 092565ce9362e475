"""Pictures made at build time as inline SVG: trend lines and the unit-by-day completeness grid.

No JavaScript and no request: the SVG sits in the page. Every label is escaped. A day without a
summary, or a section the summary marks absent (null), is a gap in the line, never a zero.
"""
from __future__ import annotations

import datetime as dt

from .text import html

PALETTE = {"fever": "#e65100", "suspected": "#7b1fa2", "confirmed": "#c62828", "isolated": "#1565c0",
           "rate": "#2e7d32", "on_time_rate": "#00838f"}
CELL = {"reported": ("#43a047", "已报 reported"), "missing": ("#e53935", "未报 missing"),
        "none": ("#cfd8dc", "无数据 no data")}


def _width(label: str) -> int:
    """Rough text width at the chart's font size: CJK characters are about twice as wide."""
    return sum(12 if ord(ch) > 0x2E80 else 7 for ch in label)


def _nice(top: float) -> int:
    """A round axis maximum at or above top whose quarters are whole numbers (4, 8, 20, 40, ...)."""
    step = 4
    while True:
        for m in (1, 2, 5):
            if step * m >= top:
                return step * m
        step *= 10


def line_chart(days: list[dt.date], series: list[tuple[str, str, list]], title: str,
               percent: bool = False, width: int = 640, height: int = 220) -> str:
    """series: (key, label, values) with None for a gap; key picks the colour."""
    left, right, top, bottom = 44, 12, 30, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, _, vals in series for v in vals if v is not None]
    y_max = 1.0 if percent else _nice(max(values, default=0))
    n = max(len(days) - 1, 1)

    def x(i):
        return left + plot_w * i / n

    def y(v):
        return top + plot_h * (1 - v / y_max)

    out = [f'<svg class="cd-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{html(title)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{html(title)}</title>']
    for k in range(5):
        v = y_max * k / 4
        label = f"{v * 100:.0f}%" if percent else f"{v:g}"
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="cd-grid"/>'
                   f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{label}</text>')
    for i in sorted({0, len(days) // 2, len(days) - 1}) if days else []:
        anchor = "start" if i == 0 else ("end" if i == len(days) - 1 else "middle")
        out.append(f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="{anchor}">{days[i].strftime("%m-%d")}</text>')
    lx = left
    for key, label, vals in series:
        colour = PALETTE.get(key, "#455a64")
        out.append(f'<rect x="{lx}" y="8" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{lx + 14}" y="17">{html(label)}</text>')
        lx += 14 + _width(label) + 16
        for run in _runs(vals):
            points = " ".join(f"{x(i):.1f},{y(vals[i]):.1f}" for i in run)
            if len(run) > 1:
                out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
            if len(days) <= 31:
                for i in run:
                    shown = f"{vals[i] * 100:.1f}%" if percent else f"{vals[i]:g}"
                    out.append(f'<circle cx="{x(i):.1f}" cy="{y(vals[i]):.1f}" r="2.5" fill="{colour}">'
                               f'<title>{days[i]} {html(label)}: {shown}</title></circle>')
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


def grid(days: list[dt.date], units: list[dict], status: dict[tuple[str, dt.date], str], title: str) -> str:
    """A row per unit, a column per day; status maps (unit id, day) to reported/missing/none."""
    label_w, cell, gap, top = 150, 14, 2, 44
    width = label_w + len(days) * (cell + gap) + 10
    height = top + len(units) * (cell + gap) + 8
    out = [f'<svg class="cd-grid-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{html(title)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{html(title)}</title>']
    lx = 0
    for _, (colour, label) in CELL.items():
        out.append(f'<rect x="{lx}" y="4" width="10" height="10" fill="{colour}"/><text x="{lx + 14}" y="13">'
                   f'{html(label)}</text>')
        lx += 14 + _width(label) + 14
    for j, day in enumerate(days):
        if j == len(days) - 1 or (j % 7 == 0 and len(days) - 1 - j >= 4):
            anchor = ' text-anchor="end"' if j == len(days) - 1 and j else ""
            edge = label_w + j * (cell + gap) + (cell if anchor else 0)
            out.append(f'<text x="{edge}" y="{top - 6}"{anchor}>{day.strftime("%m-%d")}</text>')
    for i, unit in enumerate(units):
        yy = top + i * (cell + gap)
        name = unit.get("zh") or unit["id"]
        out.append(f'<text x="{label_w - 6}" y="{yy + cell - 3}" text-anchor="end">{html(name)}</text>')
        for j, day in enumerate(days):
            state = status.get((unit["id"], day), "none")
            colour, label = CELL[state]
            out.append(f'<rect x="{label_w + j * (cell + gap)}" y="{yy}" width="{cell}" height="{cell}" '
                       f'fill="{colour}"><title>{html(name)} {day}: {label}</title></rect>')
    return "".join(out) + "</svg>"
