"""Small fixture workbooks: one clean row or two per sheet, written as real .csv folders or .xlsx files."""
from __future__ import annotations

import copy
import csv
import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
AS_OF = dt.date(2020, 2, 11)

_PLAN = [("学生宿舍1号楼", 2, 300), ("学生宿舍2号楼", 2, 300), ("北楼隔离区", 3, 600), ("第一食堂", 3, 300),
         ("教学楼A", 1, 300), ("图书馆", 1, None), ("东门岗亭", 2, None), ("卫生所", 3, 600)]


def _disinfection_rows():
    rows = []
    for area, times, conc in _PLAN:
        for k in range(times):
            rows.append(["2020-02-11", f"{8 + 4 * k:02d}:00", area, "含氯消毒剂" if conc else "75%酒精",
                         "" if conc is None else str(conc), "30", "钱师傅"])
    return rows


BASELINE = {
    "单位日报": [
        ["日期", "单位", "填报时间", "填报人", "在校学生数", "在岗教职工数", "发热人数", "疑似病例", "确诊病例",
         "隔离观察人数", "零报告", "备注"],
        ["2020-02-10", "英语学院", "2020-02-10 09:00", "王老师", "120", "30", "0", "0", "0", "0", "是", ""],
        ["2020-02-11", "英语学院", "2020-02-11 09:00", "王老师", "121", "30", "0", "0", "0", "0", "是", ""],
        ["2020-02-11", "卫生所", "2020-02-11 08:30", "赵医生", "0", "12", "1", "0", "0", "2", "否", "观察中"],
    ],
    "学生健康档案": [
        ["学号", "姓名", "学院", "年级", "专业", "学生类别", "国籍", "当前所在省份", "当前所在城市", "是否来自重点疫区",
         "健康状况", "返校批次", "返校日期", "联系电话", "更新日期"],
        ["0192010001", "李明", "英语学院", "2019级", "英语", "本科生", "中国", "辽宁", "大连", "否", "正常", "b3", "",
         "13800000001", "2020-02-11"],
        ["0192010002", "Anna Petrova", "汉学院", "2019", "汉语", "留学生", "俄罗斯", "境外", "", "否", "隔离观察",
         "留学生批次", "", "", "2020-02-11"],
    ],
    "教职工状态": [
        ["工号", "姓名", "部门", "当前所在城市", "是否在校所在城市", "返回日期", "是否来自重点疫区", "返回已审批", "隔离天数",
         "已向社区报备", "健康状况"],
        ["T001", "张老师", "人事处", "大连", "是", "2020-02-05", "否", "", "", "是", "正常"],
        ["T002", "孙老师", "英语学院", "大连", "是", "2020-02-08", "是", "是", "14", "是", "隔离观察"],
    ],
    "隔离观察记录": [
        ["日期", "时间", "证件号", "姓名", "隔离区域", "房间", "隔离开始日期", "体温(℃)", "症状", "送餐次数", "记录人"],
        ["2020-02-11", "08:00", "P001", "Anna Petrova", "北楼A区", "101", "2020-02-05", "36.5", "", "3", "赵医生"],
        ["2020-02-11", "16:00", "P001", "Anna Petrova", "北楼A区", "101", "2020-02-05", "36.6℃", "", "3", "赵医生"],
    ],
    "消毒记录": [["日期", "时间", "区域", "消毒剂", "浓度(mg/L)", "通风时长(分钟)", "操作人"], *_disinfection_rows()],
    "防疫物资台账": [
        ["日期", "物资", "出入库", "数量", "来源", "捐赠方", "经手人"],
        ["2020-02-10", "医用口罩", "盘点", "5000", "", "", "刘师傅"],
        ["2020-02-11", "医用口罩", "入库", "2000", "校友捐赠", "1990级校友", "刘师傅"],
        ["2020-02-11", "医用口罩", "出库", "800", "", "", "刘师傅"],
    ],
    "出入登记": [
        ["时间", "校门", "人员类别", "证件号", "姓名", "体温(℃)", "已审批", "准许进入"],
        ["2020-02-11 08:00", "东门", "学生", "0192010001", "李明", "36.5", "", "是"],
        ["2020-02-11 09:10", "西门", "送货", "", "快递", "36.4", "是", "是"],
    ],
    "值班表": [
        ["日期", "班次", "单位", "值班人", "联系电话"],
        ["2020-02-11", "白班", "国际交流处", "周老师", "13800000009"],
    ],
}


@pytest.fixture
def sheets():
    """A fresh, clean copy of the baseline: {tab title: rows with the header first}."""
    return copy.deepcopy(BASELINE)


def write_csv(folder: Path, sheets: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for title, rows in sheets.items():
        with open(folder / f"{title}.csv", "w", newline="", encoding="utf-8-sig") as fh:
            csv.writer(fh).writerows(rows)
    return folder


def write_xlsx(path: Path, sheets: dict) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for title, rows in sheets.items():
        ws = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value != "":
                    ws.write_string(r, c, value) if isinstance(value, str) else ws.write(r, c, value)
    book.close()
    return path


@pytest.fixture
def check(tmp_path):
    """check(sheets, kind="csv", as_of=AS_OF) -> Result, through the real readers."""
    from sync import jobs

    def run(sheets, kind="csv", as_of=AS_OF):
        target = write_csv(tmp_path / "book", sheets) if kind == "csv" else write_xlsx(tmp_path / "book.xlsx", sheets)
        return jobs.check(target, POLICIES, as_of)
    return run


def found(result, code=None):
    """{(code, sheet, cell)} of a result, optionally one code only."""
    return {(i.code, i.sheet, i.cell) for i in result.issues if code is None or i.code == code}


# The summaries' fixture: the baseline plus, on 2020-02-11, units on time, late, with no time, with an
# error and missing; students and staff across the isolation rules; stock through counts and outflows.
UNIT_ROWS = [   # date, unit, submitted_at, reporter, students, staff, fever, suspected, confirmed, isolated, zero, notes
    ["2020-02-11", "商学院", "2020-02-11 10:45", "钱老师", "80", "20", "0", "0", "0", "0", "是", ""],        # late
    ["2020-02-11", "图书馆", "", "孙馆员", "0", "8", "0", "0", "0", "0", "是", ""],                       # time unknown
    ["2020-02-11", "日本语学院", "2020-02-11 09:30", "吴老师", "50", "15", "abc", "0", "0", "0", "否", ""],  # error
    ["2020-02-11", "保卫处", "2020-02-10 22:00", "郑科长", "5", "40", "0", "0", "0", "1", "否", "夜班汇报"],  # evening before
    ["2020-02-11", "后勤管理处", "2020-02-11 10:00", "冯主任", "0", "25", "0", "0", "0", "0", "是", ""],    # on the deadline
    ["", "", "", "", "", "", "", "", "", "", "", ""],                                                      # blank row
]
STUDENT_ROWS = [
    ["0192010003", "王芳", "商学院", "2017", "会计", "本科生", "中国", "湖北", "武汉", "是", "正常", "b1", "2020-02-10",
     "13800000003", "2020-02-11"],
    ["0192010004", "陈刚", "英语学院", "2019", "翻译", "研究生", "中国", "辽宁省", "沈阳", "否", "发热", "第一批", "",
     "13800000004", "2020-02-11"],
    ["O192010005", "林静", "英语学院", "2019", "英语", "本科生", "中国", "辽宁", "大连", "否", "正常", "b3", "",
     "13800000005", "2020-02-11"],                                                  # letter O: left out
]
STAFF_ROWS = [
    ["T003", "钟老师", "教务处", "大连", "是", "2020-01-25", "否", "", "14", "是", "隔离观察"],   # until 2020-02-07
    ["T004", "吴老师", "图书馆", "大连", "是", "2020-01-31", "否", "", "0", "是", "正常"],     # no isolation
    ["T005", "郑老师", "商学院", "大连", "是", "2020-02-09", "是", "否", "14", "否", "正常"],   # unapproved: an error
    ["T006", "王老师", "保卫处", "武汉", "否", "", "是", "", "", "", "正常"],                  # still away
]
ISOLATION_ROWS = [
    ["2020-02-11", "09:00", "P002", "Kim Minji", "北楼B区", "201", "2020-02-09", "37.5", "咳嗽", "2", "赵医生"],
]
SUPPLY_ROWS = [
    ["2020-02-05", "医用口罩", "盘点", "3000", "", "", "刘师傅"],
    ["2020-02-06", "医用口罩", "出库", "500", "", "", "刘师傅"],
    ["2020-02-11", "手套", "入库", "100", "采购", "", "刘师傅"],
    ["2020-02-11", "N95口罩", "入库", "300", "孔子学院", "匿名", "刘师傅"],
    ["2020-02-11", "N95口罩", "出库", "30", "", "", "刘师傅"],
    ["2020-02-11", "84消毒液", "入库", "50", "友好院校", "<b>Partner|Uni</b>", "刘师傅"],
    ["2020-02-11", "75%酒精", "出库", "10", "", "", "刘师傅"],                     # below zero: an error
]
GATE_ROWS = [
    ["2020-02-11 10:00", "南门", "外来人员", "V001", "访客甲", "37.8", "是", "否"],    # fever, refused
    ["2020-02-11 11:00", "东门", "教职工", "T001", "张老师", "37.6", "", "是"],      # fever-admitted
    ["2020-02-11 12:00", "西门", "外来人员", "V002", "访客乙", "36.6", "否", "是"],    # admitted without approval
    ["2020-02-11 13:00", "北门", "学生", "0192010004", "陈刚", "36.5", "", "是"],    # unknown gate: left out
    ["2020-02-10 18:00", "东门", "学生", "0192010003", "王芳", "36.4", "", "是"],    # the day before
]


def campus_sheets() -> dict:
    sheets = copy.deepcopy(BASELINE)
    sheets["单位日报"] += copy.deepcopy(UNIT_ROWS)
    sheets["学生健康档案"] += copy.deepcopy(STUDENT_ROWS)
    sheets["教职工状态"] += copy.deepcopy(STAFF_ROWS)
    sheets["隔离观察记录"] += copy.deepcopy(ISOLATION_ROWS)
    # One of the canteen's three rounds is missing on 2020-02-11.
    canteen = [r for r in sheets["消毒记录"] if r[2] == "第一食堂"]
    sheets["消毒记录"].remove(canteen[-1])
    sheets["防疫物资台账"] += copy.deepcopy(SUPPLY_ROWS)
    sheets["出入登记"] += copy.deepcopy(GATE_ROWS)
    return sheets


@pytest.fixture
def policy():
    from sync import policy as policy_mod
    return policy_mod.load(POLICIES)


@pytest.fixture
def digest(check, policy):
    """The summaries of campus_sheets(), the fixture of tests/test_summarize.py and test_render.py."""
    from sync.summarize import Digest
    return Digest(check(campus_sheets()), policy)
