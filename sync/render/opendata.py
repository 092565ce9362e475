"""The campus site's data API: the public summaries as stable files under /data/.

    data/index.json             the days on file, each with its files and their SHA-256
    data/latest.json            the newest day's summary
    data/days/<date>.json       each day's public summary, as `run` wrote it
    data/units/<date>.csv       that day's figures per unit (the upward report, without totals)
    data/days.csv               one row per day: reporting and the campus's key figures
    data/units.csv              one row per unit per day
    data/summary.schema.json    the JSON Schema the summaries follow (sync/summarize/contract.py)
    data/datapackage.json       a Frictionless Data Package describing the two CSV files

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

from ..summarize import contract

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
    return int(text) if text.strip() else None


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


def files(summaries: list[dict], exports: str | Path | None = None) -> dict[str, bytes]:
    """{path under the site root: bytes} for the data API; summaries oldest first, exports the
    folder of the upward reports (<date>.csv), when there is one."""
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
    out["index.json"] = _json({"campus": (summaries[-1].get("campus") if summaries else None),
                               "latest": summaries[-1]["date"] if summaries else None,
                               "days": days, "format": 1,
                               "files": sorted(["latest.json", "days.csv", "summary.schema.json",
                                                "datapackage.json"] + (["units.csv"] if with_units else []))})
    return {f"data/{k}": v for k, v in out.items()}

