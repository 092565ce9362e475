"""policies/ is checked before any data is read; every mistake is reported at once with file:line."""
from __future__ import annotations

import shutil

import pytest

from conftest import POLICIES
from sync import policy
from sync.errors import ConfigError


@pytest.fixture
def broken(tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    return root


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bundled_policies_match_the_contract():
    p = policy.load(POLICIES)
    assert set(p.sheets) == {"unit_daily", "student_roster", "staff_status", "isolation_log", "disinfection_log",
                             "supplies", "gate_log", "duty_roster", "signoff"}
    assert [n for n, s in p.sheets.items() if s.optional] == ["signoff"]     # the office's, when sign-off is on
    assert [u["id"] for u in p.lists["units"].items][:3] == ["party_office", "logistics", "security"]
    assert len(p.lists["units"].items) == 15 and len(p.lists["provinces"].items) == 35
    assert p.thresholds["fever"] == 37.3 and p.thresholds["report_deadline"] == "10:00"
    gate = p.sheets["gate_log"]
    assert [f.title["zh"] for f in gate.fields] == ["时间", "校门", "人员类别", "证件号", "姓名", "体温(℃)", "已审批",
                                                    "准许进入"]
    assert gate.pii_fields == ["person_id", "name"]
    assert p.lists["units"].find("School of English") == "english"
    assert p.lists["provinces"].find("湖北") == p.lists["provinces"].find("Hubei") == "hubei"


def test_every_mistake_is_reported_at_once_with_file_line_and_key_path(broken):
    gate = broken / "sheets" / "gate_log.yml"
    _edit(gate, "{name: gate, type: string,", "{name: gate, type: int,")
    _edit(gate, "temperature >= threshold.fever", "temperature >= threshold.fevr")
    _edit(broken / "sheets" / "student_roster.yml", "reference: batches", "reference: batchez")
    _edit(broken / "sheets" / "duty_roster.yml", "primaryKey: [date, shift, unit]", "primaryKey: [date, shift, unt]")
    _edit(broken / "campus.yml", "fever: 37.3", "fever: high")
    with pytest.raises(ConfigError) as exc:
        policy.load(broken)
    problems = exc.value.problems
    assert len(problems) == 5, problems
    text = "\n".join(problems)
    assert f"{gate}:6: fields[1].type: expected one of string, integer" in text and "got 'int'" in text
    assert f"{gate}:34: rules[2].when[0]: unknown threshold 'fevr'" in text
    assert "student_roster.yml:34: fields[11].reference: unknown list 'batchez'" in text
    assert "duty_roster.yml:5: primaryKey[2]: unknown field 'unt'" in text
    assert "campus.yml:5: thresholds.fever: expected a number" in text


def test_yaml_syntax_error_names_the_line(broken):
    path = broken / "lists" / "gates.yml"
    path.write_text("name: gates\ntitle: {zh: 校门, en: Gates}\nitems:\n  - {id: east, zh: 东门, en: East Gate\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        policy.load(broken)
    assert exc.value.problems[0].startswith(f"{path}:5: YAML syntax error")


def test_unknown_keys_and_ambiguous_names(broken):
    _edit(broken / "sheets" / "supplies.yml", "{name: quantity, type: number,", "{name: quantity, typ: number, type: number,")
    _edit(broken / "lists" / "zones.yml", "{id: north_c, zh: 北楼C区", "{id: north_c, zh: 北楼B区")
    with pytest.raises(ConfigError) as exc:
        policy.load(broken)
    text = "\n".join(exc.value.problems)
    assert "supplies.yml:15: fields[3].typ: unknown key" in text
    assert "zones.yml:6: items[2]: name '北楼B区' is also used by 'north_b'" in text


def test_count_rule_breakers_must_be_true_or_false(broken):
    path = broken / "sheets" / "gate_log.yml"
    _edit(path, "countRuleBreakers: true", "countRuleBreakers: yes please")
    with pytest.raises(ConfigError) as exc:
        policy.load(broken)
    line = path.read_text(encoding="utf-8").splitlines().index("countRuleBreakers: yes please") + 1
    assert exc.value.problems == [f"{path}:{line}: countRuleBreakers: expected true or false; got 'yes please'"]


def test_impossible_date_names_its_line(broken):
    path = broken / "lists" / "batches.yml"
    _edit(path, "date: 2020-03-09", "date: 2020-02-30")
    with pytest.raises(ConfigError) as exc:
        policy.load(broken)
    assert exc.value.problems == [f"{path}:6: not a real date (day is out of range for month)"]
