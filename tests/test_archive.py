"""The archive: every sheet read, once per version; submitted_at from the first run that saw a row;
late edits; history after rows are deleted; what was published; a private file."""
from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3
import stat
import zoneinfo

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from click.testing import CliRunner

from conftest import BASELINE, POLICIES, ROOT, write_csv
from sync import policy as policy_mod
from sync.cli import main
from sync.store import facts
from sync.store.archive import Archive
from sync.store.rows import pack, sheet_rows, unpack
from sync.read import read_source
from sync.summarize import Digest
from sync.validate import validate

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2020, 2, 11)
HEADER = BASELINE["单位日报"][0]


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def daily(unit: str, submitted: str = "", day: str = "2020-02-11", students: str = "100") -> list[str]:
    return [day, unit, submitted, "王老师", students, "30", "0", "0", "0", "0", "是", ""]


@pytest.fixture
def policy():
    return policy_mod.load(POLICIES)


@pytest.fixture
def archive(tmp_path, policy):
    with Archive(tmp_path / "data" / "archive.sqlite", policy) as a:
        yield a


def read(tmp_path, policy, sheets, name="book"):
    workbook = read_source(write_csv(tmp_path / name, sheets))
    return workbook, validate(workbook, policy, DAY)


def record(archive, tmp_path, policy, sheets, now, name="book"):
    workbook, result = read(tmp_path, policy, sheets, name)
    return archive.record_read(workbook, result, now=now), result


def test_every_tab_is_stored_and_a_rerun_adds_no_version(tmp_path, policy, archive):
    sheets = copy.deepcopy(BASELINE)
    sheets["说明"] = [["说明"], ["每天十点前填报"]]
    first, _ = record(archive, tmp_path, policy, sheets, at(9))
    versions = archive.db.execute("SELECT count(*) FROM versions").fetchone()[0]
    assert versions == sum(len(rows) - 1 for rows in sheets.values())
    second, _ = record(archive, tmp_path, policy, sheets, at(9, 30))
    assert archive.db.execute("SELECT count(*) FROM versions").fetchone()[0] == versions
    assert set(second.rows) == {*(n for n, s in policy.sheets.items() if not s.optional), "tab:说明"}
    # The second run's read reconstructs every cell of the gate log as typed, in row order.
    ids, rows = archive.db.execute("SELECT version_ids, row_numbers FROM reads WHERE run_id = ? AND sheet = ?",
                                   (second.run_id, "gate_log")).fetchone()
    cells = {v["id"]: list(v["cells"].values()) for v in archive.listing("gate_log")}
    assert [cells[v] for v in unpack(ids).tolist()] == sheets["出入登记"][1:]
    assert unpack(rows).tolist() == [2, 3]


def test_row_keys_follow_the_primary_key_not_the_spelling(tmp_path, policy, archive):
    sheets = copy.deepcopy(BASELINE)
    one, _ = record(archive, tmp_path, policy, sheets, at(9))
    assert one.rows["unit_daily"].key_list() == ["2020-02-10|english", "2020-02-11|english", "2020-02-11|clinic"]
    assert all(k.startswith("#") for k in one.rows["gate_log"].key_list())      # no primaryKey: a content hash
    sheets["单位日报"][2][1] = "School of English"                               # same unit, other spelling
    sheets["单位日报"][2][4] = "125"
    two, _ = record(archive, tmp_path, policy, sheets, at(9, 30))
    assert two.rows["unit_daily"].key_list() == one.rows["unit_daily"].key_list()
    assert two.ids["unit_daily"][1] != one.ids["unit_daily"][1]      # a new version
    assert two.ids["unit_daily"][0] == one.ids["unit_daily"][0]


def test_blank_submitted_at_is_dated_by_the_first_run_that_saw_the_row(tmp_path, policy, archive):
    sheets = copy.deepcopy(BASELINE)
    sheets["单位日报"] = [HEADER, daily("英语学院")]
    reading, result = record(archive, tmp_path, policy, sheets, at(9, 10))
    times, filled = facts.submitted(archive, reading, result, policy)
    assert [(f["row"], f["timing"], f["submitted_at"]) for f in filled] == [(2, "on_time", "2020-02-11T09:10:00")]
    assert Digest(result, policy, facts.Facts(times, filled)).summary(DAY)["reporting"]["on_time"] == 1

    # Logistics appears at 10:30; the run before (09:10) was before the deadline: it may have been
    # typed at 09:59, so its time stays unknown.
    sheets["单位日报"].append(daily("后勤管理处"))
    reading, result = record(archive, tmp_path, policy, sheets, at(10, 30))
    times, filled = facts.submitted(archive, reading, result, policy)
    assert [(f["row"], f["timing"]) for f in filled] == [(2, "on_time")]
    # The clinic appears at 22:00 and the 10:30 run, after the deadline, did not see it: late for sure.
    # A row with its own submitted_at is never touched.
    sheets["单位日报"] += [daily("卫生所"), daily("保卫处", "2020-02-11 09:45")]
    reading, result = record(archive, tmp_path, policy, sheets, at(22))
    times, filled = facts.submitted(archive, reading, result, policy)
    assert [(f["row"], f["timing"], f["submitted_at"]) for f in filled] == [
        (2, "on_time", "2020-02-11T09:10:00"), (4, "late", "2020-02-11T22:00:00")]
    reporting = Digest(result, policy, facts.Facts(times, filled)).summary(DAY)["reporting"]
    assert (reporting["on_time"], reporting["late"], reporting["time_unknown"]) == (2, 1, 1)


def test_late_edit_is_detected_listed_privately_and_counted_publicly(tmp_path, policy):
    sheets = copy.deepcopy(BASELINE)
    sheets["单位日报"] = [HEADER, daily("英语学院", "2020-02-11 09:00"), daily("卫生所", "2020-02-11 09:05"),
                      daily("后勤管理处", "2020-02-10 09:00", day="2020-02-10")]
    book = write_csv(tmp_path / "book", sheets)
    args = ["run", "--source", str(book), "--policies", str(POLICIES), "--out", str(tmp_path / "data"),
            "--site", str(tmp_path / "site"), "--from", "2020-02-10", "--to", "2020-02-11"]
    assert CliRunner().invoke(main, args).exit_code == 0
    # After publication: the English row's count changes, the clinic's row is deleted, a new unit
    # reports (not an edit) and the 2020-02-10 row changes (another day).
    sheets["单位日报"] = [HEADER, daily("英语学院", "2020-02-11 09:00", students="90"),
                      daily("后勤管理处", "2020-02-10 09:00", day="2020-02-10", students="1"),
                      daily("保卫处", "2020-02-11 11:00")]
    write_csv(tmp_path / "book", sheets)
    out = CliRunner().invoke(main, args[:-4] + ["--date", "2020-02-11", "--force", "--reason", "rows deleted"])
    assert out.exit_code == 0, out.output
    summary = json.loads((tmp_path / "data/summaries/2020-02-11.json").read_text(encoding="utf-8"))
    assert summary["late_edits"] == {"count": 2, "by_sheet": {"unit_daily": 2}}
    private = json.loads((tmp_path / "data/private/2020-02-11.json").read_text(encoding="utf-8"))
    changed, removed = private["late_edits"]
    assert (changed["change"], changed["row"], changed["key"]) == ("changed", 2, "2020-02-11|english")
    assert changed["before"] == {"在校学生数": "100"} and changed["after"] == {"在校学生数": "90"}
    assert (removed["change"], removed["key"], removed["published_row"]) == ("removed", "2020-02-11|clinic", 3)
    assert removed["before"]["填报人"] == "王老师"                  # personal data stays in private detail
    assert "王老师" not in json.dumps(summary, ensure_ascii=False)


def test_history_keeps_rows_deleted_from_the_sheet(tmp_path, policy, archive):
    sheets = copy.deepcopy(BASELINE)
    record(archive, tmp_path, policy, sheets, at(9))
    del sheets["单位日报"][1]                       # 2020-02-10's row is deleted from the sheet
    record(archive, tmp_path, policy, sheets, at(22))
    history = archive.history("unit_daily")
    assert [(h["key"], h["present"]) for h in history] == [
        ("2020-02-10|english", False), ("2020-02-11|english", True), ("2020-02-11|clinic", True)]
    assert history[0]["cells"]["在校学生数"] == "120" and history[0]["day"] == "2020-02-10"


def test_published_summaries_force_reason_and_refused_runs_are_kept(tmp_path, policy):
    book = write_csv(tmp_path / "book", copy.deepcopy(BASELINE))
    args = ["run", "--source", str(book), "--policies", str(POLICIES), "--out", str(tmp_path / "data"),
            "--site", str(tmp_path / "site"), "--date", "2020-02-11"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert CliRunner().invoke(main, args + ["--force", "--reason", "测试 test"]).exit_code == 0
    with Archive(tmp_path / "data" / "archive.sqlite", policy) as archive:
        runs = archive.db.execute("SELECT kind, status, reason FROM runs ORDER BY id").fetchall()
        assert runs == [("run", "published", None), ("run", "published", "测试 test")]
        published = archive.published()
    assert published["2020-02-11"] == json.loads((tmp_path / "data/summaries/2020-02-11.json").read_text("utf-8"))


def test_archive_is_private_wal_and_git_ignored(tmp_path, policy, archive):
    record(archive, tmp_path, policy, copy.deepcopy(BASELINE), at(9))
    assert stat.S_IMODE(archive.path.stat().st_mode) == 0o600
    assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/data/archive*" in ignored and "/data/private/" in ignored
    # Another connection sees only committed runs, and the database checks out.
    other = sqlite3.connect(archive.path)
    assert other.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert other.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_archive_is_named_in_one_line_with_exit_2(tmp_path, damage):
    book = write_csv(tmp_path / "book", copy.deepcopy(BASELINE))
    args = ["run", "--source", str(book), "--policies", str(POLICIES), "--out", str(tmp_path / "data"),
            "--site", str(tmp_path / "site"), "--date", "2020-02-11"]
    assert CliRunner().invoke(main, args).exit_code == 0
    path = tmp_path / "data" / "archive.sqlite"
    if damage == "garbage":
        path.write_bytes(b"PK\x03\x04 this is a zip, not an archive" * 100)
    else:
        path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2])
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output and str(path) in out.output and "damaged" in out.output
    assert len(out.output.strip().splitlines()) == 1


def test_digest_without_facts_keeps_the_validators_result_as_read(tmp_path, policy, archive):
    sheets = copy.deepcopy(BASELINE)
    sheets["单位日报"] = [HEADER, daily("英语学院")]
    reading, result = record(archive, tmp_path, policy, sheets, at(9, 10))
    times, filled = facts.submitted(archive, reading, result, policy)
    assert times and Digest(result, policy, facts.Facts(times, filled)).summary(DAY)["reporting"]["on_time"] == 1
    # The archive's times went to that Digest only: the Result still reads the cell as blank.
    assert Digest(result, policy).summary(DAY)["reporting"]["time_unknown"] == 1
    assert result.tables["unit_daily"].columns["submitted_at"].row_values() == [None]


def test_an_appended_column_or_a_moved_row_stores_no_new_version(tmp_path, policy, archive):
    sheets = copy.deepcopy(BASELINE)
    sheets["出入登记"].append(list(sheets["出入登记"][1]))            # the same gate entry twice: one version
    first, _ = record(archive, tmp_path, policy, sheets, at(9))
    versions = archive.db.execute("SELECT count(*) FROM versions").fetchone()[0]
    assert first.ids["gate_log"][0] == first.ids["gate_log"][2]
    sheets["出入登记"] = [r + [""] for r in sheets["出入登记"]]          # an empty column appended
    sheets["出入登记"][0][-1] = "备用"
    sheets["单位日报"][1:] = sheets["单位日报"][1:][::-1]                  # rows sorted the other way
    second, _ = record(archive, tmp_path, policy, sheets, at(9, 30))
    assert archive.db.execute("SELECT count(*) FROM versions").fetchone()[0] == versions
    assert second.ids["unit_daily"].tolist() == first.ids["unit_daily"].tolist()[::-1]
    sheets["出入登记"][2][1] = sheets["出入登记"][2][1] + " "             # a cell's text changes, by a space
    third, _ = record(archive, tmp_path, policy, sheets, at(10))
    assert archive.db.execute("SELECT count(*) FROM versions").fetchone()[0] == versions + 1
    assert third.ids["gate_log"][1] not in first.ids["gate_log"]


def test_an_archive_of_the_old_format_is_refused_not_mixed(tmp_path):
    path = tmp_path / "data" / "archive.sqlite"
    path.parent.mkdir()
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE versions(id INTEGER PRIMARY KEY, sheet TEXT NOT NULL, key TEXT, hash BLOB NOT NULL, "
                "day TEXT, header_id INTEGER NOT NULL, cells TEXT NOT NULL, first_run INTEGER NOT NULL)")
    old.commit()
    old.close()
    book = write_csv(tmp_path / "book", copy.deepcopy(BASELINE))
    out = CliRunner().invoke(main, ["run", "--source", str(book), "--policies", str(POLICIES), "--out",
                                    str(tmp_path / "data"), "--site", str(tmp_path / "site"), "--date", "2020-02-11"])
    assert out.exit_code == 2 and "older Campus Desk" in out.output and str(path) in out.output, out.output
    assert not (tmp_path / "data" / "summaries").exists()


def cut(row: list[str]) -> list[str]:
    """A row's cells as stored: trailing blank cells cut."""
    while row and not row[-1].strip():
        row = row[:-1]
    return row


def test_a_first_read_is_stored_in_blocks_and_later_versions_row_by_row(tmp_path, policy, archive, monkeypatch):
    monkeypatch.setattr("sync.store.blocks.BLOCK", 2)           # blocks of two versions: the daily roster's 3 rows in 2
    sheets = copy.deepcopy(BASELINE)
    first, _ = record(archive, tmp_path, policy, sheets, at(9))
    blocks = archive.db.execute("SELECT sheet, n FROM blocks WHERE sheet = 'unit_daily' ORDER BY first_id").fetchall()
    assert blocks == [("unit_daily", 2), ("unit_daily", 1)]
    assert archive.db.execute("SELECT count(*) FROM row_versions").fetchone()[0] == 0
    sheets["单位日报"][2][4] = "125"                                  # one row changes: one row version
    second, _ = record(archive, tmp_path, policy, sheets, at(9, 30))
    assert archive.db.execute("SELECT count(*) FROM row_versions").fetchone()[0] == 1
    ids = second.ids["unit_daily"]
    assert ids[0] == first.ids["unit_daily"][0] and ids[2] == first.ids["unit_daily"][2] and ids[1] > max(first.ids["gate_log"])
    stored = archive.versions(np.concatenate([first.ids["unit_daily"], ids[1:2]]))
    assert [stored[int(v)][0] for v in first.ids["unit_daily"]] == ["2020-02-10|english", "2020-02-11|english",
                                                                    "2020-02-11|clinic"]
    assert stored[int(ids[1])][1:] == ("2020-02-11", cut(sheets["单位日报"][2]))
    # The versions view lists both kinds in plain SQL, from a connection of its own, a row version's cells
    # too; the listing (python -m sync versions) reads the blocks' cells as well.
    other = sqlite3.connect(archive.path)
    view = other.execute("SELECT id, key, day, cells, stored FROM versions WHERE sheet = 'unit_daily' ORDER BY id").fetchall()
    assert [(k, d, c and json.loads(c), s) for _, k, d, c, s in view] == [
        (None, None, None, "block"), (None, None, None, "block"), (None, None, None, "block"),
        ("2020-02-11|english", "2020-02-11", cut(sheets["单位日报"][2]), "row")]
    listed = archive.listing("unit_daily")
    assert [v["id"] for v in listed] == [i for i, *_ in view]
    assert [(v["key"], v["day"], cut(list(v["cells"].values()))) for v in listed] == [
        ("2020-02-10|english", "2020-02-10", cut(BASELINE["单位日报"][1])), ("2020-02-11|english", "2020-02-11",
         cut(BASELINE["单位日报"][2])), ("2020-02-11|clinic", "2020-02-11", cut(BASELINE["单位日报"][3])),
        ("2020-02-11|english", "2020-02-11", cut(sheets["单位日报"][2]))]
    # The row changes back: its first version again, from its block, nothing stored.
    third, _ = record(archive, tmp_path, policy, copy.deepcopy(BASELINE), at(10))
    assert third.ids["unit_daily"].tolist() == first.ids["unit_daily"].tolist()
    assert archive.db.execute("SELECT count(*) FROM versions").fetchone()[0] == len(view) + sum(
        len(rows) - 1 for name, rows in BASELINE.items() if name != "单位日报")


def test_a_tab_read_again_unchanged_keeps_its_hashes_and_a_changed_one_is_hashed_anew(tmp_path, policy):
    workbook, result = read(tmp_path, policy, copy.deepcopy(BASELINE))
    hashed = sheet_rows(workbook, result)
    again = sheet_rows(workbook, result, {s: (r.digest, r.hashes.tobytes()) for s, r in hashed.items()})
    assert all((again[s].hashes == r.hashes).all() for s, r in hashed.items())
    # The digest stands for the hashes: stored ones under the same digest are taken as they are ...
    marked = {s: (r.digest, np.full_like(r.hashes, 7).tobytes()) for s, r in hashed.items()}
    assert (sheet_rows(workbook, result, marked)["gate_log"].hashes == 7).all()
    # ... and a cell changed by a space is another digest: hashed anew, and another row.
    sheets = copy.deepcopy(BASELINE)
    sheets["出入登记"][2][1] += " "
    workbook, result = read(tmp_path, policy, sheets, "changed")
    changed = sheet_rows(workbook, result, marked)
    assert changed["gate_log"].digest != hashed["gate_log"].digest
    assert (changed["gate_log"].hashes[0] == hashed["gate_log"].hashes[0]).all()
    assert not (changed["gate_log"].hashes[1] == hashed["gate_log"].hashes[1]).all()
    assert (changed["unit_daily"].hashes == 7).all()                 # the other tabs did not change


FORMAT_2 = """
CREATE TABLE runs(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, read_at TEXT NOT NULL, source TEXT, status TEXT NOT NULL,
    reason TEXT, overrode TEXT);
CREATE TABLE headers(id INTEGER PRIMARY KEY, cells TEXT NOT NULL UNIQUE);
CREATE TABLE versions(id INTEGER PRIMARY KEY, sheet TEXT NOT NULL, key TEXT, h1 INTEGER NOT NULL, h2 INTEGER NOT NULL,
    day TEXT, header_id INTEGER NOT NULL, cells TEXT NOT NULL, first_run INTEGER NOT NULL);
CREATE INDEX versions_key ON versions(sheet, key) WHERE key IS NOT NULL;
CREATE INDEX versions_hash ON versions(h1);
CREATE TABLE reads(run_id INTEGER NOT NULL, sheet TEXT NOT NULL, tab TEXT, source TEXT, header_id INTEGER NOT NULL,
    n_rows INTEGER NOT NULL, version_ids BLOB NOT NULL, row_numbers BLOB NOT NULL, PRIMARY KEY(run_id, sheet));
CREATE TABLE latest(sheet TEXT PRIMARY KEY, run_id INTEGER NOT NULL, hashes BLOB NOT NULL);
CREATE TABLE publications(run_id INTEGER NOT NULL, day TEXT NOT NULL, summary TEXT NOT NULL, PRIMARY KEY(run_id, day));
CREATE TABLE sends(day TEXT NOT NULL, unit TEXT NOT NULL, channel TEXT NOT NULL, run_id INTEGER, sent_at TEXT NOT NULL,
    PRIMARY KEY(day, unit, channel));
PRAGMA user_version = 2;
"""


def test_an_archive_of_format_2_is_carried_over_with_nothing_lost(tmp_path, policy):
    # A format-2 archive (every version one row of `versions`) of one run that read the baseline.
    workbook, result = read(tmp_path, policy, copy.deepcopy(BASELINE))
    path = tmp_path / "data" / "archive.sqlite"
    path.parent.mkdir()
    old = sqlite3.connect(path)
    old.executescript(FORMAT_2)
    old.execute("INSERT INTO runs VALUES (1, 'run', ?, 'book', 'published', NULL, NULL)", (at(9).isoformat(),))
    vid = 0
    for header_id, rows in enumerate(sheet_rows(workbook, result).values(), 1):
        old.execute("INSERT INTO headers VALUES (?, ?)", (header_id, json.dumps(rows.header, ensure_ascii=False)))
        ids = list(range(vid + 1, vid + 1 + len(rows)))
        vid += len(rows)
        days = [dt.date.fromordinal(d).isoformat() if d > 0 else None for d in rows.days.tolist()] \
            if rows.days is not None else [None] * len(rows)
        keys = rows.keys.to_pylist() if rows.keys is not None else [None] * len(rows)
        old.executemany("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)", [
            (i, rows.sheet, k, int(h[0]), int(h[1]), d, header_id, c) for i, k, h, d, c in
            zip(ids, keys, rows.hashes.view(np.int64).tolist(), days, rows.cells(np.arange(len(rows))))])
        old.execute("INSERT INTO reads VALUES (1, ?, ?, 'book', ?, ?, ?, ?)",
                    (rows.sheet, rows.tab, header_id, len(rows), pack(ids), pack(rows.rows)))
        old.execute("INSERT INTO latest VALUES (?, 1, ?)", (rows.sheet, rows.hashes.tobytes()))
    old.commit()
    old.close()
    with Archive(path, policy) as archive:
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == 4
        assert archive.db.execute("SELECT count(*) FROM versions").fetchone()[0] == vid
        assert [(h["key"], h["day"]) for h in archive.history("unit_daily")] == [
            ("2020-02-10|english", "2020-02-10"), ("2020-02-11|english", "2020-02-11"), ("2020-02-11|clinic", "2020-02-11")]
        # The same sheets read again: every row found among the versions carried over, none stored anew.
        again, _ = record(archive, tmp_path, policy, copy.deepcopy(BASELINE), at(10))
        assert archive.db.execute("SELECT count(*) FROM versions").fetchone()[0] == vid
        assert sorted(i for ids in again.ids.values() for i in ids.tolist()) == list(range(1, vid + 1))
        # A new row gets the next id.
        sheets = copy.deepcopy(BASELINE)
        sheets["单位日报"].append(daily("后勤管理处"))
        third, _ = record(archive, tmp_path, policy, sheets, at(11))
        assert third.ids["unit_daily"][-1] == vid + 1


def test_sigkill_during_a_new_archives_first_write_leaves_it_empty_and_the_next_run_completes(tmp_path):
    # A new archive's first write goes through SQLite's rollback journal (then WAL): killed inside it (late:
    # the demo's first read is about 165 progress calls of 10 steps, all blocks),
    # the archive is as its schema left it, and the next run stores everything.
    import subprocess
    import sys
    from test_crash import DEMO, ENV, PAUSING, archive_state, kill, wait_for
    out = tmp_path / "data"
    args = ["run", "--policies", str(POLICIES), "--out", str(out), "--site", str(tmp_path / "site"),
            "--date", "2020-02-11", "--source", str(DEMO), "--force", "--reason", "first"]
    marker = tmp_path / "paused"
    proc = subprocess.Popen([sys.executable, "-c", PAUSING, *args], cwd=ROOT, text=True,
                            env={**ENV, "PAUSE_IN": "1", "PAUSE_AFTER": "120", "MARKER": str(marker)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(marker.exists, proc)
    finally:
        kill(proc)
    assert (out / "archive.sqlite-journal").exists()           # killed inside the journalled write
    assert archive_state(out / "archive.sqlite") == ([], 0, 0)
    rerun = subprocess.run([sys.executable, "-m", "sync", *args], cwd=ROOT, env=ENV, capture_output=True, text=True)
    assert rerun.returncode in (0, 1), rerun.stderr
    runs, stored, publications = archive_state(out / "archive.sqlite")
    assert runs == [(1, "published")] and stored > 0 and publications == 1
    db = sqlite3.connect(out / "archive.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_cells_with_quotes_backslashes_and_control_characters_come_back_as_typed(tmp_path, policy, archive):
    sheets = _odd_gate_rows(copy.deepcopy(BASELINE))        # each gate as typed (an error, kept as typed)
    reading, _ = record(archive, tmp_path, policy, sheets, at(9))
    ids = reading.ids["gate_log"]
    stored = archive.versions(ids)
    listed = {v["id"]: list(v["cells"].values()) for v in archive.listing("gate_log")}
    for k, row in enumerate(sheets["出入登记"][1:]):
        assert stored[int(ids[k])][2] == cut(row) == cut(listed[int(ids[k])])
    # The odd rows read again with another temperature: later versions, each stored row by row as JSON.
    for row in sheets["出入登记"][3:]:
        row[5] = "37.0"
    again, _ = record(archive, tmp_path, policy, sheets, at(10))
    new = again.ids["gate_log"][2:]
    assert archive.db.execute("SELECT count(*) FROM row_versions").fetchone()[0] == len(new)
    stored = archive.versions(new)
    for k, row in enumerate(sheets["出入登记"][3:]):
        assert stored[int(new[k])][2] == cut(row)


def _odd_gate_rows(sheets: dict) -> dict:
    """The baseline's gate log with rows whose gate is quoted, a path, two lines, a tab, a bell or blank."""
    for k, text in enumerate(['他说"好"', "C:\\temp\\", "两行\n文字", "tab\there", "bell\x07", "   "]):
        row = list(sheets["出入登记"][1])
        row[1] = text
        row[-1] = "" if k % 2 else row[-1]                      # some rows end in a blank cell
        sheets["出入登记"].append(row)
    return sheets


def test_an_archive_of_format_3_is_carried_over_with_nothing_lost(tmp_path, policy):
    # tests/archives/format-3.sqlite was written by Campus Desk at b28426a (blocks as JSON texts): two
    # runs, the baseline with _odd_gate_rows at 9:00, then one daily report changed (a row version).
    import shutil
    path = tmp_path / "data" / "archive.sqlite"
    path.parent.mkdir()
    shutil.copyfile(ROOT / "tests" / "archives" / "format-3.sqlite", path)
    old = sqlite3.connect(path)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 3
    before = {i: (k, d, json.loads(c)) for i, k, d, c in old.execute("SELECT id, key, day, cells FROM versions")}
    old.close()
    assert len(before) == sum(len(rows) - 1 for rows in BASELINE.values()) + 6 + 1
    with Archive(path, policy) as archive:
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == 4
        after = archive.versions(np.array(sorted(before)))
        assert {i: (k if not k.startswith("#") else None, d, c) for i, (k, d, c) in after.items()} == before
        assert archive.db.execute("SELECT count(*) FROM versions").fetchone()[0] == len(before)
        # The same sheets read again: every row found among the versions carried over, none stored anew.
        sheets = _odd_gate_rows(copy.deepcopy(BASELINE))
        sheets["单位日报"][2][4] = "125"
        again, _ = record(archive, tmp_path, policy, sheets, at(10))
        assert sorted({i for ids in again.ids.values() for i in ids.tolist()}) == sorted(
            i for i in before if i != min(i for i, v in before.items() if v[0] == "2020-02-11|english"))
        assert archive.db.execute("SELECT count(*) FROM versions").fetchone()[0] == len(before)


def test_the_versions_verb_prints_every_version_blocks_included_and_names_a_missing_archive(tmp_path, policy, archive):
    sheets = copy.deepcopy(BASELINE)
    record(archive, tmp_path, policy, sheets, at(9))
    sheets["单位日报"][2][4] = "125"
    record(archive, tmp_path, policy, sheets, at(9, 30))
    out = str(archive.path.parent)
    result = CliRunner().invoke(main, ["versions", "--out", out, "--sheet", "unit_daily", "--policies", str(POLICIES)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(v["key"], v["first_run"], v["cells"]["在校学生数"]) for v in lines] == [
        ("2020-02-10|english", 1, BASELINE["单位日报"][1][4]), ("2020-02-11|english", 1, BASELINE["单位日报"][2][4]),
        ("2020-02-11|clinic", 1, BASELINE["单位日报"][3][4]), ("2020-02-11|english", 2, "125")]
    every = CliRunner().invoke(main, ["versions", "--out", out, "--policies", str(POLICIES)])
    assert len(every.output.splitlines()) == archive.db.execute("SELECT count(*) FROM versions").fetchone()[0]
    missing = CliRunner().invoke(main, ["versions", "--out", str(tmp_path / "nowhere"), "--policies", str(POLICIES)])
    assert missing.exit_code == 2 and str(tmp_path / "nowhere" / "archive.sqlite") in missing.output
    assert not (tmp_path / "nowhere").exists()


def test_digests_and_cell_sums_made_before_validation_give_the_hashes_made_after(tmp_path, policy):
    from sync.store.rows import prepare
    sheets = copy.deepcopy(BASELINE)
    sheets["出入登记"].insert(2, [""] * len(sheets["出入登记"][0]))     # a blank row: not a row of the archive
    sheets["单位日报"].insert(0, ["各单位每日防疫情况汇总"] + [""] * (len(HEADER) - 1))   # a title above the header
    workbook, result = read(tmp_path, policy, sheets)
    assert result.tables["unit_daily"].raw not in workbook.tables      # the validator's own tab, below the title
    inline = sheet_rows(workbook, result)
    ahead = sheet_rows(workbook, result, prepared=prepare(workbook))
    assert len(inline["gate_log"]) == len(BASELINE["出入登记"]) - 1 and len(inline["unit_daily"]) == 3
    assert inline.keys() == ahead.keys()
    assert all((inline[s].hashes == ahead[s].hashes).all() for s in inline)
    # A tab whose cells are as at the newest read is left unhashed beforehand, and keeps its hashes.
    known = {s: (r.digest, r.hashes.tobytes()) for s, r in inline.items()}
    skipped = prepare(workbook, {r.cells_digest for r in inline.values()})
    gate = next(raw for raw in workbook.tables if raw.title == "出入登记")
    assert skipped[id(gate)][1] is None
    again = sheet_rows(workbook, result, known, skipped)
    assert all((inline[s].hashes == again[s].hashes).all() for s in inline)


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6) | st.sampled_from(
    ["", " ", "\t", '"', "\\", "\n", "\x00", "\x1f", "零"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_TEXT, min_size=1, max_size=4), min_size=1, max_size=8))
def test_a_rows_cells_come_back_as_typed_from_a_block_and_as_json(rows):
    from sync.read.table import RawTable, Workbook
    from sync.store import blocks
    from sync.validate import Result
    raw = RawTable.from_rows("notes", "notes.csv", [["a", "b", "c", "d"], *rows])
    found = sheet_rows(Workbook("notes.csv", [raw]), Result("notes.csv", DAY, {}, []))["tab:notes"]
    assert found.columns is None
    width = len(raw.columns)
    expected = [cut(row + [""] * (width - len(row))) for row in rows if any(t.strip() for t in row)]
    at = np.arange(len(found))
    assert [json.loads(text) for text in found.cells(at)] == expected
    assert [cells for _, _, cells in blocks.decode(found.block(at))] == expected
    # the same from the columns made before validation (taken when every row is filled)
    from sync.store.rows import block_columns
    workbook = Workbook("notes.csv", [raw])
    laid_out = block_columns(workbook)
    early = sheet_rows(workbook, Result("notes.csv", DAY, {}, []), columns=lambda: laid_out)["tab:notes"]
    assert early.columns is not None and early.columns() is laid_out[id(raw)]
    assert [cells for _, _, cells in blocks.decode(early.block(at))] == expected


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(-2**62, 2**62), max_size=40))
def test_packed_integers_come_back_and_an_older_archives_packing_still_reads(values):
    import zlib
    assert unpack(pack(values)).tolist() == values
    older = zlib.compress(np.diff(np.asarray(values, dtype=np.int64), prepend=0).tobytes(), 6)   # format 3
    assert unpack(older).tolist() == values
