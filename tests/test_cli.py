"""The CLI as a user runs it: a real process, its exit codes, its output."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import POLICIES, ROOT, write_csv

ISSUE_KEYS = {"code", "severity", "sheet", "row", "column", "cell", "value", "message"}


def sync(*args, cwd=ROOT):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sync", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=120)


def test_every_verb_has_help():
    top = sync("--help")
    assert top.returncode == 0
    verbs = [line.split()[0] for line in top.stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert "check" in verbs and "schema" in verbs
    for verb in verbs:
        out = sync(verb, "--help")
        assert out.returncode == 0 and "Usage:" in out.stdout, verb
    assert sync("schema", "export", "--help").returncode == 0


def test_the_process_ends_with_its_exit_code_and_all_its_output_but_no_finalization(sheets, tmp_path):
    """sync.cli.entry ends the process with os._exit once stdout and stderr are flushed (Arrow's
    thread pool can abort the interpreter's finalization): nothing registered with atexit runs, and
    the output and the exit code are whole."""
    book = write_csv(tmp_path / "book", sheets)
    script = ("import atexit, sys; atexit.register(print, 'FINALIZED'); from sync.cli import entry; "
              "sys.argv = ['sync', *sys.argv[1:]]; entry()")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ran = subprocess.run([sys.executable, "-c", script, "read", "--source", str(book), "--sheet", "值班表",
                          "--format", "csv"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert ran.returncode == 0 and "FINALIZED" not in ran.stdout + ran.stderr
    assert ran.stdout == sync("read", "--source", str(book), "--sheet", "值班表", "--format", "csv").stdout != ""
    usage = subprocess.run([sys.executable, "-c", script, "read"], capture_output=True, text=True, cwd=ROOT,
                           env=env, timeout=120)
    assert usage.returncode == 2 and "--source" in usage.stderr and "FINALIZED" not in usage.stderr


def test_clean_source_exits_0(sheets, tmp_path):
    out = sync("check", "--source", str(write_csv(tmp_path / "book", sheets)), "--date", "2020-02-11")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No problems found" in out.stdout


def test_errors_exit_1_with_text_grouped_by_sheet(sheets, tmp_path):
    sheets["出入登记"][1][5] = "38.5"
    sheets["单位日报"][2][6] = "abc"
    out = sync("check", "--source", str(write_csv(tmp_path / "book", sheets)), "--date", "2020-02-11")
    assert out.returncode == 1
    assert "出入登记!H2" in out.stdout and "fever-admitted" in out.stdout
    assert "单位日报!G3" in out.stdout and "type-error" in out.stdout
    assert out.stdout.index("出入登记 Gate log") < out.stdout.index("单位日报 Unit daily report")


def test_warnings_only_exit_0_and_json_shape(sheets, tmp_path):
    sheets["隔离观察记录"][1][7] = "365"
    out = sync("check", "--source", str(write_csv(tmp_path / "book", sheets)), "--date", "2020-02-11",
               "--format", "json")
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert set(body) == {"issues", "counts"}
    issue = body["issues"][0]
    assert ISSUE_KEYS <= set(issue)
    assert (issue["code"], issue["severity"], issue["cell"], issue["value"]) == ("decimal-slip", "warning", "H2", "365")
    assert set(issue["message"]) == {"zh", "en"}
    assert body["counts"]["errors"] == 0 and body["counts"]["warnings"] == 1


@pytest.mark.parametrize("args, needle", [
    (["check", "--source", "/no/such/book.xlsx"], "no such file"),
    (["check", "--source", "pyproject.toml"], "expected an .xlsx workbook"),
    (["check", "--source", "tests", "--date", "yesterday"], "is not a date"),
    (["check"], "Missing option '--source'"),
])
def test_usage_problems_exit_2_without_traceback(args, needle):
    out = sync(*args)
    assert out.returncode == 2
    assert needle in out.stderr and "Traceback" not in out.stderr


def test_unreadable_workbook_exits_2(tmp_path):
    bad = tmp_path / "book.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a workbook")
    out = sync("check", "--source", str(bad))
    assert out.returncode == 2 and "not an .xlsx workbook, or it is damaged" in out.stderr and "Traceback" not in out.stderr


def test_broken_schema_exits_2_listing_every_problem(sheets, tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    gate = policies / "sheets" / "gate_log.yml"
    gate.write_text(gate.read_text(encoding="utf-8").replace("type: boolean", "type: bool"), encoding="utf-8")
    out = sync("check", "--source", str(write_csv(tmp_path / "book", sheets)), "--policies", str(policies))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 2 and all("gate_log.yml:" in line and "got 'bool'" in line for line in lines)


def test_schema_export_writes_table_schema(tmp_path):
    out = sync("schema", "export", str(tmp_path / "schemas"))
    assert out.returncode == 0, out.stderr
    gate = json.loads((tmp_path / "schemas" / "gate_log.schema.json").read_text(encoding="utf-8"))
    names = [f["name"] for f in gate["fields"]]
    assert names[:3] == ["时间", "校门", "人员类别"]
    kinds = {f["x-id"]: f for f in gate["fields"]}
    assert kinds["gate"]["constraints"]["enum"] == sorted(["east", "东门", "East Gate", "west", "西门", "West Gate",
                                                           "south", "南门", "South Gate"])
    assert kinds["temperature"]["type"] == "number" and kinds["temperature"]["constraints"]["maximum"] == 43.0
    assert kinds["admitted"]["type"] == "boolean" and "是" in kinds["admitted"]["trueValues"]
    assert kinds["name"]["x-pii"] is True
    roster = json.loads((tmp_path / "schemas" / "student_roster.schema.json").read_text(encoding="utf-8"))
    assert roster["primaryKey"] == ["学号"]


def test_verbs_that_read_no_data_import_no_numpy_or_pyarrow(tmp_path):
    # main, not the module: python -m sync ends with os._exit (sync.cli.entry), before a print after it
    code = ("import sys\nsys.argv = ['sync', *sys.argv[1:]]\nfrom sync.cli import main\ntry:\n    main()\n"
            "except SystemExit:\n    pass\nprint(sorted(m for m in ('numpy', 'pyarrow') if m in sys.modules), file=sys.stderr)")
    for args in (["--help"], ["run", "--help"], ["check", "--help"], ["lint"],
                 ["schema", "export", "--out", str(tmp_path / "export")],
                 ["schema", "policies", str(tmp_path / "policies")]):
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
        assert out.stderr.strip().splitlines()[-1] == "[]", (args, out.stderr)
