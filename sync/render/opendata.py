"""The campus site's data API: the public summaries as stable files under /data/.

    data/index.json             the days on file, each with its files and their SHA-256; the other
                                files' SHA-256 (sha256); the days awaiting sign-off (awaiting)
    data/latest.json            the newest day's summary
    data/days/<date>.json       each day's public summary, as `run` wrote it
    data/units/<date>.csv       that day's figures per unit (the upward report, without totals)
    data/days.csv               one row per day: reporting and the campus's key figures
    data/units.csv              one row per unit per day
    data/summary.schema.json    the JSON Schema the summaries follow (sync/summarize/contract.py)
    data/datapackage.json       a Frictionless Data Package describing the two CSV files
    data/index.md, en/data/index.md   the open data page, one per language, saying all this

Only what is already public goes here: the summaries (aggregates) and the unit-by-unit upward
table, whose columns are unit_daily's counts and report times, nothing personal. The SHA-256
in index.json lets a reader (the province roll-up) fetch only the days that changed. Bodies
carry no timestamps, so an unchanged day gives the same bytes and the same ETag.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from ..summarize import contract
from . import text as t
from .export import UNDER_REVIEW

REPORTED = {"是 yes": True, "否 no (未报 missing)": False}
YES_NO = {"是 yes": True, "否 no": False, "": None}
TIMING = {"按时 on time": "on_time", "迟报 late": "late", "时间不详 unknown": "time_unknown", "": None}
UNIT_HEAD = ["date", "unit_id", "unit_zh", "unit_en", "reported", "zero_report", "timing"]
DAY_HEAD = ["date", "status", "schema_version", "units_expected", "units_reported", "on_time", "late",
            "zero_reports", "missing", "reporting_rate"]
MORE = [("students_total", "students", "total"), ("staff_total", "staff", "total"),
        ("isolation_people", "isolation", "people"), ("gate_entries", "gate", "total"),
        ("gate_refused", "gate", "refused")]


def _json(body) -> bytes:
    return (json.dumps(body, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else ("true" if v is True else "false" if v is False else v) for v in row])
    return buffer.getvalue().encode("utf-8")


def count_ids(summaries: list[dict]) -> list[str]:
    """unit_daily's count columns, in the order the policies give them (labels carry the rank)."""
    labels: dict[str, int] = {}
    for s in summaries:
        for key, label in ((s.get("labels") or {}).get("counts") or {}).items():
            labels.setdefault(key, label.get("rank", 0))
        for key in s.get("units") or {}:
            labels.setdefault(key, 1000)
    return sorted(labels, key=lambda k: (labels[k], k))


def unit_rows(export_csv: bytes, summary: dict, counts: list[str]) -> list[list]:
    """The upward report's CSV (bilingual headers, a totals row) as plain rows for machines."""
    titles = {f"{v['zh']} {v['en']}": k for k, v in ((summary.get("labels") or {}).get("counts") or {}).items()}
    reader = csv.reader(io.StringIO(export_csv.decode("utf-8-sig")))
    header = next(reader, [])
    where = {titles[h]: i for i, h in enumerate(header) if h in titles}
    rows = []
    for line in reader:
        if not line or not line[0]:          # the totals row has no unit id
            continue
        rows.append([summary["date"], line[0], line[1], line[2], REPORTED.get(line[3]), YES_NO.get(line[4]),
                     TIMING.get(line[6])] + [_int(line[where[c]]) if c in where else None for c in counts])
    return rows


def _int(text: str) -> int | None:
    """A count of the upward table; blank where the table holds none or a held figure (待核实)."""
    text = text.strip()
    if not text or text == UNDER_REVIEW:
        return None
    return int(text)


def day_row(summary: dict, counts: list[str]) -> list:
    rep = summary.get("reporting") or {}
    units = summary.get("units") or {}
    row = [summary["date"], summary.get("status"), summary.get("schema_version"), rep.get("expected"),
           rep.get("reported"), rep.get("on_time"), rep.get("late"), rep.get("zero_reports"),
           len(rep["missing"]) if "missing" in rep else None, rep.get("rate")]
    row += [units.get(c) for c in counts]
    row += [(summary.get(section) or {}).get(key) for _, section, key in MORE]
    return row


def _field(name: str, kind: str, zh: str, en: str, **constraints) -> dict:
    field: dict[str, object] = {"name": name, "type": kind, "title": en, "description": zh}
    if constraints:
        field["constraints"] = constraints
    return field


def datapackage(summaries: list[dict], counts: list[str], with_units: bool) -> dict:
    labels: dict = {}
    for s in summaries:
        labels.update((s.get("labels") or {}).get("counts") or {})

    def count_field(c):
        label = labels.get(c, {"zh": c, "en": c})
        return _field(c, "integer", label["zh"], label["en"], minimum=0)

    day_fields = [_field("date", "date", "日期", "Date", required=True, unique=True),
                  _field("status", "string", "状态", "Status", enum=["complete", "partial"]),
                  _field("schema_version", "integer", "格式版本", "Summary schema version"),
                  _field("units_expected", "integer", "应报单位数", "Units expected", minimum=0),
                  _field("units_reported", "integer", "已报单位数", "Units reported", minimum=0),
                  _field("on_time", "integer", "按时", "On time", minimum=0),
                  _field("late", "integer", "迟报", "Late", minimum=0),
                  _field("zero_reports", "integer", "零报告", "Zero reports", minimum=0),
                  _field("missing", "integer", "未报单位数", "Units missing", minimum=0),
                  _field("reporting_rate", "number", "填报率", "Reporting rate", minimum=0, maximum=1)]
    day_fields += [count_field(c) for c in counts]
    day_fields += [_field(name, "integer", f"{section}.{key}", f"{section}.{key}", minimum=0)
                   for name, section, key in MORE]
    resources = [{"name": "days", "path": "days.csv", "profile": "tabular-data-resource", "format": "csv",
                  "mediatype": "text/csv", "encoding": "utf-8",
                  "title": "每日汇总 Daily figures", "schema": {"fields": day_fields, "primaryKey": ["date"]}}]
    if with_units:
        unit_fields = [_field("date", "date", "日期", "Date", required=True),
                       _field("unit_id", "string", "单位代码", "Unit id", required=True),
                       _field("unit_zh", "string", "单位", "Unit (Chinese)"),
                       _field("unit_en", "string", "单位（英文）", "Unit (English)"),
                       _field("reported", "boolean", "已报", "Reported", required=True),
                       _field("zero_report", "boolean", "零报告", "Zero report"),
                       _field("timing", "string", "是否按时", "On time", enum=["on_time", "late", "time_unknown"])]
        unit_fields += [count_field(c) for c in counts]
        resources.append({"name": "units", "path": "units.csv", "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                          "title": "各单位每日数据 Figures per unit per day",
                          "schema": {"fields": unit_fields, "primaryKey": ["date", "unit_id"]}})
    campus = (summaries[-1].get("campus") or {}) if summaries else {}
    return {"name": "campus-daily-figures", "profile": "tabular-data-package",
            "title": f"{campus.get('zh', '')} {campus.get('en', '')} 每日防控数据 Daily figures".strip(),
            "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                          "path": "https://creativecommons.org/licenses/by/4.0/"}],
            "resources": resources}


def files(summaries: list[dict], exports: str | Path | None = None, awaiting: list[str] | None = None) -> dict[str, bytes]:
    """{path under the site root: bytes} for the data API; summaries oldest first, exports the
    folder of the upward reports (<date>.csv), when there is one; awaiting the days that await the
    office's sign-off (summaries/awaiting.json: their figures are not published yet)."""
    counts = count_ids(summaries)
    out: dict[str, bytes] = {}
    days, unit_lines = [], [UNIT_HEAD + counts]
    for s in summaries:
        body = _json(s)
        entry = {"date": s["date"], "status": s.get("status"), "schema_version": s.get("schema_version"),
                 "summary": f"days/{s['date']}.json", "summary_sha256": hashlib.sha256(body).hexdigest()}
        out[entry["summary"]] = body
        export = Path(exports) / f"{s['date']}.csv" if exports else None
        if export is not None and export.is_file():
            rows = unit_rows(export.read_bytes(), s, counts)
            unit_lines += rows
            data = _csv([UNIT_HEAD + counts, *rows])
            entry.update(units=f"units/{s['date']}.csv", units_sha256=hashlib.sha256(data).hexdigest())
            out[entry["units"]] = data
        days.append(entry)
    if summaries:
        out["latest.json"] = _json(summaries[-1])
    out["days.csv"] = _csv([DAY_HEAD + counts + [m[0] for m in MORE]] + [day_row(s, counts) for s in summaries])
    with_units = len(unit_lines) > 1
    if with_units:
        out["units.csv"] = _csv(unit_lines)
    out["summary.schema.json"] = _json(contract.json_schema())
    out["datapackage.json"] = _json(datapackage(summaries, counts, with_units))
    whole = sorted(["latest.json", "days.csv", "summary.schema.json", "datapackage.json"]
                   + (["units.csv"] if with_units else []))
    out["index.json"] = _json({"campus": (summaries[-1].get("campus") if summaries else None),
                               "latest": summaries[-1]["date"] if summaries else None,
                               "days": days, "format": 1, "files": whole, "awaiting": sorted(awaiting or []),
                               "sha256": {name: hashlib.sha256(out[name]).hexdigest() for name in whole if name in out}})
    return {f"data/{k}": v for k, v in out.items()}


TEXT: dict[str, dict[str, Any]] = {
    "zh": {"title": "开放数据", "head": ["文件", "内容"],
           "intro": "本校每日公开的防控数据（只有汇总数，不含任何个人信息），以固定地址的文件提供，供任何人下载、核对与汇总。",
           "latest": "最新数据日期：**{latest}**；共 {n} 天。", "how": "使用说明",
           "tips": ["`index.json` 列出每天的文件及其 SHA-256：只下载变化了的日子。",
                    "一次取很多天（例如第一次汇总），只需下载 `days.csv`（每天一行，其 SHA-256 见 `index.json` 的 `sha256`），"
                    "再下载要显示的那一天的汇总文件核对。",
                    "`index.json` 的 `awaiting` 列出待防控办签发的日期：这些日子的数据尚未公布。",
                    "服务器提供 ETag：带 `If-None-Match` 再次请求，没有变化时得到 304。",
                    "校验数据包：`frictionless validate datapackage.json`。",
                    "每个汇总文件都有 `schema_version`；`summary.schema.json` 说明其格式。", "许可：CC BY 4.0。"]},
    "en": {"title": "Open data", "head": ["File", "What"],
           "intro": "The campus's daily public figures (aggregates only, nothing personal) as files at stable "
                    "addresses, for anyone to download, check and combine.",
           "latest": "Latest day: **{latest}**; {n} days on file.", "how": "How to use",
           "tips": ["`index.json` lists every day's files with their SHA-256: download only the days that changed.",
                    "For many days at once (a first roll-up), download `days.csv` (one row per day; its SHA-256 is in "
                    "`index.json`'s `sha256`), then the summary of the day you show, to check it against its row.",
                    "`index.json`'s `awaiting` lists the days that await the office's sign-off: their figures are not "
                    "published yet.",
                    "The server gives ETags: ask again with `If-None-Match` and get 304 when nothing changed.",
                    "Check the package: `frictionless validate datapackage.json`.",
                    "Each summary carries its `schema_version`; `summary.schema.json` describes it.",
                    "Licence: CC BY 4.0."]},
}


def page(index: dict, lang: str = "zh") -> str:
    """The open data page of one language. The files live once, at the site's /data/: the English
    page (en/data/) links up to them with plain HTML links, which MkDocs leaves as they are."""
    words = TEXT[lang]
    rows = [(rel, *text) for rel, *text in FILES if rel in index["files"] or rel == "index.json"]
    latest = index.get("latest")
    if latest:
        rows.insert(2, (f"days/{latest}.json", DAY_TEXT["zh"], DAY_TEXT["en"]))
    up = "" if lang == "zh" else "../../data/"
    # Our own file names only in the links (no typed text), so they need no escaping.
    lines = [f"| {words['head'][0]} | {words['head'][1]} |", "|---|---|"]
    lines += [f'| <a href="{up}{rel}">{rel}</a> | {t.md(zh if lang == "zh" else en)} |' for rel, zh, en in rows]
    body = (words["intro"] + "\n\n" + "\n".join(lines) + "\n\n"
            + words["latest"].format(latest=latest or "—", n=len(index["days"])) + "\n\n"
            + f"## {words['how']}\n\n" + "".join(f"- {tip}\n" for tip in words["tips"]))
    # Out of the search index: a list of files, found from the menu; search is for notices and plans.
    return t.page(words["title"], body, search={"exclude": True})


DAY_TEXT = {"zh": "某日的公开汇总（每天一个文件）", "en": "a day's public summary (one file per day)"}

FILES = [("index.json", "全部日期及各文件的 SHA-256", "every day on file, with its files' SHA-256"),
         ("latest.json", "最新一天的公开汇总", "the newest day's public summary"),
         ("days.csv", "每天一行：填报、按时、迟报与主要数字", "one row per day: reporting and the key figures"),
         ("units.csv", "每个单位每天一行", "one row per unit per day"),
         ("summary.schema.json", "汇总文件的 JSON Schema", "the JSON Schema of the summaries"),
         ("datapackage.json", "Frictionless 数据包，描述两个 CSV 文件", "a Frictionless Data Package describing the CSV files")]
