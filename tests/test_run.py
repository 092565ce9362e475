"""`python -m sync run`: exit codes, what it writes where, stale outputs, and no personal data in public.

Public here means everything outside data/private: the summaries, the pages and the upward
exports (they go to the province, so they carry no personal data either).
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from conftest import BASELINE, POLICIES, ROOT, write_csv
from sync import jobs
from sync import policy as policy_mod
from sync.cli import main
from conftest import campus_sheets

DEMO = ROOT / "examples" / "demo.xlsx"


def invoke(tmp_path: Path, sheets: dict | None, *args: str, source: Path | None = None):
    if source is None:
        source = write_csv(tmp_path / "book", sheets)
    base = ["run", "--source", str(source), "--policies", str(POLICIES), "--out", str(tmp_path / "data"),
            "--site", str(tmp_path / "site")]
    return CliRunner().invoke(main, base + list(args))


def public_texts(tmp_path: Path) -> dict[Path, str]:
    files = {}
    for path in sorted((tmp_path / "data" / "summaries").glob("*.json")) + \
            sorted((tmp_path / "site" / "reports").glob("*.md")) + sorted((tmp_path / "data" / "exports").glob("*.csv")):
        files[path] = path.read_text(encoding="utf-8-sig")
    for path in sorted((tmp_path / "data" / "exports").glob("*.xlsx")):
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        files[path] = "\n".join("\t".join(str(c) for c in row) for row in rows)
    return files


def pii_values(source: Path, as_of: dt.date, min_length: int = 1) -> set[str]:
    """Every text typed into a personal-data column of the source, as the schemas mark them, less
    the texts of columns the schemas publish on purpose (a duty roster's names: `public: true`)."""
    result = jobs.check(source, POLICIES, as_of)
    values, published = set(), set()
    for table in result.tables.values():
        for names, into in ((table.sheet.pii_fields, values), (table.sheet.public_fields, published)):
            for name in names:
                into |= {t.strip() for t in table.columns[name].texts if len(t.strip()) >= min_length}
    # a short name inside a published one (廖超 in 廖超悦) is no leak either
    values = {v for v in values - published if not any(v in p for p in published)}
    assert values, "the scan must have personal values to look for"
    return values


def test_run_writes_every_output_and_exits_1_on_errors(tmp_path):
    out = invoke(tmp_path, campus_sheets(), "--date", "2020-02-11")
    assert out.exit_code == 1, out.output
    assert "2020-02-11  不完整 partial  填报 reported 6/15 (40.0%)  错误 errors 7  警告 warnings 2" in out.output
    for rel in ("data/summaries/2020-02-11.json", "data/summaries/latest.json", "data/private/2020-02-11.json",
                "data/exports/2020-02-11.csv", "data/exports/2020-02-11.xlsx", "site/reports/2020-02-11.md",
                "site/reports/index.md"):
        assert (tmp_path / rel).is_file(), rel
    summary = json.loads((tmp_path / "data/summaries/2020-02-11.json").read_text(encoding="utf-8"))
    assert summary["status"] == "partial" and summary["reporting"]["reported"] == 6
    assert stat.S_IMODE((tmp_path / "data/private/2020-02-11.json").stat().st_mode) == 0o600
    assert not list(tmp_path.rglob("*.tmp"))


def test_clean_day_exits_0(tmp_path):
    out = invoke(tmp_path, copy.deepcopy(BASELINE), "--date", "2020-02-11")
    assert out.exit_code == 0, out.output
    assert "2020-02-11  完整 complete  填报 reported 2/15 (13.3%)" in out.output


def test_default_day_is_today_in_the_campus_time_zone(tmp_path):
    today = policy_mod.load(POLICIES).today().isoformat()
    out = invoke(tmp_path, copy.deepcopy(BASELINE))
    assert out.output.startswith(f"{today}  ")
    assert (tmp_path / "data" / "summaries" / f"{today}.json").is_file()


@pytest.mark.parametrize("args", [
    ["--date", "2020-02-11", "--from", "2020-02-10", "--to", "2020-02-11"],
    ["--from", "2020-02-10"],
    ["--from", "2020-02-12", "--to", "2020-02-11"],
    ["--date", "2020-02-30"],
    ["--date", "2020-02-11", "--policies", "no-such-folder"],
])
def test_usage_and_configuration_errors_exit_2(tmp_path, args):
    out = invoke(tmp_path, copy.deepcopy(BASELINE), *args)
    assert out.exit_code == 2, out.output
    assert not (tmp_path / "data").exists()


def test_missing_source_and_private_inside_site_exit_2(tmp_path):
    assert invoke(tmp_path, None, "--date", "2020-02-11", source=tmp_path / "nowhere.xlsx").exit_code == 2
    source = write_csv(tmp_path / "book", copy.deepcopy(BASELINE))
    out = CliRunner().invoke(main, ["run", "--source", str(source), "--policies", str(POLICIES), "--date",
                                    "2020-02-11", "--site", str(tmp_path / "site"), "--out",
                                    str(tmp_path / "site" / "data")])
    assert out.exit_code == 2 and "private" in out.output
    assert not (tmp_path / "site" / "data").exists()


def test_missing_sheet_gives_null_sections_and_no_stale_export(tmp_path):
    assert invoke(tmp_path, campus_sheets(), "--date", "2020-02-11").exit_code == 1
    assert (tmp_path / "data/exports/2020-02-11.csv").exists()
    sheets = campus_sheets()
    del sheets["单位日报"], sheets["出入登记"]
    out = invoke(tmp_path, None, "--date", "2020-02-11", source=write_csv(tmp_path / "book2", sheets))
    assert out.exit_code == 1
    assert "2020-02-11  不完整 partial  填报 reported —" in out.output
    summary = json.loads((tmp_path / "data/summaries/2020-02-11.json").read_text(encoding="utf-8"))
    assert summary["unavailable"] == ["gate_log", "unit_daily"] and summary["status"] == "partial"
    assert summary["reporting"] is None and summary["units"] is None and summary["gate"] is None
    assert summary["cutoff"] is None and summary["students"]["total"] == 4
    # The export from the first run would be stale: it is gone, not left standing.
    assert not (tmp_path / "data/exports/2020-02-11.csv").exists()
    assert not (tmp_path / "data/exports/2020-02-11.xlsx").exists()


def outputs(tmp_path: Path) -> dict[Path, bytes]:
    """Every file a run writes, less the archive and the run lock (issue 6): the archive records each run."""
    return {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and "book" not in p.parts
            and not p.name.startswith(("archive.sqlite", "run.lock"))}


def test_rerun_is_byte_identical_and_latest_is_the_newest_day(tmp_path):
    invoke(tmp_path, campus_sheets(), "--from", "2020-02-10", "--to", "2020-02-11")
    first = outputs(tmp_path)
    invoke(tmp_path, campus_sheets(), "--from", "2020-02-10", "--to", "2020-02-11")
    assert first == outputs(tmp_path)
    invoke(tmp_path, campus_sheets(), "--date", "2020-02-09")        # a backfill of an older day
    latest = json.loads((tmp_path / "data/summaries/latest.json").read_text(encoding="utf-8"))
    assert latest["date"] == "2020-02-11"
    index = (tmp_path / "site/reports/index.md").read_text(encoding="utf-8")
    assert index.index("2020-02-11") < index.index("2020-02-10") < index.index("2020-02-09")


def test_no_personal_data_in_public_outputs(tmp_path):
    source = write_csv(tmp_path / "book", campus_sheets())
    invoke(tmp_path, None, "--from", "2020-02-05", "--to", "2020-02-11", source=source)
    values = pii_values(source, dt.date(2020, 2, 11))
    assert {"钱老师", "夜班汇报", "0192010001", "13800000009", "T005", "咳嗽", "刘师傅"} <= values
    public = public_texts(tmp_path)
    assert len(public) == 7 * 4 + 2                 # json, md, csv, xlsx a day; latest.json, index.md
    leaks = {(path.name, v) for path, text in public.items() for v in values if v in text}
    assert leaks == set()
    # The scan can fail: the private detail names the same people.
    private = (tmp_path / "data/private/2020-02-11.json").read_text(encoding="utf-8")
    assert "郑老师" in private and "访客甲" in private and "13800000009" in private


def test_no_personal_data_in_public_outputs_of_the_demo(tmp_path):
    invoke(tmp_path, None, "--from", "2020-02-10", "--to", "2020-02-23", source=DEMO)
    values = pii_values(DEMO, dt.date(2020, 2, 23), min_length=2)
    assert len(values) > 500
    public = public_texts(tmp_path)
    leaks = {(path.name, v) for path, text in public.items() for v in values if v in text}
    assert leaks == set()


# -- a re-run of the same inputs (issue 15): nothing summarized, nothing written ---------------------

def _states(tmp_path: Path) -> dict[Path, tuple]:
    """Every output's bytes, inode, mtime and mode: a rewrite (a new file renamed over the old) changes the inode."""
    found = {}
    for p in outputs(tmp_path):
        if "policies" in p.parts:
            continue
        s = p.stat()
        found[p] = (p.read_bytes(), s.st_ino, s.st_mtime_ns, stat.S_IMODE(s.st_mode))
    return found


def _archived(tmp_path: Path, query: str) -> list[tuple]:
    import sqlite3
    db = sqlite3.connect(tmp_path / "data" / "archive.sqlite")
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def _statuses(tmp_path: Path) -> list[str]:
    return [s for (s,) in _archived(tmp_path, "SELECT status FROM runs ORDER BY id")]


RANGE = ("--from", "2020-02-10", "--to", "2020-02-11")


def test_a_rerun_of_the_same_inputs_writes_nothing_and_says_so(tmp_path):
    first = invoke(tmp_path, campus_sheets(), *RANGE)
    assert first.exit_code == 1, first.output
    before = _states(tmp_path)
    again = invoke(tmp_path, campus_sheets(), *RANGE)              # the sheets written anew, the same cells
    assert again.exit_code == first.exit_code
    said = again.output.splitlines()
    assert said[-1].startswith("未变 unchanged") and "run 1" in said[-1]
    assert said[:-1] == first.output.splitlines()                 # the same lines, from what run 1 recorded
    assert _states(tmp_path) == before                            # not one file rewritten
    assert _statuses(tmp_path) == ["published", "unchanged"]
    third = invoke(tmp_path, campus_sheets(), *RANGE)             # still the inputs of run 1, the newest published
    assert third.exit_code == 1 and "run 1" in third.output and _states(tmp_path) == before


def _reads(tmp_path: Path) -> tuple[list, list]:
    return (_archived(tmp_path, "SELECT run_id, sheet, tab, source, header_id, n_rows, version_ids, row_numbers "
                                "FROM reads ORDER BY run_id, sheet"),
            _archived(tmp_path, "SELECT sheet, run_id FROM latest ORDER BY sheet"))


def test_a_rerun_of_the_same_files_is_found_before_reading_and_stored_as_a_reread(tmp_path):
    book = write_csv(tmp_path / "book", campus_sheets())
    days = [dt.date(2020, 2, 10), dt.date(2020, 2, 11)]
    run = dict(source=book, policies=POLICIES, days=days, out=tmp_path / "data", site=tmp_path / "site")
    first = jobs.run(**run)
    again = jobs.run(**run)
    # neither read nor validated: what the source held is what run 1 found in it
    assert again.result is None and again.unchanged == 1
    assert again.source_issues == first.source_issues == (len(first.result.errors),
                                                          len(first.result.issues) - len(first.result.errors))
    assert [(d.date, d.status, d.reporting, d.errors, d.warnings) for d in again.days] == \
        [(d.date, d.status, d.reporting, d.errors, d.warnings) for d in first.days]
    reads, latest = _reads(tmp_path)
    assert [r[1:] for r in reads if r[0] == 2] == [r[1:] for r in reads if r[0] == 1]   # stored as a re-read
    assert {run_id for _, run_id in latest} == {2}
    # The same cells in other bytes (the line ends of another writer): read, and found the same then.
    for path in book.glob("*.csv"):
        data = path.read_bytes()
        path.write_bytes(data.replace(b"\r\n", b"\n") if b"\r\n" in data else data.replace(b"\n", b"\r\n"))
    third = jobs.run(**run)
    assert third.result is not None and third.unchanged == 1
    assert third.source_issues == first.source_issues
    assert _statuses(tmp_path) == ["published", "unchanged", "unchanged"]
    # still run 1's inputs, but not its bytes: read every time, never taken for run 1 on sight
    assert jobs.run(**run).result is not None


def test_a_source_saved_added_to_or_emptied_while_read_keeps_no_key_before_reading(tmp_path):
    from sync.publish import unchanged
    book = write_csv(tmp_path / "book", campus_sheets())
    args = dict(source=book, policies=POLICIES, days=[dt.date(2020, 2, 11)], force_reason=None,
                folders=[tmp_path / "data"], signoffs=None)
    ahead = unchanged.ahead(**args)
    assert ahead is not None and ahead.still() and unchanged.ahead(**args) == ahead
    path = book / "单位日报.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    assert not ahead.still() and unchanged.ahead(**args).key != ahead.key
    ahead = unchanged.ahead(**args)
    (book / "new.csv").write_text("a\n", encoding="utf-8")
    assert not ahead.still()
    ahead = unchanged.ahead(**args)
    (book / "new.csv").unlink()
    assert not ahead.still()
    assert unchanged.ahead(**{**args, "source": tmp_path / "nowhere.xlsx"}) is None


def test_a_run_in_between_that_read_something_else_makes_the_next_one_read(tmp_path):
    book = write_csv(tmp_path / "book", campus_sheets())
    run = dict(source=book, policies=POLICIES, days=[dt.date(2020, 2, 11)], out=tmp_path / "data",
               site=tmp_path / "site")
    jobs.run(**run)
    shorter = campus_sheets()
    shorter["单位日报"] = shorter["单位日报"][:2]                       # most of a sheet's rows gone: refused
    write_csv(tmp_path / "other", shorter)
    from sync.publish import guards
    with pytest.raises(guards.Refused):
        jobs.run(**{**run, "source": tmp_path / "other"})
    again = jobs.run(**run)
    assert again.result is not None and again.unchanged == 1         # read, and found run 1's inputs
    assert _statuses(tmp_path) == ["published", "refused", "unchanged"]
    assert jobs.run(**run).result is not None                        # the refused run is still in between


def _cell(tmp_path: Path) -> None:
    sheets = campus_sheets()
    sheets["单位日报"][1][4] = "121"                               # a new row version
    write_csv(tmp_path / "book", sheets)


def _policy(tmp_path: Path) -> None:
    campus = tmp_path / "policies" / "campus.yml"
    campus.write_text(campus.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")


def _deleted(tmp_path: Path) -> None:
    (tmp_path / "data" / "exports" / "2020-02-11.xlsx").unlink()


def _edited(tmp_path: Path) -> None:
    page = tmp_path / "site" / "reports" / "2020-02-11.md"
    page.write_text(page.read_text(encoding="utf-8").replace("2020", "2021"), encoding="utf-8")


def _opened(tmp_path: Path) -> None:
    (tmp_path / "data" / "private" / "2020-02-10.json").chmod(0o644)


def _summary_of_another_day(tmp_path: Path) -> None:
    summaries = tmp_path / "data" / "summaries"
    body = json.loads((summaries / "2020-02-10.json").read_text(encoding="utf-8"))
    (summaries / "2020-02-09.json").write_text(json.dumps({**body, "date": "2020-02-09"}), encoding="utf-8")


@pytest.mark.parametrize("change", [_cell, _policy, _deleted, _edited, _opened, _summary_of_another_day],
                         ids=["a-changed-cell", "a-changed-policies-file", "a-deleted-output", "a-hand-edited-output",
                              "a-private-file-opened", "a-summary-added-by-hand"])
def test_anything_changed_runs_in_full_and_puts_the_files_right(tmp_path, change):
    import shutil
    shutil.copytree(POLICIES, tmp_path / "policies")
    args = ["--policies", str(tmp_path / "policies"), *RANGE]
    assert invoke(tmp_path, campus_sheets(), *args).exit_code == 1
    good = {p: b for p, (b, *_) in _states(tmp_path).items()}
    settled_before = _states(tmp_path)[tmp_path / "data/summaries/2020-02-11.json"]
    change(tmp_path)
    out = invoke(tmp_path, None, *args, source=tmp_path / "book")
    assert out.exit_code == 1 and "未变 unchanged" not in out.output, out.output
    assert _statuses(tmp_path) == ["published", "published"]
    now = _states(tmp_path)
    assert all(now[p][3] == 0o600 for p in now if "private" in p.parts)
    if change is _cell:
        day = tmp_path / "data/summaries/2020-02-10.json"
        assert now[day][0] != good[day]                              # the day's figures follow the cell
    elif change is _summary_of_another_day:
        assert "2020-02-09" in (tmp_path / "site/reports/index.md").read_text(encoding="utf-8")
    else:
        assert {p: b for p, (b, *_) in now.items()} == good         # restored as a full run writes them
    if change is _policy:                                            # the same bytes, but written again
        assert now[tmp_path / "data/summaries/2020-02-11.json"][1] != settled_before[1]
    # and the run after it, with nothing changed, writes nothing
    settled = _states(tmp_path)
    assert "未变 unchanged" in invoke(tmp_path, None, *args, source=tmp_path / "book").output
    assert _states(tmp_path) == settled


def test_a_version_stored_by_another_read_since_runs_in_full(tmp_path):
    """Back to the cells of the last published run, but a read in between stored new versions (a
    remind saw an edit, since undone): what the archive knows may differ, so the run is made in full."""
    from sync.store import recorded
    assert invoke(tmp_path, campus_sheets(), *RANGE).exit_code == 1
    edited = campus_sheets()
    edited["单位日报"][1][4] = "121"
    policy = policy_mod.load(POLICIES)
    with recorded(write_csv(tmp_path / "edited", edited), policy, tmp_path / "data", "remind",
                  dt.date(2020, 2, 11)) as step:
        step.archive.finish(step.reading, "done")
    out = invoke(tmp_path, campus_sheets(), *RANGE)
    assert out.exit_code == 1 and "未变 unchanged" not in out.output
    assert _statuses(tmp_path) == ["published", "done", "published"]


def test_with_sign_off_the_states_printed_are_those_recorded(tmp_path):
    """Signed, then the same again (published as signed: a full run, the archive now holds the
    sign-off), then the same again: written by nobody, and said as the run before said it."""
    import shutil
    from conftest import write_xlsx
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    campus = policies / "campus.yml"
    campus.write_text(campus.read_text(encoding="utf-8") + "signoff: required\n", encoding="utf-8")
    sheets = copy.deepcopy(BASELINE)
    sheets["签发"] = [["日期", "签发人", "签发时间", "备注", "放行待核实数值"],
                    ["2020-02-11", "李主任", "2020-02-11 11:00", "", "否"]]
    source = write_xlsx(tmp_path / "book.xlsx", sheets)
    said = [invoke(tmp_path, None, "--policies", str(policies), "--date", "2020-02-11", source=source)
            for _ in range(3)]
    assert "已签发并发布 signed and published" in said[0].output and "未变 unchanged" not in said[0].output
    assert "已签发 signed, unchanged" in said[1].output
    assert "未变 unchanged" not in said[1].output and said[2].output.splitlines()[:-1] == said[1].output.splitlines()
    assert said[2].output.splitlines()[-1].startswith("未变 unchanged")
    assert _statuses(tmp_path) == ["published", "published", "unchanged"]


def test_a_google_source_always_runs_in_full(tmp_path):
    """It writes each department's mistakes back to its spreadsheet: never skipped."""
    import yaml
    from fake_sheets import FakeSheets
    from test_gsheets import BOOKS, FAST, TEXT_HEADERS
    with FakeSheets() as fake:
        sheets = copy.deepcopy(BASELINE)
        for key, (name, tabs) in BOOKS.items():
            fake.add(key, name, {t: sheets[t] for t in tabs.values()}, TEXT_HEADERS)
        config = tmp_path / "google.yml"
        config.write_text(yaml.safe_dump({"endpoint": fake.endpoint, "credentials": "none", "network": FAST, "spreadsheets": [
            {"name": n, "key": k, "tabs": dict(t)} for k, (n, t) in BOOKS.items()]}, allow_unicode=True), encoding="utf-8")
        for _ in range(2):
            outcome = jobs.run(config, POLICIES, [dt.date(2020, 2, 11)], tmp_path / "data", tmp_path / "site")
            assert outcome.unchanged is None and outcome.written_back and all(o.ok for o in outcome.written_back)
    assert _statuses(tmp_path) == ["published", "published"]


def test_an_archive_without_the_outputs_table_is_carried_over(tmp_path):
    """A format-3 archive written before run keys: the table is added on open, the next run runs in full
    and keeps its key, the one after it writes nothing."""
    import sqlite3
    assert invoke(tmp_path, copy.deepcopy(BASELINE), "--date", "2020-02-11").exit_code == 0
    db = sqlite3.connect(tmp_path / "data" / "archive.sqlite")
    db.execute("DROP TABLE outputs")
    db.commit()
    db.close()
    assert "未变 unchanged" not in invoke(tmp_path, copy.deepcopy(BASELINE), "--date", "2020-02-11").output
    assert "未变 unchanged" in invoke(tmp_path, copy.deepcopy(BASELINE), "--date", "2020-02-11").output
    assert _statuses(tmp_path) == ["published", "published", "unchanged"]


def test_the_code_in_the_run_key_includes_the_page_templates():
    from sync.publish import unchanged
    from sync.render import report
    assert unchanged.TEMPLATES == report.TEMPLATES and any(report.TEMPLATES.glob("*.j2"))


def test_a_build_in_between_is_no_change(tmp_path):
    """`build` rewrites the day pages of site/reports (kept out of the search index): the next run still
    finds its files as it left them."""
    from sync.publish import unchanged
    from sync.render import site
    assert invoke(tmp_path, campus_sheets(), *RANGE).exit_code == 1
    page = (tmp_path / "site/reports/2020-02-11.md").read_bytes()
    site.render(POLICIES, tmp_path / "data/summaries", tmp_path / "site", dt.date(2020, 2, 11))
    assert (tmp_path / "site/reports/2020-02-11.md").read_bytes() == unchanged.as_built(page) != page
    assert "未变 unchanged" in invoke(tmp_path, campus_sheets(), *RANGE).output


def test_a_record_it_cannot_read_runs_in_full(tmp_path):
    import sqlite3
    assert invoke(tmp_path, copy.deepcopy(BASELINE), "--date", "2020-02-11").exit_code == 0
    db = sqlite3.connect(tmp_path / "data" / "archive.sqlite")
    db.execute("""UPDATE outputs SET record = '{"files": 1, "days": [{}]}'""")
    db.commit()
    db.close()
    out = invoke(tmp_path, copy.deepcopy(BASELINE), "--date", "2020-02-11")
    assert out.exit_code == 0 and "未变 unchanged" not in out.output, out.output
    assert _statuses(tmp_path) == ["published", "published"]


def test_a_published_summary_lost_or_edited_by_hand_is_put_back_from_the_archive(tmp_path):
    """The site's trends and open data read data/summaries/: each day there is the archive's record of
    what was published, so a 3 typed over as 30, or a day's file lost, is put back by the next run."""
    assert invoke(tmp_path, campus_sheets(), *RANGE).exit_code == 1
    day = tmp_path / "data/summaries/2020-02-10.json"
    page = tmp_path / "site/reports/2020-02-10.md"
    good, good_page = day.read_bytes(), page.read_bytes()
    edited = json.loads(good)
    edited["units"]["isolated"] = edited["units"]["isolated"] * 10 + 1
    day.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    page.unlink()
    out = invoke(tmp_path, campus_sheets(), "--date", "2020-02-11")
    assert out.exit_code == 1 and f"restored from the archive: {day}" in out.stderr
    assert day.read_bytes() == good and page.read_bytes() == good_page
    day.unlink()
    out = invoke(tmp_path, campus_sheets(), "--date", "2020-02-11")
    assert f"restored from the archive: {day}" in out.stderr and day.read_bytes() == good
    assert "2020-02-10" in (tmp_path / "site/reports/index.md").read_text(encoding="utf-8")
    # with every day as published, nothing is put back and nothing said of it
    out = invoke(tmp_path, campus_sheets(), "--date", "2020-02-11")
    assert "restored" not in out.output and day.read_bytes() == good


def test_the_private_trend_is_the_days_as_published_not_as_read_again(tmp_path):
    """A unit's report of the 10th deleted from the sheet afterwards: the 11th's detail still shows
    the 10th as it was published (from the archive), while the sheet now has no report that day."""
    assert invoke(tmp_path, campus_sheets(), *RANGE).exit_code == 1
    published = json.loads((tmp_path / "data/summaries/2020-02-10.json").read_text(encoding="utf-8"))
    sheets = campus_sheets()
    sheets["单位日报"] = [row for row in sheets["单位日报"] if "2020-02-10" not in row]
    assert len(sheets["单位日报"]) < len(campus_sheets()["单位日报"])
    invoke(tmp_path, sheets, "--date", "2020-02-11", "--force", "--reason", "测试 test")
    detail = json.loads((tmp_path / "data/private/2020-02-11.json").read_text(encoding="utf-8"))
    tenth = next(d for d in detail["trend"] if d["date"] == "2020-02-10")
    assert tenth["rate"] == published["reporting"]["rate"] and tenth["rate"] > 0
