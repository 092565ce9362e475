"""`python -m sync lint`: every file in policies/, one `file:line: message` per problem."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def policies(tmp_path) -> Path:
    return Path(shutil.copytree(ROOT / "policies", tmp_path / "policies"))


def lint(folder: Path, *args: str):
    result = CliRunner().invoke(main, ["lint", "--policies", str(folder), *args])
    return result.exit_code, [line for line in result.stdout.splitlines() if line]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_bundled_policies_are_clean(policies):
    assert lint(policies) == (0, [])
    assert lint(policies, "--date", "2020-02-23") == (0, [])


def test_a_broken_notice_is_reported_with_file_and_line(policies):
    notice = policies / "notices" / "broken.zh.md"
    notice.write_text("---\ntitle: 坏通知\ndate: 2020-02-30\naudience: [students, aliens]\nlanguage: zh\n"
                      "colour: red\nexpires: 2020-02-01\n---\n正文\n", encoding="utf-8")
    code, lines = lint(policies)
    assert code == 1
    assert lines == [
        f"{notice}:6: colour: unknown key; expected one of audience, date, expires, issuer, language, title, urgent",
        f"{notice}:3: date: expected a date such as 2020-02-12; got '2020-02-30'",
        f"{notice}:4: audience[1]: unknown audience 'aliens'; expected one of everyone, students, staff, international",
    ]


def test_notice_yaml_syntax_error_has_the_line_in_the_file(policies):
    notice = policies / "notices" / "2020-02-14-staff-return.zh.md"
    edit(notice, "audience: [staff]", "audience: [staff")
    code, lines = lint(policies)
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith(f"{notice}:5: YAML syntax error")


def test_expiry_before_the_date_and_mismatched_language(policies):
    notice = policies / "notices" / "2020-02-14-staff-return.zh.md"
    edit(notice, "language: zh", "language: en\nexpires: 2020-02-01")
    code, lines = lint(policies)
    assert code == 1
    assert lines == [f"{notice}:6: expires: 2020-02-01 is before the notice's date 2020-02-14",
                     f"{notice}:5: language: 'en' does not match the file name's .zh.md"]


def test_an_urgent_notice_already_expired(policies):
    notice = policies / "notices" / "2020-02-12-campus-entry-control.zh.md"
    edit(notice, "urgent: true", "urgent: true\nexpires: 2020-02-29")
    assert lint(policies, "--date", "2020-02-29") == (0, [])
    code, lines = lint(policies, "--date", "2020-03-01")
    assert code == 1
    assert lines == [f"{notice}:6: expires: urgent notice already expired on 2020-02-29 (today is 2020-03-01); "
                     "remove 'urgent' or the notice"]


def test_a_plan_naming_an_unknown_area(policies):
    plan = policies / "plans" / "contingency" / "isolation.zh.md"
    edit(plan, "areas: [north_building]", "areas: [north_building, south_tower]")
    code, lines = lint(policies)
    assert code == 1
    assert lines == [f"{plan}:7: areas[1]: unknown area 'south_tower'"]


def test_a_plan_with_an_unknown_table_and_value_and_key(policies):
    plan = policies / "plans" / "contingency" / "staggered_return.zh.md"
    edit(plan, "<!-- table: batches -->", "<!-- table: bathes -->")
    edit(plan, "<!-- value: fever -->", "<!-- value: fevre -->")
    edit(plan, "order: 2", "order: 2\nowner: nobody")
    code, lines = lint(policies)
    assert code == 1
    assert lines[0] == f"{plan}:4: owner: unknown key; expected one of areas, batches, gates, language, order, " \
                       "responsible, title, updated, zones"
    assert lines[1].startswith(f"{plan}:12: unknown table 'bathes'")
    assert lines[2].startswith(f"{plan}:17: unknown value 'fevre'")


def test_references_in_yaml_beside_the_plans(policies):
    edit(policies / "plans" / "contingency" / "teaching.yml", "batch: b2", "batch: b9")
    edit(policies / "plans" / "disinfection.yml", "responsible: logistics", "responsible: cleaning")
    code, lines = lint(policies)
    assert code == 1
    assert f"{policies / 'plans' / 'contingency' / 'teaching.yml'}:21: items[2].batch: unknown batch 'b9'" in lines
    assert f"{policies / 'plans' / 'disinfection.yml'}:1: responsible: unknown unit 'cleaning'" in lines


def test_contacts_and_sheet_schemas_are_checked_too(policies):
    edit(policies / "contacts.yml", 'phone: "0000-0000-1005"', "phone: 4110000\n    fax: x")
    edit(policies / "sheets" / "gate_log.yml", "type: datetime", "type: datetim")
    code, lines = lint(policies)
    assert code == 1
    text = "\n".join(lines)
    assert f"{policies / 'sheets' / 'gate_log.yml'}:" in text and "datetim" in text
    assert f"{policies / 'contacts.yml'}:19: hotlines[2].phone: expected text" in text
    assert f"{policies / 'contacts.yml'}:20: hotlines[2].fax: unknown key" in text


def test_yaml_syntax_in_a_list_and_stray_files(policies):
    (policies / "lists" / "gates.yml").write_text("name: gates\nitems: [\n", encoding="utf-8")
    (policies / "notes.yml").write_text("a: 1\n", encoding="utf-8")
    code, lines = lint(policies)
    assert code == 1
    assert any(line.startswith(f"{policies / 'lists' / 'gates.yml'}:3: YAML syntax error") for line in lines)
    assert f"{policies / 'notes.yml'}:1: not read by anything" in "\n".join(lines)


def test_usage_errors_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["lint", "--policies", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "not a policies folder" in result.stderr
    result = CliRunner().invoke(main, ["lint", "--date", "yesterday"])
    assert result.exit_code == 2
