"""Hostile input: nothing hangs, nothing crashes, nothing half-written stays (issue 12).

Each class the robustness campaign found has a test here, with its neighbours: alias bombs
and recursion in every YAML the tool reads, wide and mixed encodings of CSV, dates at the
ends of the calendar, numbers that overflow, summaries edited by hand, debris of killed runs.
"""
from __future__ import annotations

import copy
import json
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import AS_OF, BASELINE, POLICIES, ROOT, write_csv
from sync import jobs
from sync import policy as policy_mod
from sync.cli import main
from sync.errors import ConfigError, SourceError
from sync.read.csv_folder import read_csv
from sync.render import site as site_render


def bomb(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs": each anchor repeats the one before it width times (width**levels values)."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def policies(tmp_path) -> Path:
    return Path(shutil.copytree(POLICIES, tmp_path / "policies"))


def site_config(tmp: Path) -> None:
    shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
    shutil.copytree(ROOT / "site" / "overrides", tmp / "site" / "overrides", ignore=shutil.ignore_patterns("generated"))


def cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


# --- YAML: alias bombs and recursion ------------------------------------------------------------

@pytest.mark.parametrize("where", ["campus.yml", "lists/zones.yml", "sheets/supplies.yml", "plans/disinfection.yml",
                                   "contacts.yml"])
def test_an_alias_bomb_in_any_policies_file_is_refused_at_once_with_its_line(policies, where):
    path = policies / where
    assert path.is_file(), where
    path.write_text(path.read_text(encoding="utf-8") + "x_bomb:\n" + "".join("  " + line + "\n"
                                                                             for line in bomb().splitlines()),
                    encoding="utf-8")
    started = time.perf_counter()
    code, out = cli("lint", "--policies", str(policies))
    assert time.perf_counter() - started < 20
    assert code == 1
    first_line = len(path.read_text(encoding="utf-8").splitlines()) - 8     # the bomb's a0 line
    assert f"{path}:" in out and "anchors and aliases (&name, *name) repeat more than 1000 values" in out
    line = int(out.split(f"{path}:")[1].split(":")[0])
    assert first_line <= line <= first_line + 8


def test_an_alias_bomb_stops_run_and_build_with_exit_2(policies, tmp_path):
    (policies / "campus.yml").write_text((policies / "campus.yml").read_text(encoding="utf-8") + bomb().replace(
        "a0:", "x0:", 1).replace("\na", "\nx_"), encoding="utf-8")
    source = write_csv(tmp_path / "book", BASELINE)
    code, out = cli("run", "--source", str(source), "--policies", str(policies), "--out", str(tmp_path / "data"),
                    "--site", str(tmp_path / "site"), "--date", "2020-02-11")
    assert code == 2 and "campus.yml:" in out and "repeat more than 1000 values" in out
    assert not (tmp_path / "data" / "summaries").exists()


def test_an_alias_bomb_in_a_notice_front_matter_is_a_lint_problem(policies):
    notice = policies / "notices" / "2020-02-30-bomb.zh.md"
    notice.write_text("---\ntitle: 炸弹\n" + bomb() + "---\n正文\n", encoding="utf-8")
    code, out = cli("lint", "--policies", str(policies))
    assert code == 1
    assert f"{notice}:" in out and "repeat more than 1000 values" in out


def test_a_bomb_in_the_google_config_is_refused(tmp_path):
    from sync.read.google_config import load_config
    path = tmp_path / "google.yml"
    path.write_text("spreadsheets: []\n" + bomb(), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems[0].startswith(f"{path}:")


@pytest.mark.parametrize("text", ["x: &r [1, *r]\n", "x: &r {a: *r}\n", "x: &r {*r : 1}\n"])
def test_a_recursive_alias_is_refused(tmp_path, text):
    path = tmp_path / "rec.yml"
    path.write_text("name: x\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        policy_mod.read_yaml(path)
    assert caught.value.problems == [f"{path}:2: an alias refers to the value that contains it (recursive YAML) "
                                     f"/ YAML 别名自引用"]


def test_a_few_aliases_are_still_fine(tmp_path):
    path = tmp_path / "ok.yml"
    path.write_text("base: &b {zh: 校验结果, en: Validation}\nstatus_tab: *b\nprivate_tab: *b\n"
                    "many: &m [" + ", ".join(["x"] * 300) + "]\ntwice: [*m, *m, *m]\n", encoding="utf-8")
    data, lines = policy_mod.read_yaml(path)
    assert data["private_tab"] == {"zh": "校验结果", "en": "Validation"} and len(data["twice"][2]) == 300
    assert lines[("private_tab",)] == 3


def test_deep_nesting_and_complex_keys_give_messages_not_tracebacks(tmp_path):
    deep = tmp_path / "deep.yml"
    deep.write_text("".join(" " * i + "a:\n" for i in range(995)) + " " * 995 + "1\n", encoding="utf-8")
    data, lines = policy_mod.read_yaml(deep)              # libyaml allows ~1000 levels; walked without recursion
    assert lines[("a",) * 995] == 995
    deeper = tmp_path / "deeper.yml"
    deeper.write_text("[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        policy_mod.read_yaml(deeper)
    assert caught.value.problems[0].startswith(f"{deeper}:1: YAML syntax error")
    complex_key = tmp_path / "key.yml"
    complex_key.write_text("? [a, b]\n: 1\nname: x\n", encoding="utf-8")
    with pytest.raises(ConfigError):                      # PyYAML cannot hash a list key: refused, not a crash
        policy_mod.read_yaml(complex_key)


# --- CSV encodings --------------------------------------------------------------------------------

def _reencode(folder: Path, target: Path, encoding: str) -> Path:
    target.mkdir()
    for path in folder.iterdir():
        (target / path.name).write_bytes(path.read_text(encoding="utf-8-sig").encode(encoding))
    return target


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
                                      "utf-8-sig", "gb18030"])
def test_csv_in_every_unicode_encoding_reads_like_utf8(tmp_path, encoding):
    sheets = copy.deepcopy(BASELINE)
    sheets["单位日报"][2][6] = "abc"        # one error, so that places are compared too
    folder = write_csv(tmp_path / "utf8", sheets)
    expected = jobs.check(folder, POLICIES, AS_OF)
    found = jobs.check(_reencode(folder, tmp_path / encoding, encoding), POLICIES, AS_OF)
    assert [(i.code, i.sheet, i.cell, i.value) for i in found.issues] == \
           [(i.code, i.sheet, i.cell, i.value) for i in expected.issues] and expected.issues
    assert {n: t.records() for n, t in found.tables.items()} == {n: t.records() for n, t in expected.tables.items()}


def test_a_csv_in_two_encodings_is_refused_with_the_line(tmp_path):
    folder = write_csv(tmp_path / "book", BASELINE)
    daily = folder / "单位日报.csv"
    daily.write_bytes(daily.read_bytes() + "2020-02-11,英语学院,2020-02-11 09:00,王老师,1,1,0,0,0,0,是,\n"
                      .encode("gb18030"))
    lines = len(daily.read_bytes().splitlines())
    with pytest.raises(SourceError) as caught:
        read_csv(daily)                 # the folder reads on: that sheet is unreadable, with this reason
    assert str(caught.value).startswith(f"{daily}:{lines}: UTF-8 up to this line, then neither UTF-8 nor GB18030")
    assert "Save it again as CSV UTF-8" in str(caught.value)
    code, out = cli("check", "--source", str(folder), "--policies", str(POLICIES), "--date", "2020-02-11")
    assert code in (1, 2) and "Traceback" not in out


def test_broken_utf16_is_refused_not_guessed(tmp_path):
    folder = write_csv(tmp_path / "book", BASELINE)
    daily = folder / "单位日报.csv"
    daily.write_bytes(daily.read_text(encoding="utf-8-sig").encode("utf-16") + b"\x00\xd8")    # a lone surrogate
    with pytest.raises(SourceError) as caught:
        read_csv(daily)
    assert "not UTF-16-LE text from this line on" in str(caught.value)


def test_a_missing_date_column_skips_the_checks_that_need_it(tmp_path):
    sheets = copy.deepcopy(BASELINE)
    sheets["隔离观察记录"] = [row[1:] for row in sheets["隔离观察记录"]]     # no 日期 column
    result = jobs.check(write_csv(tmp_path / "book", sheets), POLICIES, AS_OF)
    assert ("missing-column", "isolation_log") in {(i.code, i.sheet) for i in result.issues}
    assert "too-few-readings" not in {i.code for i in result.issues}


# --- dates at the ends of the calendar --------------------------------------------------------------

@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_a_date_outside_the_campus_range_is_refused_where_it_enters(tmp_path, day):
    source = write_csv(tmp_path / "book", BASELINE)
    code, out = cli("run", "--source", str(source), "--policies", str(POLICIES), "--out", str(tmp_path / "data"),
                    "--site", str(tmp_path / "site"), "--date", day)
    assert code == 2 and f"day {day}: outside the dates this campus accepts, 2000-01-01 to 2100-12-31" in out
    assert not (tmp_path / "data" / "summaries").exists()
    span = ["--from", "2020-02-11", "--to", day] if day > "2020" else ["--from", day, "--to", "2020-02-11"]
    code, out = cli("run", "--source", str(source), "--policies", str(POLICIES), "--out", str(tmp_path / "data"),
                    "--site", str(tmp_path / "site"), *span)
    assert code == 2 and f"day {day}: outside" in out
    assert cli("check", "--source", str(source), "--policies", str(POLICIES), "--date", day)[0] == 2
    assert cli("lint", "--policies", str(POLICIES), "--date", day)[0] == 2
    site_config(tmp_path)
    code, out = cli("build", "--policies", str(POLICIES), "--summaries", str(tmp_path / "none"), "--config",
                    str(tmp_path / "mkdocs.yml"), "--date", day)
    assert code == 2 and "outside the dates this campus accepts" in out


def test_cell_dates_outside_the_range_are_out_of_range_errors(tmp_path):
    sheets = copy.deepcopy(BASELINE)
    sheets["单位日报"][1][0] = "9999-12-31"
    sheets["隔离观察记录"][1][6] = "0001-01-01"           # isolation start: +14 days would overflow
    sheets["单位日报"][2][2] = "2101-01-01 09:00"
    result = jobs.check(write_csv(tmp_path / "book", sheets), POLICIES, AS_OF)
    found = {(i.code, i.sheet, i.cell) for i in result.issues if i.code == "out-of-range"}
    assert found == {("out-of-range", "unit_daily", "A2"), ("out-of-range", "isolation_log", "G2"),
                     ("out-of-range", "unit_daily", "C3")}
    outcome = jobs.run(write_csv(tmp_path / "book2", sheets), POLICIES, [AS_OF], tmp_path / "data", tmp_path / "site")
    assert outcome.days[0].errors >= 3


def test_a_notice_dated_outside_the_range_is_a_lint_problem_and_stops_the_build(policies):
    far = policies / "notices" / "2020-02-20-far.zh.md"
    far.write_text("---\ntitle: 远\ndate: 9999-12-31\naudience: [everyone]\nlanguage: zh\n---\n正文\n",
                   encoding="utf-8")
    never = policies / "notices" / "2020-02-21-never.zh.md"
    never.write_text("---\ntitle: 永远\ndate: 2020-02-21\nexpires: 9999-12-31\naudience: [everyone]\n"
                     "language: zh\n---\n正文\n", encoding="utf-8")
    code, out = cli("lint", "--policies", str(policies), "--date", "2020-02-11")
    assert code == 1
    assert f"{far}:3: date: 9999-12-31 is outside the dates this campus accepts, 2000-01-01 to 2100-12-31" in out
    assert f"{never}:4: expires: 9999-12-31 is outside the dates" in out
    with pytest.raises(ConfigError):
        site_render.render(policies, policies / "none", policies / "site", AS_OF)


def test_the_campus_date_range_is_checked_itself(policies):
    campus = policies / "campus.yml"
    campus.write_text(campus.read_text(encoding="utf-8").replace(
        "dates: {earliest: 2000-01-01, latest: 2100-12-31}", "dates: {earliest: 0001-01-01, latest: soon}"),
        encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        policy_mod.load(policies)
    assert any(p.startswith(f"{campus}:") and "dates.earliest: expected a date such as 2000-01-01" in p
               for p in caught.value.problems), caught.value.problems


# --- numbers that overflow, and summaries edited by hand -----------------------------------------

def test_huge_quantities_never_reach_the_public_json_as_infinity(tmp_path):
    sheets = copy.deepcopy(BASELINE)
    supplies = sheets["防疫物资台账"]
    supplies += [["2020-02-11", "医用口罩", "入库", "1e308", "校友捐赠", "x", "刘师傅"]] * 2
    sheets["单位日报"][2][4] = "1" + "0" * 400            # float() of this int would overflow
    result = jobs.check(write_csv(tmp_path / "book", sheets), POLICIES, AS_OF)
    far = {(i.sheet, i.cell) for i in result.issues if i.code == "out-of-range"}
    assert far >= {("unit_daily", "E3"), ("supplies", f"D{len(supplies)}"), ("supplies", f"D{len(supplies) - 1}")}
    jobs.run(write_csv(tmp_path / "book2", sheets), POLICIES, [AS_OF], tmp_path / "data", tmp_path / "site")
    for path in (tmp_path / "data").rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"), parse_constant=pytest.fail)     # no NaN, no Infinity
    assert not re.search(r"\binf\b", (tmp_path / "site" / "reports" / f"{AS_OF}.md").read_text(encoding="utf-8"))


def test_json_is_never_written_with_nan():
    from sync.publish.files import stable_json
    with pytest.raises(ValueError):
        stable_json({"stock": float("inf")})


@pytest.fixture(scope="module")
def summaries(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    jobs.run(write_csv(tmp / "book", BASELINE), POLICIES, [AS_OF], tmp / "data", tmp / "site")
    return tmp / "data" / "summaries"


def _hand_edit(summaries: Path, tmp_path: Path, edit, name: str = f"{AS_OF}.json") -> Path:
    folder = Path(shutil.copytree(summaries, tmp_path / "summaries"))
    path = folder / name
    body = json.loads((summaries / f"{AS_OF}.json").read_text(encoding="utf-8"))
    text = edit(body)
    path.write_text(text if isinstance(text, str) else json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("edit, message", [
    (lambda b: b["gate"].update(total="5"), "gate.total: input should be a valid integer"),
    (lambda b: b["students"]["by_province"].update(hubei="12"), "students.by_province.hubei: input should be a valid integer"),
    (lambda b: b["reporting"].update(rate=True), "reporting.rate: input should be a valid number"),
    (lambda b: json.dumps(b).replace('"schema_version": 1', '"schema_version": Infinity'),
     "not a summary: Infinity is not a number"),
    (lambda b: json.dumps(b).replace('"schema_version": 1', '"schema_version": NaN'), "not a summary: NaN is not a"),
    (lambda b: b.update(cutoff="9999-12-31T10:45:00+08:00"), "cutoff: 9999-12-31 is outside the dates"),
    (lambda b: b.update(date="2020-02-12"), "date: expected '2020-02-11', the file's name"),
    (lambda b: "[1, 2", "not a summary: Expecting"),
    (lambda b: "[]", "(top): input should be a valid dictionary"),
    (lambda b: json.dumps(b).replace('"schema_version": 1', '"schema_version": 1e999'),
     "schema_version: expected a finite number; got inf"),
    (lambda b: b["students"]["batches"][0].update(date="0001-01-01") if b["students"]["batches"] else None,
     "students.batches.0.date: 0001-01-01 is outside the dates"),
    (lambda b: "[" * 100_000 + "]" * 100_000, "not a summary: maximum recursion depth"),
])
def test_a_hand_edited_summary_is_refused_with_file_key_message(summaries, tmp_path, edit, message):
    path = _hand_edit(summaries, tmp_path, edit)
    with pytest.raises(ConfigError) as caught:
        site_render.render(POLICIES, path.parent, tmp_path / "site", AS_OF)
    assert any(p.startswith(f"{path}: ") and message in p for p in caught.value.problems), caught.value.problems
    assert not (tmp_path / "site").exists()                 # nothing rendered from it


def test_a_summary_for_year_9999_stops_build_and_run_with_exit_2(summaries, tmp_path):
    path = _hand_edit(summaries, tmp_path, lambda b: b.update(date="9999-12-31"), "9999-12-31.json")
    site_config(tmp_path)
    code, out = cli("build", "--policies", str(POLICIES), "--summaries", str(path.parent), "--config",
                    str(tmp_path / "mkdocs.yml"), "--date", str(AS_OF))
    assert code == 2 and f"{path}: date: 9999-12-31 is outside the dates this campus accepts" in out
    data = tmp_path / "data"
    shutil.copytree(path.parent, data / "summaries")
    code, out = cli("run", "--source", str(write_csv(tmp_path / "book", BASELINE)), "--policies", str(POLICIES),
                    "--out", str(data), "--site", str(tmp_path / "site"), "--date", str(AS_OF))
    assert code == 2 and "9999-12-31.json: date: 9999-12-31 is outside" in out


# --- debris of killed runs ---------------------------------------------------------------------------

def test_a_run_removes_the_temporary_files_killed_runs_left_and_nothing_else(tmp_path):
    data, site = tmp_path / "data", tmp_path / "site"
    debris = [data / "summaries" / f".{AS_OF}.json.k3j_x9a2.tmp", data / "private" / f".{AS_OF}.json.0abcdefg.tmp",
              data / "exports" / f".{AS_OF}.xlsx.zz_zz_zz.tmp", site / "reports" / ".index.md.a1b2c3d4.tmp"]
    kept = [data / "summaries" / "notes.tmp", data / "summaries" / ".keep", data / "private" / ".x.toolong123.tmp",
            data / "other" / f".{AS_OF}.json.k3j_x9a2.tmp"]
    for path in debris + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{half", encoding="utf-8")
    jobs.run(write_csv(tmp_path / "book", BASELINE), POLICIES, [AS_OF], data, site)
    assert [p for p in debris if p.exists()] == []
    assert all(p.exists() for p in kept)
    assert (data / "summaries" / f"{AS_OF}.json").is_file()
