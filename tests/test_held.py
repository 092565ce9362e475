"""Held values: a figure the tool doubts never reaches a public output as fact.

Every code campus.yml holds has a scenario here (a test fails when a code is held without one):
the doubtful cell is typed, the run writes its outputs, and no public file (summary JSON, report
page, home cards and charts, upward export) carries the typed value where the figure stood; the
page says "under review" and the private detail lists the cell, the value, the reason and how to
release it. Correcting the cell releases it on the next run.
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from conftest import AS_OF, BASELINE, POLICIES, ROOT, write_xlsx
from sync import jobs
from sync import policy as policy_mod
from sync.render import home

DEMO = ROOT / "examples" / "demo.xlsx"


def _jump(sheets):          # 英语学院's isolation count goes 0 -> 40 overnight
    row = next(r for r in sheets["单位日报"] if r[:2] == ["2020-02-11", "英语学院"])
    row[9], row[10] = "40", "否"
    return "unit_daily", "isolated", "40"


def _log_disagrees(sheets):  # the International Office reports 17 isolated; its log has one person
    sheets["单位日报"].append(["2020-02-11", "国际交流处", "2020-02-11 08:00", "周老师", "3", "5", "0", "0", "0",
                             "17", "否", ""])
    return "unit_daily", "isolated", "17"


def _slip_isolation(sheets):  # 37.5 typed without its point
    sheets["隔离观察记录"][2][7] = "375"
    return "isolation_log", "temperature", "375"


def _slip_gate(sheets):
    sheets["出入登记"][1][5] = "3.78"
    return "gate_log", "temperature", "3.78"


# code -> scenarios: each edits the baseline and returns (sheet, field, the doubtful text as typed)
SCENARIOS = {"count-jump": [_jump], "decimal-slip": [_slip_isolation, _slip_gate],
             "isolated-vs-isolation-log": [_log_disagrees]}
UNIT = {_jump: ("english", "英语学院", "School of English"), _log_disagrees: ("international", "国际交流处", "International Office")}
CORRECTED = {(_jump, "40"): "0", (_slip_isolation, "375"): "37.5", (_slip_gate, "3.78"): "37.8",
             (_log_disagrees, "17"): "1"}
# where each sheet's held field stands in the public summary
FIGURE = {("unit_daily", "isolated"): ("units", "isolated"),
          ("isolation_log", "temperature"): ("isolation", "fever_readings"),
          ("gate_log", "temperature"): ("gate", "fevers")}


def test_every_holding_code_has_a_scenario():
    assert policy_mod.load(POLICIES).hold <= set(SCENARIOS)


def _run(tmp_path, sheets, name="book"):
    source = write_xlsx(tmp_path / f"{name}.xlsx", sheets)
    out, site = tmp_path / "data", tmp_path / "site"
    jobs.run(source, POLICIES, [AS_OF], out, site)
    day = AS_OF.isoformat()
    return (json.loads((out / "summaries" / f"{day}.json").read_text(encoding="utf-8")),
            json.loads((out / "private" / f"{day}.json").read_text(encoding="utf-8")),
            (site / "reports" / f"{day}.md").read_text(encoding="utf-8"),
            (out / "exports" / f"{day}.csv").read_text(encoding="utf-8-sig"))


def _row(page: str, label: str) -> str:
    return next(line for line in page.splitlines() if label in line)


@pytest.mark.parametrize("code, scenario", [(c, s) for c, ss in SCENARIOS.items() for s in ss],
                         ids=lambda v: getattr(v, "__name__", v))
def test_a_held_value_reaches_no_public_output(tmp_path, code, scenario):
    sheets = copy.deepcopy(BASELINE)
    sheet, field, typed = scenario(sheets)
    summary, private, page, export = _run(tmp_path, sheets)
    section, key = FIGURE[(sheet, field)]
    assert summary[section][key] is None                    # never a number that looks complete
    held = summary["held"][section][key]
    assert held["held"] == 1 and held["label"] == {"zh": "待核实", "en": "under review"}
    assert summary["status"] == "partial"
    assert typed not in json.dumps(summary, ensure_ascii=False)
    labels = {"isolated": "隔离观察人数", "fever_readings": "发热记录", "fevers": "体温异常"}
    line = _row(page, labels[key])
    assert "待核实" in line and "不完整" in line and typed not in line
    cards = home.figures(summary, "zh")
    assert typed not in home.figures(summary, "en")
    assert typed not in cards
    entry = next(e for e in private["held"] if e["sheet"] == sheet)
    assert (entry["code"], entry["field"], entry["value"]) == (code, field, typed)
    assert entry["cell"] and entry["reason"]["zh"] and entry["release"]["en"]
    if sheet == "unit_daily":
        uid, zh, en = UNIT[scenario]
        assert held["units"] == [{"id": uid, "zh": zh, "en": en}]
        assert held["known"] == 2                           # 卫生所's 2, the rest of the total
        assert "待核实" in cards and zh in cards
        assert "under review" in home.figures(summary, "en") and en in home.figures(summary, "en")
        rows = list(csv.reader(io.StringIO(export)))
        column = rows[0].index("隔离观察人数 Under isolation")
        unit = next(r for r in rows if r[0] == uid)
        assert unit[column] == "待核实 under review"
        assert rows[-1][column] == "2 + 待核实 under review (不完整 incomplete)"
        book = openpyxl.load_workbook(tmp_path / "data" / "exports" / f"{AS_OF}.xlsx")
        assert typed not in [str(c.value) for row in book.active.iter_rows() for c in row]


@pytest.mark.parametrize("scenario", [s for ss in SCENARIOS.values() for s in ss])
def test_a_corrected_cell_is_released_on_the_next_run(tmp_path, scenario):
    sheets = copy.deepcopy(BASELINE)
    sheet, field, _ = scenario(sheets)
    section, key = FIGURE[(sheet, field)]
    assert _run(tmp_path, sheets)[0][section][key] is None
    for rows in sheets.values():                        # the department corrects the cell it typed
        for row in rows:
            for k, text in enumerate(row):
                row[k] = CORRECTED.get((scenario, text), text)
    summary, private, page, _ = _run(tmp_path, sheets)
    assert summary["held"] == {} and private["held"] == []
    assert summary[section][key] is not None and "待核实" not in page


def test_the_demo_publishes_no_70_for_2020_02_18(tmp_path):
    """The issue as a new user found it: J128 of 单位日报 jumped 7 -> 70."""
    out, site = tmp_path / "data", tmp_path / "site"
    days = [dt.date(2020, 2, 17), dt.date(2020, 2, 18)]
    jobs.run(DEMO, POLICIES, days, out, site)
    summary = json.loads((out / "summaries" / "2020-02-18.json").read_text(encoding="utf-8"))
    assert summary["units"]["isolated"] is None
    assert summary["held"]["units"]["isolated"]["units"][0]["id"] == "international"
    page = (site / "reports" / "2020-02-18.md").read_text(encoding="utf-8")
    line = _row(page, "隔离观察人数")
    assert "70" not in line and "待核实：国际交流处；其余合计 0（不完整）" in line
    rows = list(csv.reader(io.StringIO((out / "exports" / "2020-02-18.csv").read_text(encoding="utf-8-sig"))))
    assert "70" not in [c for r in rows for c in r]
    book = openpyxl.load_workbook(out / "exports" / "2020-02-18.xlsx")
    assert 70 not in [c.value for row in book.active.iter_rows() for c in row]
    summaries = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "summaries").glob("2020-*.json"))]
    days_ = home.Days(summaries, [])
    assert days_.values(days, "units", "isolated") == [7, None]          # a gap in the chart, not a spike
    for lang in ("zh", "en"):
        chart = days_.charts(7, lang)
        assert ">70<" not in chart and "70," not in chart
    private = json.loads((out / "private" / "2020-02-18.json").read_text(encoding="utf-8"))
    entry = next(e for e in private["held"] if e["cell"] == "J128")
    assert entry["value"] == "70" and entry["code"] == "count-jump" and "7" in entry["reason"]["en"]


def test_hold_is_checked_by_lint(tmp_path):
    import shutil
    from sync.errors import ConfigError
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    campus = root / "campus.yml"
    text = campus.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("hold:"))
    campus.write_text(text.replace(line, "hold: [count-jump, no-such-code]"), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        policy_mod.load(root)
    assert any("campus.yml" in p and "hold[1]" in p and "no-such-code" in p for p in exc.value.problems)
    campus.write_text(text.replace(line, "hold: count-jump"), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        policy_mod.load(root)
    assert any("hold" in p and "list of issue codes" in p for p in exc.value.problems)
    campus.write_text(text.replace(line + "\n", ""), encoding="utf-8")
    assert policy_mod.load(root).hold == frozenset()
