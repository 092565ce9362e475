"""The daily report and the index of days as Markdown, rendered with Jinja2 from summary JSON only,
so that the site build can re-render every page from data/summaries.

Everything a template prints goes through `md` (the finalize hook applies it to whatever a
template forgot), because units, donors and tab titles were typed by people: <, >, & and the
characters that make Markdown links, emphasis or table cells are written as HTML entities.
"""
from __future__ import annotations

import re
from pathlib import Path

import jinja2

from . import text

TEMPLATES = Path(__file__).resolve().parents[2] / "site" / "templates"


class Escaped(str):
    """Text already escaped for Markdown; finalize leaves it alone."""


def md(value) -> Escaped:
    if isinstance(value, Escaped):
        return value
    if value is None:
        return Escaped("—")
    return Escaped(text.md(value))


def pct(value) -> Escaped:
    return Escaped("—" if value is None else f"{value * 100:.1f}%")


def cutoff(value) -> Escaped:
    """2020-02-11T10:30:00+08:00 -> 2020-02-11 10:30 (UTC+08:00)."""
    if not value:
        return Escaped("—")
    day, _, rest = str(value).partition("T")
    return md(f"{day} {rest[:5]} (UTC{rest[8:]})" if rest else day)


@jinja2.pass_context
def tr(ctx, zh: str, en: str) -> str:
    """The page's language of a text the template gives in both."""
    return en if ctx["lang"] == "en" else zh


@jinja2.pass_context
def name(ctx, item: dict | None) -> Escaped:
    """The name of a list item (unit, area, batch) in the page's language; zh where en is missing."""
    return md(text.name(item, ctx["lang"]))


@jinja2.pass_context
def label(ctx, names: dict, key) -> Escaped:
    """The name of an id from one of a summary's labels in the page's language, or the id itself."""
    found = (names or {}).get(key)
    return md(text.name(found, ctx["lang"]) if found else key)


def ordered(counts: dict, names: dict) -> list[tuple]:
    """(id, n) in the order the policies give (the labels' rank), then ids without a label."""
    names = names or {}
    known = sorted((k for k in counts if k in names), key=lambda k: names[k].get("rank", 0))
    return [(k, counts[k]) for k in known] + sorted((k, v) for k, v in counts.items() if k not in names)


@jinja2.pass_context
def figure(ctx, summary: dict, section: str, key: str) -> Escaped:
    """A public figure, or where a held value is left out of it (sync/summarize/held.py), "under
    review" with the units it concerns and the known rest marked incomplete -- never the held value."""
    lang = ctx["lang"]
    held = ((summary.get("held") or {}).get(section) or {}).get(key)
    if held is None:
        value = md(((summary.get(section) or {})).get(key))
        if ((summary.get("confirmed") or {}).get(section) or {}).get(key):
            return Escaped(f"{value} ({'confirmed by the office' if lang == 'en' else '经防控办确认'})")
        return value
    return md(held_text(held, lang))


def held_text(held: dict, lang: str = "zh") -> str:
    en = lang == "en"
    review = "under review" if en else "待核实"
    if held.get("known") is None:       # a whole figure held by a cross-check
        return review
    units = (", " if en else "、").join(text.name(u, lang) for u in held.get("units") or [])
    what = units or (f"{held['held']} value(s)" if en else f"{held['held']} 个数值")
    if en:
        return f"{review}: {what}; rest: {held['known']} (incomplete)"
    return f"{review}：{what}；其余合计 {held['known']}（不完整）"


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=False,
                             undefined=jinja2.StrictUndefined, finalize=md, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(md=md, pct=pct, cutoff=cutoff)
    env.globals.update(label=label, ordered=ordered, tr=tr, name=name, figure=figure)
    return env


def render_report(summary: dict, env: jinja2.Environment | None = None, lang: str = "zh") -> str:
    return html_tables((env or environment()).get_template("report.md.j2").render(s=summary, lang=lang))


_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")


def html_tables(text: str) -> str:
    """Markdown tables -> lean HTML tables. A year of reports is a year of table rows, and
    Python-Markdown spends most of a site build on them (bench/bench_site.py): as Markdown every
    cell is parsed inline, as HTML every tag is tokenized, so the HTML has as few tags as it can
    (no thead/tbody; right alignment by CSS, site/assets/site.css: a data attribute, not a
    class, because Material styles only tables without a class). Cells are
    already escaped (md writes entities, valid in HTML)."""
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and _SEPARATOR.match(lines[i + 1]):
            head = _cells(lines[i])
            numbers = lines[i + 1].strip().strip("|").split("|")[-1].strip().endswith(":")
            i += 2
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append("<tr><td>" + "<td>".join(_cells(lines[i])))
                i += 1
            opening = "<table data-figures>" if numbers else "<table>"
            out.append(opening + "\n<tr><th>" + "<th>".join(head) + "\n" + "\n".join(rows) + "\n</table>")
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def render_index(summaries: list[dict], env: jinja2.Environment | None = None, lang: str = "zh") -> str:
    """The index of days, newest first; each entry needs date, status and reporting."""
    days = sorted(summaries, key=lambda s: s["date"], reverse=True)
    return (env or environment()).get_template("reports_index.md.j2").render(days=days, lang=lang)
