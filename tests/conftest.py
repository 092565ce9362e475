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
