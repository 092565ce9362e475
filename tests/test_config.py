"""Every rule of the config models (sync/config/): break a bundled file on purpose and see the
message at its file:line and key path, in the one key-path format."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import POLICIES
from sync import config
from sync.cli import main
from sync.config.google import load_config
from sync.errors import ConfigError

# (file, text to replace, replacement, text on the reported line, "key: message" expected there)
CASES = [
    # campus.yml
    ("campus.yml", "timezone: Asia/Shanghai", "timezone: Asia/Beijing", "timezone:",
     "timezone: unknown time zone 'Asia/Beijing'; e.g. Asia/Shanghai"),
    ("campus.yml", "name: {zh: 示例外国语大学, en: Example University of Foreign Studies}", "name: 示例大学", "name:",
     "name: expected {zh: ..., en: ...}; got '示例大学'"),
    ("campus.yml", "status_tab: {zh: 校验结果, en: Validation}", "status_tab: {zh: 校验结果}", "status_tab:",
     "status_tab: expected {zh: ..., en: ...}; got {'zh': '校验结果'}"),
    ("campus.yml", "timezone: Asia/Shanghai", "timezone: Asia/Shanghai\nmotto: stay safe", "motto:",
     "motto: unknown key; expected one of cross_checks, dates, guards, hold, name, private_tab, schedule, signoff, "
     "status_tab, thresholds, timezone"),
    ("campus.yml", "  isolation_days: 14 ", "  isolation_days: 14.5 ", "isolation_days:",
     "thresholds.isolation_days: expected a whole number >= 0; got 14.5"),
    ("campus.yml", '  report_deadline: "10:00"', '  report_deadline: "25:00"', "report_deadline:",
     'thresholds.report_deadline: expected a time such as "10:00"; got \'25:00\''),
    ("campus.yml", "  readings_per_day: 2 ", "  readings_per_dya: 2 ", "readings_per_dya:",
     "thresholds.readings_per_dya: unknown key; expected one of fever, isolation_days, jump_factor, jump_minimum, "
     "min_cover_days, readings_per_day, report_deadline"),
    ("campus.yml", "  readings_per_day: 2 ", "  # ", "thresholds:", "thresholds: missing key 'readings_per_day'"),
    ("campus.yml", "  max_row_loss: 0.2", "  max_row_loss: 20", "max_row_loss:",
     "guards.max_row_loss: expected a share between 0 and 1, e.g. 0.2; got 20"),
    ("campus.yml", "  max_errors: 100", "  max_errors: -1", "max_errors:",
     "guards.max_errors: expected a whole number >= 0; got -1"),
    ("campus.yml", '  - {at: "22:00", jobs: [run]}', '  - {at: "22:00", jobs: []}', '"22:00"',
     "schedule[3].jobs: expected a list of jobs, some of remind, run, build"),
    # lists
    ("lists/zones.yml", "name: zones", "name: Zones", "name:", "name: expected a lower-case name such as 'units'; got 'Zones'"),
    ("lists/zones.yml", "title: {zh: 隔离区域, en: Isolation zones}", "title: Isolation zones", "title:",
     "title: expected {zh: ..., en: ...}; got 'Isolation zones'"),
    ("lists/zones.yml", "{id: north_a, zh: 北楼A区", "{id: North-A, zh: 北楼A区", "North-A",
     "items[0].id: expected a lower-case id such as 'north_a'; got 'North-A'"),
    ("lists/zones.yml", "{id: north_a, zh: 北楼A区, en: North Building Zone A}", "{id: north_a, zh: 北楼A区}", "north_a",
     "items[0]: missing key 'en'"),
    ("lists/zones.yml", "{id: north_a, zh: 北楼A区, en: North Building Zone A}",
     "{id: north_a, zh: 北楼A区, en: North Building Zone A, floor: 3}", "north_a",
     "items[0].floor: unknown key; expected one of aliases, en, id, zh"),
    ("lists/zones.yml", "  - {id: north_a, zh: 北楼A区, en: North Building Zone A}", "  - north_a", "north_a",
     "items[0]: expected a mapping; got 'north_a'"),
    ("lists/units.yml", "email: houqin@example.edu.cn", "email: houqin.example.edu.cn", "houqin",
     "items[1].email: expected an e-mail address such as office@example.edu.cn; got 'houqin.example.edu.cn'"),
    ("lists/units.yml", "email: houqin@example.edu.cn", "email: [houqin@example.edu.cn, houqin]", "houqin",
     "items[1].email[1]: expected an e-mail address such as office@example.edu.cn; got 'houqin'"),
    ("lists/units.yml", "email: houqin@example.edu.cn", "email: houqin@example.edu.cn, contact: ' '", "houqin",
     "items[1].contact: expected the chat user id to @mention; got ' '"),
    ("lists/supplies.yml", "min_stock: 2000", "min_stock: lots", "mask_medical",
     "items[0].min_stock: expected a number"),
    ("plans/disinfection.yml", "times_per_day: 2, agent", "times_per_day: 0, agent", "dorm_1",
     "items[0].times_per_day: expected a whole number >= 1"),
    ("plans/disinfection.yml", "concentration: [250, 500], ventilation_minutes: 30}", "concentration: [500, 250], "
     "ventilation_minutes: 30}", "dorm_1", "items[0].concentration: expected [min, max] in mg/L or null; got [500, 250]"),
    # sheets
    ("sheets/gate_log.yml", "name: gate_log", "name: gates", "name: gates",
     "name: expected 'gate_log' (the file name); got 'gates'"),
    ("sheets/gate_log.yml", "{name: gate, type: string,", "{name: Gate, type: string,", "name: Gate",
     "fields[1].name: expected a lower-case name such as 'fever'; got 'Gate'"),
    ("sheets/gate_log.yml", "title: {zh: 校门, en: Gate}", "title: {zh: 校门, en: Time}", "校门",
     "fields[1]: header 'Time' is also a header of 'time'"),
    ("sheets/gate_log.yml", "{name: person_id, type: string, title: {zh: 证件号, en: Person ID}, pii: true}",
     "{name: person_id, type: string, title: {zh: 证件号, en: Person ID}, pii: true, public: true}", "person_id",
     "fields[3].public: a field cannot be both pii and public"),
    ("sheets/gate_log.yml", "title: {zh: 姓名, en: Name}, pii: true}", "title: {zh: 姓名, en: Name}, pii: yes please}",
     "姓名", "fields[4].pii: expected true or false; got 'yes please'"),
    ("sheets/gate_log.yml", "    type: enum\n    title: {zh: 人员类别, en: Person type}\n    constraints: {required: true}\n"
     "    values:\n      - {id: student, zh: 学生, en: student}\n      - {id: staff, zh: 教职工, en: staff}\n"
     "      - {id: visitor, zh: 外来人员, en: visitor}\n      - {id: delivery, zh: 送货, en: delivery}\n",
     "    type: enum\n    title: {zh: 人员类别, en: Person type}\n", "name: person_type",
     "fields[2]: an enum needs values: [{id: ..., zh: ..., en: ...}]"),
    ("sheets/gate_log.yml", "      - {id: staff, zh: 教职工, en: staff}", "      - {id: staff, zh: 教职工}", "教职工",
     "fields[2].values[1]: missing key 'en'"),
    ("sheets/gate_log.yml", "minimum: 34.0, maximum: 43.0", "minimum: cold, maximum: 43.0", "cold",
     "fields[5].constraints.minimum: expected a number; got 'cold'"),
    ("sheets/gate_log.yml", "minimum: 34.0, maximum: 43.0", "minimum: 34.0, maximum: 43.0, max: 1", "34.0",
     "fields[5].constraints.max: unknown key; expected one of maximum, minimum, pattern, required, unique"),
    ("sheets/student_roster.yml", "pattern: '[0-9]+'", "pattern: '[0-9+'", "name: student_id",
     "fields[0].constraints.pattern: not a regular expression: unterminated character set at position 0"),
    ("sheets/staff_status.yml", "default: {threshold: isolation_days}", "default: {threshold: isolation_weeks}",
     "isolation_weeks", "fields[8].default: unknown threshold 'isolation_weeks'"),
    ("sheets/gate_log.yml", "  - code: fever-admitted", "  - code: Fever_Admitted", "Fever_Admitted",
     "rules[2].code: expected a kebab-case code such as 'fever-admitted'; got 'Fever_Admitted'"),
    ("sheets/gate_log.yml", "  - code: fever-admitted", "  - code: fever-admitted\n    severity: fatal", "fatal",
     "rules[2].severity: expected error or warning; got 'fatal'"),
    ("sheets/gate_log.yml", "    column: approved", "    column: approval", "approval",
     "rules[0].column: unknown field 'approval'"),
    ("sheets/gate_log.yml", "    check: [approved is not blank]", "    check: [approved is missing]", "is missing",
     "rules[0].check[0]: 'approved is missing' is not a condition"),
    ("sheets/gate_log.yml", "    check: [approved is not blank]", "    check: [approved is not blank]\n    hint: x", "hint",
     "rules[0].hint: unknown key; expected one of check, code, column, message, severity, when"),
    ("sheets/isolation_log.yml", "{check: readings-per-day,", "{check: readings-per-hour,", "readings-per-hour",
     "checks[0].check: unknown check 'readings-per-hour'; expected one of copied-forward, count-jump, "
     "plan-concentration, plan-times-per-day, readings-per-day, stock-below-zero, unchanging-readings"),
    ("sheets/isolation_log.yml", "person: person_id,", "person: patient,", "readings-per-day",
     "checks[0].person: unknown field 'patient'"),
    ("sheets/isolation_log.yml", "person: person_id,", "", "readings-per-day", "checks[0]: missing key 'person'"),
    ("sheets/isolation_log.yml", "person: person_id,", "person: person_id, people: 3,", "readings-per-day",
     "checks[0].people: unknown key; expected one of check, date, minimum, person, severity"),
    ("sheets/isolation_log.yml", "minimum: {threshold: readings_per_day}", "minimum: {threshold: readings}",
     "readings-per-day", "checks[0].minimum: expected a whole number or {threshold: name}; got {'threshold': 'readings'}"),
    ("sheets/unit_daily.yml", "fields: [students_on_campus,", "fields: [students_in_campus,", "count-jump",
     "checks[0].fields: unknown field(s) ['students_in_campus'"),
]


@pytest.fixture
def policies(tmp_path):
    return shutil.copytree(POLICIES, tmp_path / "policies")


def _break(root, name, old, new, marker):
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path, next(n for n, t in enumerate(text.splitlines(), 1) if marker in t)


@pytest.mark.parametrize("name, old, new, marker, expected", CASES, ids=[c[4][:40] for c in CASES])
def test_a_broken_rule_is_reported_at_its_file_line_and_key(policies, name, old, new, marker, expected):
    path, line = _break(policies, name, old, new, marker)
    with pytest.raises(ConfigError) as caught:
        config.load_policy(policies)
    assert any(p.startswith(f"{path}:{line}: {expected}") for p in caught.value.problems), caught.value.problems


def test_a_list_name_used_twice(policies):
    (policies / "lists" / "more_zones.yml").write_text(
        (policies / "lists" / "zones.yml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load_policy(policies)
    assert caught.value.problems == [f"{policies / 'lists' / 'zones.yml'}: list name 'zones' is also used by "
                                     f"{policies / 'lists' / 'more_zones.yml'}"]


def test_lint_gives_the_problems_as_data(policies):
    path, line = _break(policies, "sheets/gate_log.yml", "{name: gate, type: string,", "{name: gate, type: int,", "{name: gate,")
    result = CliRunner().invoke(main, ["lint", "--policies", str(policies), "--format", "json"])
    assert result.exit_code == 1
    found = json.loads(result.stdout)["problems"]
    assert {"path": str(path), "line": line, "key": "fields[1].type", "code": "unknown-type",
            "message": "expected one of string, integer, number, boolean, date, time, datetime, enum; got 'int'"} in found


def test_each_model_publishes_its_json_schema(tmp_path):
    result = CliRunner().invoke(main, ["schema", "policies", str(tmp_path / "schemas")])
    assert result.exit_code == 0, result.output
    sheet = json.loads((tmp_path / "schemas" / "sheet.schema.json").read_text(encoding="utf-8"))
    field = sheet["$defs"]["FieldSpec"]
    assert field["additionalProperties"] is False and "decimalSlip" in field["properties"]
    assert {"campus", "list", "units", "supplies", "batches", "areas", "sheet", "notice", "plan", "contacts",
            "google"} <= {p.name.split(".")[0] for p in (tmp_path / "schemas").glob("*.schema.json")}


GOOGLE = """spreadsheets:
  - name: 英语学院 School of English
    key: abc123
    tabs: {unit_daily: 单位日报}
  - name: 防控办 Office
    url: https://docs.google.com/spreadsheets/d/xyz789/edit
    role: office
"""

GOOGLE_CASES = [
    ("    key: abc123\n", "    key: abc 123\n", "abc 123",
     "spreadsheets[0].key: expected the key from the spreadsheet's URL (letters, digits, - and _)"),
    ("    url: https://docs.google.com/spreadsheets/d/xyz789/edit\n", "    url: https://example.cn/x\n", "example.cn",
     "spreadsheets[1].url: no spreadsheet key in this URL; copy it from the browser's address bar"),
    ("    key: abc123\n", "", "英语学院", "spreadsheets[0]: give either key or url (not both)"),
    ("    tabs: {unit_daily: 单位日报}\n", "    tabs: {}\n", "tabs",
     "spreadsheets[0].tabs: expected a mapping of sheet id to tab title or {title: ..., gid: ...}"),
    ("{unit_daily: 单位日报}", "{unit_daily: {}}", "tabs",
     "spreadsheets[0].tabs.unit_daily: give the tab's title, or its gid (the number after #gid= in its URL)"),
    ("{unit_daily: 单位日报}", "{unit_daily: ' '}", "tabs", "spreadsheets[0].tabs.unit_daily: expected a tab title; got ' '"),
    ("{unit_daily: 单位日报}", "{unit_daily: {title: 日报, colour: red}}", "tabs",
     "spreadsheets[0].tabs.unit_daily.colour: unknown key; expected one of gid, title"),
    ("  - name: 英语学院 School of English\n", "  - name: ' '\n", "name",
     "spreadsheets[0].name: expected a name for messages, e.g. 英语学院 School of English"),
    ("  - name: 防控办 Office\n", "  - name: 英语学院 School of English\n", 5,
     "spreadsheets[1].name: also the name of spreadsheet 1"),
    ("/d/xyz789/", "/d/abc123/", "防控办", "spreadsheets[1]: the same spreadsheet as '英语学院 School of English'"),
    ("    role: office\n", "    role: office\n    tabs: {unit_daily: 日报}\n", "tabs: {unit_daily: 日报}",
     "spreadsheets[1].tabs.unit_daily: sheet already read from '英语学院 School of English'"),
    ("    tabs: {unit_daily: 单位日报}\n", "    tabs: {unit_daily: 单位日报}\n    role: office\n", "spreadsheets:",
     "spreadsheets: only one spreadsheet can have role: office"),
    ("spreadsheets:\n", "credentials: 7\nspreadsheets:\n", "credentials",
     "credentials: expected the path of a JSON key file, or none"),
    ("spreadsheets:\n", "network: {timeout: -1}\nspreadsheets:\n", "network",
     "network.timeout: expected a number >= 0; got -1"),
    ("spreadsheets:\n", "spreadsheets: []\nx:\n", "spreadsheets", "spreadsheets: expected a list of spreadsheets"),
]


@pytest.mark.parametrize("old, new, marker, expected", GOOGLE_CASES, ids=[c[3][:40] for c in GOOGLE_CASES])
def test_a_broken_google_config_is_reported_at_its_line_and_key(tmp_path, old, new, marker, expected):
    text = GOOGLE.replace(old, new, 1)
    assert text != GOOGLE
    path = tmp_path / "google.yml"
    path.write_text(text, encoding="utf-8")
    line = marker if isinstance(marker, int) else next(n for n, t in enumerate(text.splitlines(), 1) if marker in t)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert any(p.startswith(f"{path}:{line}: {expected}") for p in caught.value.problems), caught.value.problems


def test_the_google_config_reads_keys_from_urls(tmp_path):
    path = tmp_path / "google.yml"
    path.write_text(GOOGLE, encoding="utf-8")
    cfg = load_config(path)
    assert [(s.name, s.key, s.role) for s in cfg.spreadsheets] == [("英语学院 School of English", "abc123", "department"),
                                                                   ("防控办 Office", "xyz789", "office")]
    assert cfg.holder("unit_daily").tabs[0].title == "单位日报" and cfg.office.key == "xyz789"
