"""Checks between sheets (campus.yml cross_checks): both places and both numbers in the message,
nothing when they agree; the duty roster against isolation and fevers, private on the public side."""
from __future__ import annotations

import copy
import json
import shutil

import pytest

from conftest import AS_OF, BASELINE, POLICIES
from sync import policy as policy_mod
from sync.errors import ConfigError
from sync.render import contacts
from sync.summarize import Digest

INTERNATIONAL = ["2020-02-11", "国际交流处", "2020-02-11 08:00", "周老师", "3", "5", "0", "0", "0", "1", "否", ""]


def _with_international(isolated: str) -> dict:
    sheets = copy.deepcopy(BASELINE)
    sheets["单位日报"].append([*INTERNATIONAL[:9], isolated, *INTERNATIONAL[10:]])
    return sheets


def test_reported_isolated_against_the_log_names_both_places_and_numbers(check):
    result = check(_with_international("17"))
    [issue] = [i for i in result.issues if i.code == "isolated-vs-isolation-log"]
    assert issue.severity == "warning" and issue.sheet == "unit_daily" and issue.cell == "J5"
    assert issue.date == "2020-02-11" and issue.value == "17"
    for text in issue.message.values():
        assert "单位日报!J5" in text and " 17" in text and "隔离观察记录" in text and " 1" in text


def test_agreeing_sheets_raise_and_hold_nothing(check, policy):
    result = check(_with_international("1"))       # the log has one person, P001, on the day
    assert not [i for i in result.issues if i.code == "isolated-vs-isolation-log"]
    summary = Digest(result, policy).summary(AS_OF)
    assert summary["held"] == {} and summary["isolation"]["people"] == 1 and summary["units"]["isolated"] == 3


def test_a_day_without_the_left_report_is_not_compared(check):
    assert not [i for i in check(copy.deepcopy(BASELINE)).issues if i.code == "isolated-vs-isolation-log"]


def test_a_disagreement_holds_both_figures(check, policy):
    summary = Digest(check(_with_international("17")), policy).summary(AS_OF)
    assert summary["units"]["isolated"] is None and summary["isolation"]["people"] is None
    assert summary["isolation"]["by_zone"] is None and summary["isolation"]["readings_expected"] is None
    assert summary["held"]["isolation"]["people"]["known"] is None
    assert 17 not in summary["units"].values()


def _policies(tmp_path, old: str, new: str):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root, dirs_exist_ok=True)
    campus = root / "campus.yml"
    text = campus.read_text(encoding="utf-8")
    assert old in text
    campus.write_text(text.replace(old, new), encoding="utf-8")
    return root


def test_tolerance(tmp_path):
    from conftest import write_csv
    from sync import jobs
    root = _policies(tmp_path, 'right: {sheet: isolation_log, date: date, distinct: person_id}',
                     'right: {sheet: isolation_log, date: date, distinct: person_id}\n    tolerance: 1')
    source = write_csv(tmp_path / "book", _with_international("2"))
    assert not [i for i in jobs.check(source, root, AS_OF).issues if i.code == "isolated-vs-isolation-log"]
    source = write_csv(tmp_path / "book", _with_international("3"))
    [issue] = [i for i in jobs.check(source, root, AS_OF).issues if i.code == "isolated-vs-isolation-log"]
    assert "tolerance 1" in issue.message["en"] and "容差 1" in issue.message["zh"]


def _on_duty(name: str) -> dict:
    sheets = copy.deepcopy(BASELINE)
    sheets["值班表"][1][3] = name
    return sheets


@pytest.mark.parametrize("name, sheets_edit, reason", [
    ("Anna Petrova", None, "under isolation that day (隔离观察记录!2:2)"),
    ("孙老师", None, "recorded in staff status as fever"),      # staff status 隔离观察
    ("周老师", lambda s: s["出入登记"].append(["2020-02-11 07:30", "东门", "教职工", "T009", "周老师", "37.9", "", "否"]),
     "had a fever at the gate that day"),
])
def test_a_person_on_duty_in_isolation_or_with_a_fever_is_an_error(check, policy, tmp_path, name, sheets_edit, reason):
    sheets = _on_duty(name)
    if sheets_edit:
        sheets_edit(sheets)
    result = check(sheets)
    [issue] = [i for i in result.issues if i.code == "duty-person-unwell"]
    assert issue.severity == "error" and issue.cell == "D2" and name in issue.message["zh"]
    assert reason in issue.message["en"]
    summary = Digest(result, policy).summary(AS_OF)
    [slot] = summary["duty"]
    assert slot == {"shift": {"id": "day", "zh": "白班", "en": "day"},
                    "unit": {"id": "international", "zh": "国际交流处", "en": "International Office"},
                    "person": None, "reassign": True}
    public = json.dumps(summary, ensure_ascii=False)
    assert name not in public
    page = contacts.page([], {}, summary)
    assert "待重新安排" in page and name not in page
    english = contacts.page([], {}, summary, "en")
    assert "to be reassigned" in english and name not in english


def test_a_person_on_duty_who_is_well_is_posted(check, policy):
    result = check(copy.deepcopy(BASELINE))
    assert not [i for i in result.issues if i.code == "duty-person-unwell"]
    assert Digest(result, policy).summary(AS_OF)["duty"][0]["person"] == "周老师"


def test_staff_status_concerns_today_not_past_slots(check):
    sheets = _on_duty("孙老师")
    sheets["值班表"][1][0] = "2020-02-10"           # a past slot: the snapshot does not say how they were then
    assert not [i for i in check(sheets).issues if i.code == "duty-person-unwell"]


@pytest.mark.parametrize("old, new, message", [
    ("right: {sheet: isolation_log,", "right: {sheet: no_such_sheet,", "unknown sheet 'no_such_sheet'"),
    ('op: "=="', 'op: "~="', "expected one of ==, <=, >="),
    ("distinct: person_id}", "distinct: nobody}", "unknown field 'nobody'"),
    ("sum: isolated}", "sum: unit}", "unit is not a number field"),
    ('where: ["unit in [international]"]', 'where: ["nothing > 1"]', "unknown field 'nothing'"),
    ("code: duty-person-unwell", "code: count-jump", "code 'count-jump' is already used"),
])
def test_cross_checks_are_checked_by_lint(tmp_path, old, new, message):
    with pytest.raises(ConfigError) as exc:
        policy_mod.load(_policies(tmp_path, old, new))
    assert any("campus.yml" in p and "cross_checks[" in p and message in p for p in exc.value.problems), exc.value.problems
