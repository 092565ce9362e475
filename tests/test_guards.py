"""Guards: stale beats wrong. A run that lost rows, changed a header or drowns in errors publishes
nothing, exits 3 and says why; --force --reason publishes and the reason is archived."""
from __future__ import annotations

import copy
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import BASELINE, POLICIES, write_csv
from sync import policy as policy_mod
from sync.cli import main
from sync.errors import ConfigError
from test_summarize import campus_sheets

UNITS = ["党政办公室", "后勤管理处", "保卫处", "人事处", "教务处", "研究生处", "学生处", "国际交流处", "卫生所", "图书馆"]


def ten_reports() -> dict:
    sheets = copy.deepcopy(BASELINE)
    sheets["单位日报"] = [sheets["单位日报"][0]] + [
        ["2020-02-11", unit, "2020-02-11 09:00", "王老师", "10", "3", "0", "0", "0", "0", "是", ""] for unit in UNITS]
    return sheets


def run(tmp_path: Path, sheets: dict, *extra: str, policies: Path = POLICIES):
    book = write_csv(tmp_path / "book", sheets)
    for stale in set((tmp_path / "book").glob("*.csv")) - {tmp_path / "book" / f"{t}.csv" for t in sheets}:
        stale.unlink()
    return CliRunner().invoke(main, ["run", "--source", str(book), "--policies", str(policies), "--out",
                                     str(tmp_path / "data"), "--site", str(tmp_path / "site"), "--date",
                                     "2020-02-11", *extra])


def published(tmp_path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((tmp_path / "data").rglob("*.json"))} | \
        {p.name: p.read_bytes() for p in sorted((tmp_path / "site").rglob("*.md"))}


def runs(tmp_path: Path) -> list[tuple]:
    db = sqlite3.connect(tmp_path / "data" / "archive.sqlite")
    return db.execute("SELECT status, reason, overrode FROM runs ORDER BY id").fetchall()


def test_a_30_percent_row_loss_is_refused_until_forced(tmp_path):
    sheets = ten_reports()
    assert run(tmp_path, sheets).exit_code == 0
    good = published(tmp_path)
    del sheets["单位日报"][1:4]                                    # 3 of 10 reports gone
    out = run(tmp_path, sheets)
    assert out.exit_code == 3, out.output
    assert "refused to publish" in out.output and "3 of 10 rows (30%)" in out.output and "unit_daily" in out.output
    assert published(tmp_path) == good                           # the last good outputs stand
    # A refused run is no baseline: the same sheet is refused again.
    assert run(tmp_path, sheets).exit_code == 3
    out = run(tmp_path, sheets, "--force", "--reason", "三个单位的行被误删，已通知 / rows deleted by mistake")
    assert out.exit_code == 0, out.output
    summary = json.loads((tmp_path / "data/summaries/2020-02-11.json").read_text(encoding="utf-8"))
    assert summary["reporting"]["reported"] == 7
    status, reason, overrode = runs(tmp_path)[-1]
    assert (status, reason) == ("published", "三个单位的行被误删，已通知 / rows deleted by mistake")
    assert "3 of 10 rows (30%)" in json.loads(overrode)[0]
    assert [r[0] for r in runs(tmp_path)] == ["published", "refused", "refused", "published"]
    # The forced run is the new baseline.
    assert run(tmp_path, sheets).exit_code == 0


def test_a_small_loss_passes(tmp_path):
    sheets = ten_reports()
    assert run(tmp_path, sheets).exit_code == 0
    del sheets["单位日报"][5]                                      # 10%: below the 20% limit
    assert run(tmp_path, sheets).exit_code == 0


def test_a_changed_header_is_refused_but_a_title_row_is_not(tmp_path):
    sheets = ten_reports()
    assert run(tmp_path, sheets).exit_code == 0
    titled = copy.deepcopy(sheets)
    titled["单位日报"].insert(0, ["英语学院疫情日报"] + [""] * 11)      # the header moves down a row: same header
    assert run(tmp_path, titled).exit_code == 0
    renamed = copy.deepcopy(sheets)
    renamed["单位日报"][0][11] = "Notes"                          # still the same field, but the header changed
    out = run(tmp_path, renamed)
    assert out.exit_code == 3 and "header row changed" in out.output and "removed ['备注']" in out.output, out.output


def test_too_many_errors_are_refused(tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    campus = policies / "campus.yml"
    campus.write_text(campus.read_text(encoding="utf-8").replace("max_errors: 100", "max_errors: 5"), encoding="utf-8")
    out = run(tmp_path, campus_sheets(), policies=policies)
    assert out.exit_code == 3 and "2020-02-11: 7 errors, more than the limit of 5" in out.output, out.output
    assert not (tmp_path / "data" / "summaries").exists()
    assert run(tmp_path, campus_sheets(), "--force", "--reason", "known", policies=policies).exit_code == 1


def test_a_missing_tab_is_shown_as_unavailable_not_refused(tmp_path):
    sheets = ten_reports()
    assert run(tmp_path, sheets).exit_code == 0
    del sheets["出入登记"]
    out = run(tmp_path, sheets)
    assert out.exit_code == 1, out.output                          # partial, as without the archive
    summary = json.loads((tmp_path / "data/summaries/2020-02-11.json").read_text(encoding="utf-8"))
    assert summary["unavailable"] == ["gate_log"]


@pytest.mark.parametrize("extra", [["--force"], ["--reason", "why"]])
def test_force_and_reason_go_together(tmp_path, extra):
    assert run(tmp_path, ten_reports(), *extra).exit_code == 2


def test_guard_settings_are_checked_with_file_and_line(tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    campus = policies / "campus.yml"
    campus.write_text(campus.read_text(encoding="utf-8").replace("max_row_loss: 0.2", "max_row_loss: 20")
                      .replace("max_errors: 100", "max_errors: 100\n  max_warnings: 3"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        policy_mod.load(policies)
    lines = campus.read_text(encoding="utf-8").splitlines()
    loss = next(i for i, line in enumerate(lines, 1) if "max_row_loss" in line)
    expected = f"{campus}:{loss}: guards.max_row_loss: expected a share between 0 and 1, e.g. 0.2; got 20"
    assert expected in caught.value.problems
    assert any(p.startswith(f"{campus}:{loss + 2}: guards.max_warnings: unknown key") for p in caught.value.problems)
