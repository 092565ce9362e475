"""Daily summaries on a small fixture with hand-computed figures.

The fixture (campus_sheets) is the baseline workbook plus, on 2020-02-11: units on time, late,
on the deadline, the evening before, with a blank time, with an error, and missing; a stock
ledger through counts and outflows; staff isolations that end across a month end; fevers and
broken rules at the gate.
"""
from __future__ import annotations

import copy
import datetime as dt
import shutil

import pytest

from conftest import AS_OF, BASELINE, campus_sheets
from sync.summarize import private_detail, summarize

DAY = AS_OF     # 2020-02-11

def test_reporting_counts_each_kind_of_unit(digest):
    s = digest.summary(DAY)
    r = s["reporting"]
    assert (r["expected"], r["reported"], r["zero_reports"]) == (15, 6, 4)
    assert (r["on_time"], r["late"], r["time_unknown"]) == (4, 1, 1)    # 09:00, 08:30, evening before, 10:00
    assert r["rate"] == 0.4 and r["on_time_rate"] == 0.2667
    missing = [u["id"] for u in r["missing"]]
    assert "japanese" in missing and len(missing) == 9                   # its only row has an error
    assert r["missing"][0] == {"id": "party_office", "zh": "党政办公室", "en": "Party and President's Office"}
    assert s["units"] == {"students_on_campus": 206, "staff_on_campus": 135, "fever": 1, "suspected": 0,
                          "confirmed": 0, "isolated": 3}
    assert s["cutoff"] == "2020-02-11T10:45:00+08:00"
    assert s["date"] == "2020-02-11" and s["schema_version"] == 1


def test_the_day_before_is_its_own_day(digest):
    s = digest.summary(dt.date(2020, 2, 10))
    assert s["reporting"]["reported"] == 1 and s["reporting"]["on_time"] == 1
    assert s["units"]["students_on_campus"] == 120
    assert s["gate"]["total"] == 1 and s["gate"]["by_person_type"]["student"] == 1
    quiet = digest.summary(dt.date(2020, 2, 12))
    assert quiet["reporting"]["reported"] == 0 and quiet["units"]["students_on_campus"] == 0
    assert quiet["cutoff"] is None


def test_students(digest):
    st = digest.summary(DAY)["students"]
    assert st["total"] == 4 and st["key_area"] == 1
    assert st["by_health_status"] == {"healthy": 2, "fever": 1, "suspected": 0, "confirmed": 0, "isolated": 1,
                                      "recovered": 0}
    assert st["by_type"] == {"undergraduate": 2, "postgraduate": 1, "international": 1}
    assert st["by_province"] == {"abroad": 1, "hubei": 1, "liaoning": 2}
    batches = {b["id"]: (b["planned"], b["returned"]) for b in st["batches"]}
    assert batches == {"b1": (2, 1), "b2": (0, 0), "b3": (1, 0), "b_intl": (1, 0)}
    assert st["batches"][0]["date"] == "2020-03-02"
    before = digest.summary(dt.date(2020, 2, 9))["students"]["batches"][0]
    assert before["returned"] == 0                       # back on 2020-02-10


@pytest.mark.parametrize("day, under, ending, unapproved", [
    (dt.date(2020, 1, 24), 0, 0, 0),
    (dt.date(2020, 1, 25), 1, 0, 0),    # T003's first day
    (dt.date(2020, 1, 31), 1, 0, 0),    # T004 back with 0 days: never under isolation
    (dt.date(2020, 2, 7), 2, 1, 0),     # T003's 14th and last day (across the month end); T001 since 02-05
    (dt.date(2020, 2, 8), 2, 0, 0),     # T003 free; T002 back
    (dt.date(2020, 2, 11), 2, 0, 1),    # T005 came back 02-09 without approval
    (dt.date(2020, 2, 18), 2, 1, 1),    # T001's last day (02-05 + 14 - 1)
    (dt.date(2020, 2, 21), 1, 1, 1),    # T002's last day
    (dt.date(2020, 2, 22), 0, 0, 1),
])
def test_staff_isolation_end_dates(digest, day, under, ending, unapproved):
    sf = digest.summary(day)["staff"]
    assert (sf["under_isolation"], sf["isolation_ending"], sf["unapproved_returns"]) == (under, ending, unapproved)
    assert (sf["total"], sf["in_city"], sf["from_key_area"]) == (5, 4, 2)    # T002, T006; T005 left out


def test_staff_private_until(digest):
    people = {p["staff_id"]: p for p in digest.private(dt.date(2020, 2, 7))["staff_under_isolation"]}
    assert people["T003"]["until"] == "2020-02-07" and people["T003"]["ends_today"] is True
    assert people["T001"]["until"] == "2020-02-18"
    unapproved = digest.private(DAY)["unapproved_returns"]
    assert [(u["staff_id"], u["name"], u["returned_on"]) for u in unapproved] == [("T005", "郑老师", "2020-02-09")]


def test_isolation(digest):
    iso = digest.summary(DAY)["isolation"]
    assert iso == {"by_zone": {"north_a": 1, "north_b": 1, "north_c": 0}, "people": 2, "readings_expected": 4,
                   "readings_recorded": 3, "fever_readings": 1, "people_below_minimum": 1}
    private = digest.private(DAY)
    assert [(f["person_id"], f["temperature"]) for f in private["isolation_fevers"]] == [("P002", 37.5)]
    anna = next(p for p in private["isolation_people"] if p["person_id"] == "P001")
    assert anna["until"] == "2020-02-18" and anna["readings"] == 2       # from 2020-02-05, 14 days


def test_disinfection(digest):
    d = digest.summary(DAY)["disinfection"]
    canteen = next(a for a in d["areas"] if a["id"] == "canteen")
    assert (canteen["done"], canteen["required"]) == (2, 3)
    assert d["compliance"] == round(16 / 17, 4)
    assert digest.summary(dt.date(2020, 2, 12))["disinfection"]["compliance"] == 0


def test_supplies_through_counts_and_outflows(digest):
    def items(day):
        return {i["id"]: i for i in digest.summary(day)["supplies"]["items"]}
    masks = items(DAY)["mask_medical"]
    # 3000 counted on 02-05, 500 out on 02-06, counted 5000 on 02-10, +2000, -800 on 02-11
    assert masks["stock"] == 6200 and masks["avg_use_7d"] == 185.71 and masks["days_of_cover"] == 33.4
    assert masks["below_minimum"] is False and masks["low_cover"] is False
    assert masks["unit"] == {"zh": "个", "en": "pcs"} and masks["min_stock"] == 2000
    earlier = items(dt.date(2020, 2, 9))["mask_medical"]
    assert (earlier["stock"], earlier["avg_use_7d"], earlier["days_of_cover"]) == (2500, 71.43, 35.0)
    assert items(dt.date(2020, 2, 4))["mask_medical"]["stock"] is None          # not yet in the ledger
    gloves = items(DAY)["gloves"]
    assert (gloves["stock"], gloves["days_of_cover"], gloves["below_minimum"]) == (100, None, True)
    n95 = items(DAY)["mask_n95"]
    assert (n95["stock"], n95["avg_use_7d"], n95["days_of_cover"]) == (270, 4.29, 63.0)
    alcohol = items(DAY)["alcohol_75"]                 # its only movement would go below zero
    assert alcohol["stock"] is None and alcohol["below_minimum"] is None
    s = digest.summary(DAY)["supplies"]
    assert s["donations"] == {"alumni": 1, "partner": 1, "confucius": 1, "other_donation": 0}
    assert s["donors"] == ["1990级校友", "<b>Partner|Uni</b>"]          # not the anonymous one


def test_gate_counts_rule_breakers_and_leaves_out_unreadable_rows(digest):
    g = digest.summary(DAY)["gate"]
    assert g == {"total": 5, "by_person_type": {"student": 1, "staff": 1, "visitor": 2, "delivery": 1},
                 "refused": 1, "fevers": 2, "violations": 2}
    fevers = digest.private(DAY)["gate_fevers"]
    assert [(f["name"], f["temperature"], f["admitted"]) for f in fevers] == [("访客甲", 37.8, False),
                                                                              ("张老师", 37.6, True)]


def test_issues_are_counted_per_day_without_values(digest):
    s = digest.summary(DAY)
    assert s["status"] == "partial" and s["unavailable"] == []
    assert s["issues"]["by_sheet"] == {
        "disinfection_log": {"errors": 0, "warnings": 1, "rows_left_out": 0},
        "gate_log": {"errors": 3, "warnings": 0, "rows_left_out": 1},
        "isolation_log": {"errors": 0, "warnings": 1, "rows_left_out": 0},
        "staff_status": {"errors": 1, "warnings": 0, "rows_left_out": 1},
        "student_roster": {"errors": 1, "warnings": 0, "rows_left_out": 1},
        "supplies": {"errors": 1, "warnings": 0, "rows_left_out": 1},
        "unit_daily": {"errors": 1, "warnings": 0, "rows_left_out": 1},
    }
    assert (s["issues"]["errors"], s["issues"]["warnings"], s["issues"]["rows_left_out"]) == (7, 2, 5)
    # The roster and staff errors are snapshots: they count on every day; the others do not.
    other = digest.summary(dt.date(2020, 2, 12))["issues"]
    assert set(other["by_sheet"]) == {"staff_status", "student_roster"}


def test_private_detail_names_who_to_chase(digest):
    p = digest.private(DAY)
    japanese = next(u for u in p["missing_units"] if u["id"] == "japanese")
    assert [i["code"] for i in japanese["reasons"]] == ["type-error"] and japanese["reasons"][0]["value"] == "abc"
    international = next(u for u in p["missing_units"] if u["id"] == "international")
    assert international["on_duty"] == [{"shift": "day", "person": "周老师", "phone": "13800000009"}]
    assert {(u["id"], u["timing"]) for u in p["late_units"]} == {("business", "late"), ("library", "time_unknown")}
    assert len(p["issues"]) == 9 and all("value" in i for i in p["issues"])


def test_clean_baseline_is_complete(check, policy):
    s = summarize(check(copy.deepcopy(BASELINE)), policy, DAY)
    assert s["status"] == "complete" and s["issues"]["errors"] == 0
    assert s["reporting"]["reported"] == 2 and s["reporting"]["on_time"] == 2


def test_missing_sheet_gives_null_sections_not_zeros(check, policy):
    sheets = campus_sheets()
    del sheets["出入登记"], sheets["防疫物资台账"]
    result = check(sheets)
    s = summarize(result, policy, DAY)
    assert s["status"] == "partial" and s["unavailable"] == ["gate_log", "supplies"]
    assert s["gate"] is None and s["supplies"] is None
    assert s["reporting"]["reported"] == 6
    assert private_detail(result, policy, DAY)["gate_fevers"] is None


def test_missing_required_column_makes_the_sheet_unavailable(check, policy):
    sheets = campus_sheets()
    col = sheets["单位日报"][0].index("发热人数")
    sheets["单位日报"] = [row[:col] + row[col + 1:] for row in sheets["单位日报"]]
    s = summarize(check(sheets), policy, DAY)
    assert s["unavailable"] == ["unit_daily"] and s["reporting"] is None and s["units"] is None
    assert s["cutoff"] is None


def test_rule_breakers_count_only_where_the_schema_says_so(tmp_path):
    """countRuleBreakers (gate_log.yml) is what keeps the fever let in counted; without it the
    rows that broke a rule are left out like any invalid row."""
    from conftest import POLICIES, write_csv
    from sync import jobs, policy as policies
    from sync.summarize import Digest
    strict = tmp_path / "policies"
    shutil.copytree(POLICIES, strict)
    gate = strict / "sheets" / "gate_log.yml"
    gate.write_text(gate.read_text(encoding="utf-8").replace("countRuleBreakers: true", "countRuleBreakers: false"),
                    encoding="utf-8")
    s = Digest(jobs.check(write_csv(tmp_path / "book", campus_sheets()), strict, AS_OF),
               policies.load(strict)).summary(DAY)
    assert s["gate"]["total"] == 3                  # 5 with the flag (test above)
    assert s["gate"]["violations"] == 2             # the breaches are reported either way
    assert s["issues"]["by_sheet"]["gate_log"]["rows_left_out"] == 3
