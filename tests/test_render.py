"""Rendered output against golden files, and the escaping of everything people typed.

Golden files compare byte for byte. After an intended change, regenerate them and review the diff:

    UPDATE_GOLDEN=1 bash scripts/test tests/test_render.py
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
from pathlib import Path

from python_calamine import CalamineWorkbook

from conftest import POLICIES, ROOT
from sync import jobs
from sync.publish import stable_json
from sync.render import render_index, render_report, to_csv, to_xlsx
from sync.render.report import md
from sync.summarize import Digest
from conftest import campus_sheets
from test_summarize import DAY

GOLDEN = Path(__file__).resolve().parent / "golden"
DEMO = ROOT / "examples" / "demo.xlsx"
DEMO_DAYS = ("2020-02-14", "2020-02-16")     # units missing on the 14th; a disinfection shortfall on the 16th


def golden(name: str, data: str | bytes) -> None:
    data = data.encode("utf-8") if isinstance(data, str) else data
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to create it"
    assert data == path.read_bytes(), f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept)"


def test_fixture_summary_and_page(digest):
    summary = json.loads(stable_json(digest.summary(DAY)))
    golden("fixture/2020-02-11.json", stable_json(summary))
    golden("fixture/2020-02-11.md", render_report(summary))
    golden("fixture/2020-02-11.en.md", render_report(summary, lang="en"))


def test_fixture_export(digest, policy):
    rows = digest.unit_rows(DAY)
    golden("fixture/2020-02-11.csv", to_csv(rows, policy))
    book = CalamineWorkbook.from_filelike(io.BytesIO(to_xlsx(rows, policy, DAY)))
    cells = book.get_sheet_by_index(0).to_python()
    assert len(cells) == 1 + 15 + 1                           # header, every expected unit, totals
    assert cells[0][:4] == ["单位代码 Unit id", "单位 Unit", "Unit (English)", "已报 Reported"]
    japanese = next(r for r in cells if r[0] == "japanese")
    assert japanese[3] == "否 no (未报 missing)" and japanese[7] == ""     # blank, not zero
    assert cells[-1][1] == "合计 Total" and cells[-1][3] == "6 / 15" and cells[-1][7] == 206
    assert to_xlsx(rows, policy, DAY) == to_xlsx(rows, policy, DAY)       # no wall-clock time inside


def test_demo_goldens(tmp_path):
    jobs.run(DEMO, POLICIES, [dt.date(2020, 2, 10) + dt.timedelta(days=k) for k in range(14)],
             tmp_path / "data", tmp_path / "site")
    for day in DEMO_DAYS:
        golden(f"demo/{day}.json", (tmp_path / "data" / "summaries" / f"{day}.json").read_bytes())
        golden(f"demo/{day}.md", (tmp_path / "site" / "reports" / f"{day}.md").read_bytes())
    golden("demo/index.md", (tmp_path / "site" / "reports" / "index.md").read_bytes())


def test_page_is_rendered_from_the_json_alone(digest):
    summary = json.loads(stable_json(digest.summary(DAY)))
    page = render_report(summary)
    assert page.startswith('---\ntitle: "2020-02-11 防控日报"\nfigures: true\n---\n')
    assert render_report(summary, lang="en").startswith('---\ntitle: "2020-02-11 Daily report"\n')
    assert "&lt;b&gt;Partner&#124;Uni&lt;/b&gt;" in page and "<b>" not in page
    assert "匿名" not in page


def test_markdown_escape():
    assert md("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert md("a|b") == "a&#124;b"
    assert md("[click](javascript:x)") == "&#91;click&#93;(javascript:x)"
    assert md("&lt;") == "&amp;lt;"
    assert md("**bold** _it_ `code`\nnext") == "&#42;&#42;bold&#42;&#42; &#95;it&#95; &#96;code&#96; next"
    assert md(md("<")) == "&lt;"            # escaping twice changes nothing
    assert md(None) == "—" and md(3) == "3"


def test_null_sections_say_absent_not_zero(check, policy):
    sheets = campus_sheets()
    del sheets["出入登记"]
    summary = json.loads(stable_json(Digest(check(sheets), policy).summary(DAY)))
    page = render_report(summary)
    gate = page.split("## 校门")[1].split("##")[0]
    assert "暂无数据" in gate and "| 0 |" not in gate
    assert "出入登记" in page.split("## 单位填报")[0]           # named in the partial-data note
    english = render_report(summary, lang="en")
    assert "No data" in english.split("## Campus gates")[1].split("##")[0]
    assert "Gate log" in english.split("## Unit reports")[0]


def test_index_lists_days_newest_first(digest):
    days = [json.loads(stable_json(digest.summary(DAY - dt.timedelta(days=k)))) for k in range(3)]
    index = render_index(copy.deepcopy(days))
    assert index.startswith('---\ntitle: "每日防控简报"\n---\n')
    rows = [line for line in index.splitlines() if line.startswith("| [")]
    assert rows[0].startswith("| [2020-02-11](2020-02-11.md) | 不完整 | 40.0% |")
    assert "| [2020-02-11](2020-02-11.md) | partial | 40.0% |" in render_index(copy.deepcopy(days), lang="en")
    assert [r[3:13] for r in rows] == ["2020-02-11", "2020-02-10", "2020-02-09"]
