"""Every issue code, triggered on the small fixture workbook through the real readers."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import found
from sync import issues as iss


def test_baseline_is_clean_in_both_readers(sheets, check):
    for kind in ("csv", "xlsx"):
        result = check(sheets, kind)
        assert result.issues == [], iss.to_text(result.issues)
        assert set(result.tables) == {"unit_daily", "student_roster", "staff_status", "isolation_log",
                                      "disinfection_log", "supplies", "gate_log", "duty_roster"}


def test_values_are_typed_and_leading_zeros_kept(sheets, check):
    result = check(sheets)
    roster = result.tables["student_roster"].records()
    assert roster[0]["student_id"] == "0192010001"
    assert roster[0]["grade"] == 2019 and roster[1]["grade"] == 2019
    assert roster[0]["college"] == "english" and roster[1]["return_batch"] == "b_intl"
    assert roster[0]["province"] == "liaoning" and roster[1]["province"] == "abroad"
    assert result.tables["isolation_log"].records()[1]["temperature"] == 36.6
    staff = result.tables["staff_status"].records()
    assert staff[0]["isolation_days"] == 14          # default from campus.yml thresholds
    assert staff[1]["returned_on"] == dt.date(2020, 2, 8)


def test_headers_match_in_english_any_order_and_forgiving(sheets, check):
    header = ["Time", " GATE ", "person type", "Person ID", "Name", "Temperature（°C）", "Approved", "Admitted"]
    rows = sheets["出入登记"]
    order = [7, 0, 5, 1, 2, 3, 4, 6]
    sheets["Gate log"] = [[header[k] for k in order]] + [[r[k] for k in order] for r in rows[1:]]
    del sheets["出入登记"]
    result = check(sheets)
    assert result.issues == []
    assert [r["gate"] for r in result.tables["gate_log"].records()] == ["east", "west"]


def test_tab_found_by_sheet_id(sheets, check):
    sheets["duty_roster"] = sheets.pop("值班表")
    assert check(sheets).issues == []


def _set(sheets, tab, row, header, value):
    """Put value into the cell under header in row (as a user sees rows: the header is row 1)."""
    col = sheets[tab][0].index(header)
    sheets[tab][row - 1][col] = value
    return f"{chr(65 + col)}{row}"


@pytest.mark.parametrize("tab, row, header, value, code", [
    ("单位日报", 3, "发热人数", "abc", "type-error"),
    ("单位日报", 2, "日期", "2020-02-30", "type-error"),
    ("单位日报", 3, "填报人", "", "missing-value"),
    ("单位日报", 3, "在校学生数", "-1", "out-of-range"),
    ("单位日报", 3, "单位", "外语学院", "unknown-reference"),
    ("学生健康档案", 2, "学生类别", "交换生", "not-in-list"),
    ("学生健康档案", 2, "学号", "2019A0012", "pattern-mismatch"),
    ("学生健康档案", 2, "当前所在省份", "火星", "unknown-reference"),
    ("学生健康档案", 2, "年级", "1900", "out-of-range"),
    ("学生健康档案", 2, "返校日期", "2020-03-02", "future-date"),
    ("隔离观察记录", 2, "送餐次数", "5", "out-of-range"),
    ("隔离观察记录", 2, "体温(℃)", "50", "out-of-range"),
    ("隔离观察记录", 2, "体温(℃)", "365", "decimal-slip"),
    ("隔离观察记录", 2, "体温(℃)", "3.65", "decimal-slip"),
    ("隔离观察记录", 3, "隔离开始日期", "2020-02-12", "isolation-start-after-date"),
    ("出入登记", 3, "已审批", "", "missing-value"),
    ("出入登记", 2, "体温(℃)", "#REF!", "spreadsheet-error"),
    ("教职工状态", 3, "隔离天数", "30", "out-of-range"),
    ("教职工状态", 3, "返回已审批", "", "missing-value"),
    ("防疫物资台账", 3, "来源", "", "missing-value"),
    ("值班表", 2, "班次", "早班", "not-in-list"),
])
def test_cell_problems_are_reported_at_their_cell(sheets, check, tab, row, header, value, code):
    cell = _set(sheets, tab, row, header, value)
    result = check(sheets)
    mine = [i for i in result.issues if i.code == code]
    assert [(i.cell, i.row) for i in mine] == [(cell, row)], iss.to_text(result.issues)
    assert mine[0].value == value and mine[0].column == header
    assert mine[0].message["zh"] and mine[0].message["en"]
    others = [i for i in result.issues if i.code != code]
    assert all(i.severity == iss.WARNING for i in others), iss.to_text(others)


def test_error_drops_the_row_and_keeps_the_others(sheets, check):
    _set(sheets, "单位日报", 3, "发热人数", "几个")
    result = check(sheets)
    records = result.tables["unit_daily"].records()
    assert [r["_row"] for r in records] == [2, 4]


def test_decimal_slip_keeps_the_row_without_the_value(sheets, check):
    _set(sheets, "隔离观察记录", 2, "体温(℃)", "365")
    result = check(sheets)
    records = result.tables["isolation_log"].records()
    assert [r["temperature"] for r in records] == [None, 36.6]


@pytest.mark.parametrize("edits, code, cell", [
    ([("单位日报", 2, "发热人数", "1")], "zero-report-not-zero", "K2"),
    ([("教职工状态", 3, "返回已审批", "否")], "unapproved-return", "H3"),
    ([("出入登记", 3, "已审批", "否")], "admitted-without-approval", "H3"),
    ([("出入登记", 2, "体温(℃)", "38.1")], "fever-admitted", "H2"),
    ([("防疫物资台账", 4, "数量", "7001")], "stock-below-zero", "D4"),
    ([("单位日报", 3, "在校学生数", "500")], "count-jump", "E3"),
    ([("学生健康档案", 3, "学号", "0192010001")], "duplicate-key", "A3"),
    ([("单位日报", 3, "单位", "School of English"), ("单位日报", 3, "日期", "2020/2/10")], "duplicate-key", "A3"),
])
def test_rules_across_fields_and_rows(sheets, check, edits, code, cell):
    for tab, row, header, value in edits:
        _set(sheets, tab, row, header, value)
    result = check(sheets)
    assert (code, result.issues[0].sheet, cell) in found(result, code), iss.to_text(result.issues)
    assert len(found(result, code)) == 1


def test_fever_in_isolation_is_not_an_issue_but_fever_at_the_gate_is(sheets, check):
    _set(sheets, "隔离观察记录", 2, "体温(℃)", "38.0")
    _set(sheets, "出入登记", 2, "准许进入", "否")
    _set(sheets, "出入登记", 2, "体温(℃)", "38.0")
    assert check(sheets).issues == []


def test_too_few_readings(sheets, check):
    del sheets["隔离观察记录"][2]
    result = check(sheets)
    assert found(result) == {("too-few-readings", "isolation_log", "C2")}
    assert result.issues[0].severity == iss.WARNING


def test_disinfection_against_the_plan(sheets, check):
    rows = sheets["消毒记录"]
    dorm = [r for r in rows if r[2] == "学生宿舍1号楼"]
    rows.remove(dorm[1])
    dorm[0][4] = "1200"
    result = check(sheets)
    below = [i for i in result.issues if i.code == "disinfection-below-plan"]
    assert len(below) == 1 and below[0].cell is None and "Dormitory 1" in below[0].message["en"]
    assert found(result, "concentration-outside-plan") == {("concentration-outside-plan", "disinfection_log", "E2")}


def test_header_problems(sheets, check):
    daily = sheets["单位日报"]
    daily[0][3] = ""                    # blank header over data (填报人) -> also a missing required column
    daily[0][11] = "发热人数"            # 备注 renamed to a duplicate of 发热人数
    for row in daily:
        row.append("x")
    daily[0][-1] = "备用"
    result = check(sheets)
    got = {(i.code, i.cell) for i in result.issues if i.sheet == "unit_daily"}
    assert got == {("blank-header", "D1"), ("duplicate-header", "L1"), ("unknown-column", "M1"),
                   ("missing-column", None)}


def test_missing_empty_and_unknown_tabs(sheets, check):
    del sheets["值班表"]
    sheets["防疫物资台账"] = []
    sheets["说明"] = [["填表说明"], ["每天10点前填报"]]
    got = {(i.code, i.sheet, i.severity) for i in check(sheets).issues}
    assert got == {("missing-sheet", "duty_roster", "error"), ("empty-sheet", "supplies", "error"),
                   ("unknown-sheet", "说明", "warning")}


def test_a_sheet_in_two_tabs_reads_the_first(sheets, check):
    sheets["Gate log"] = [row[:] for row in sheets["出入登记"]]
    sheets["Gate log"][1][5] = "abc"                  # the second tab's mistakes are not read
    result = check(sheets, "xlsx")
    assert [(i.code, i.sheet, i.tab, i.value) for i in result.issues] == [
        ("duplicate-sheet", "gate_log", "Gate log", "出入登记")]


def test_blank_rows_are_skipped_silently_and_keep_row_numbers(sheets, check):
    daily = sheets["单位日报"]
    daily.insert(2, [""] * 12)
    _set(sheets, "单位日报", 5, "发热人数", "abc")
    for kind in ("csv", "xlsx"):
        result = check(sheets, kind)
        assert found(result) == {("type-error", "unit_daily", "G5")}, kind


def test_csv_row_numbers_survive_empty_lines_and_multiline_cells(sheets, tmp_path):
    from conftest import AS_OF, POLICIES, write_csv
    from sync import jobs
    sheets["单位日报"][2][11] = "第一行\n第二行"        # a quoted cell with a line break, row 3
    _set(sheets, "单位日报", 4, "发热人数", "abc")
    folder = write_csv(tmp_path / "multi", sheets)
    assert found(jobs.check(folder, POLICIES, AS_OF)) == {("type-error", "unit_daily", "G4")}
    path = folder / "单位日报.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines.insert(1, b"")                                # an empty line is a blank row 2
    path.write_bytes(b"\r\n".join(lines))
    assert found(jobs.check(folder, POLICIES, AS_OF)) == {("type-error", "unit_daily", "G5")}


@pytest.mark.parametrize("newline", [b"\r\n", b"\n", b"\r"])
def test_csv_row_numbers_survive_empty_lines_without_any_quote(sheets, tmp_path, newline):
    """A file with no quote at all takes Arrow's fastest scan; an empty line there must still
    count as a row (Arrow would skip it and every later row number would be one short)."""
    from conftest import AS_OF, POLICIES, write_csv
    from sync import jobs
    _set(sheets, "单位日报", 4, "发热人数", "abc")
    folder = write_csv(tmp_path / "plain", sheets)
    path = folder / "单位日报.csv"
    lines = path.read_bytes().split(b"\r\n")
    assert b'"' not in path.read_bytes()
    lines.insert(2, b"")                                # an empty line: a blank row 3
    path.write_bytes(newline.join(lines))
    assert found(jobs.check(folder, POLICIES, AS_OF)) == {("type-error", "unit_daily", "G5")}


def test_gb18030_csv_and_ragged_rows(sheets, tmp_path):
    from conftest import POLICIES, AS_OF, write_csv
    from sync import jobs
    folder = write_csv(tmp_path / "gbk", sheets)
    path = folder / "值班表.csv"
    path.write_bytes((path.read_text(encoding="utf-8-sig") + "2020-02-11,夜班,保卫处,吴师傅,,多余\n")
                     .encode("gb18030"))
    result = jobs.check(folder, POLICIES, AS_OF)
    assert {(i.code, i.row) for i in result.issues} == {("ragged-row", 3)}
    assert [r["person"] for r in result.tables["duty_roster"].records()] == ["周老师"]


def test_spreadsheet_error_cells_of_xlsx_formulas(sheets, tmp_path):
    import xlsxwriter
    from conftest import AS_OF, POLICIES
    from sync import jobs
    path = tmp_path / "errors.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for title, rows in sheets.items():
        ws = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if title == "单位日报" and (r, c) == (2, 4):
                    ws.write_formula(r, c, "=1/0", None, "#DIV/0!")   # what Excel caches for a broken formula
                elif value:
                    ws.write_string(r, c, value)
    book.close()
    result = jobs.check(path, POLICIES, AS_OF)
    assert [(i.code, i.cell, i.value) for i in result.issues] == [("spreadsheet-error", "E3", "#DIV/0!")]


def test_a_thousand_bad_cells_give_issues_not_tracebacks(sheets, check):
    import random
    rng = random.Random(7)
    junk = ["#N/A", "abc", "-5", "1e999", "２０２０年１３月", "✓✓", "  ", "=SUM(A1)", "<script>alert(1)</script>",
            "999999999999999999999", "36..5", "2020/02/30", "下午25点", "NaN", "∞", "\x00", "是否"]
    for tab, rows in sheets.items():
        width = len(rows[0])
        for k in range(60):
            rows.append([rng.choice(junk) if rng.random() < 0.8 else rows[1][c] for c in range(width)])
    result = check(sheets)
    assert len(result.errors) >= 1000
    from conftest import POLICIES
    from sync.policy import load
    rule_codes = {r.code for s in load(POLICIES).sheets.values() for r in s.rules}
    assert {i.code for i in result.issues} <= set(iss.CATALOGUE) | rule_codes
    assert all(i.row and i.cell for i in result.issues if i.code in ("type-error", "out-of-range"))


def test_title_rows_above_the_header_keep_row_numbers(sheets, check):
    daily = sheets["单位日报"]
    daily[2][6] = "abc"                                  # becomes row 5 below the title rows
    daily.insert(0, ["英语学院疫情防控日报"] + [""] * 11)
    daily.insert(1, [""] * 12)
    for kind in ("csv", "xlsx"):
        result = check(sheets, kind)
        assert found(result) == {("type-error", "unit_daily", "G5")}, kind
        assert [r["_row"] for r in result.tables["unit_daily"].records()] == [4, 6]


def _clinic_days(n, isolated="2", first=dt.date(2020, 2, 5)):
    rows = []
    for k in range(n):
        day = (first + dt.timedelta(days=k)).isoformat()
        rows.append([day, "卫生所", f"{day} 08:30", "赵医生", "0", "12", "0", "0", "0", isolated, "否", ""])
    return rows


def test_a_report_copied_forward_for_six_days_is_a_warning(sheets, check):
    sheets["单位日报"] = [sheets["单位日报"][0], *_clinic_days(6)]      # 2020-02-05 .. 2020-02-10, all the same
    [issue] = [i for i in check(sheets).issues if i.code == "copied-forward"]
    assert issue.severity == "warning" and issue.row == 7 and "2020-02-05" in issue.message["en"]
    sheets["单位日报"] = [sheets["单位日报"][0], *_clinic_days(5)]
    assert not [i for i in check(sheets).issues if i.code == "copied-forward"]
    sheets["单位日报"] = [sheets["单位日报"][0], *_clinic_days(6, isolated="0")]   # a quiet unit's zero reports
    assert not [i for i in check(sheets).issues if i.code == "copied-forward"]
    gap = _clinic_days(7)
    del gap[3]                                                               # a day without a report breaks the run
    sheets["单位日报"] = [sheets["单位日报"][0], *gap]
    assert not [i for i in check(sheets).issues if i.code == "copied-forward"]


def test_readings_identical_for_every_day_are_a_warning(sheets, check):
    log = sheets["隔离观察记录"]
    base = log[1]
    log[1:] = [[f"2020-02-{d:02d}", t, *base[2:7], "36.5", *base[8:]] for d in (9, 10, 11) for t in ("08:00", "16:00")]
    [issue] = [i for i in check(sheets).issues if i.code == "unchanging-readings"]
    assert issue.row == 2 and "6 readings" in issue.message["en"] and "3 days" in issue.message["en"]
    log[3][7] = "36.6"
    assert not [i for i in check(sheets).issues if i.code == "unchanging-readings"]
