"""Sign-off before publishing (campus.yml `signoff: required`): an unsigned day publishes nothing new
and says so; a row in the sign-off sheet (.xlsx or Google) publishes it; a late edit after sign-off
is held; release held publishes held values marked as confirmed; every sign-off is archived."""
from __future__ import annotations

import copy
import datetime as dt
import json
import shutil

import pytest
import yaml

from conftest import AS_OF, BASELINE, POLICIES, write_xlsx
from sync import jobs
from sync import policy as policy_mod
from sync.errors import ConfigError
from sync.store import Archive
from sync.store.office import Office
from sync.render import home

HEADER = ["日期", "签发人", "签发时间", "备注", "放行待核实数值"]
DAY = AS_OF.isoformat()


@pytest.fixture
def policies(tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    campus = root / "campus.yml"
    campus.write_text(campus.read_text(encoding="utf-8") + "signoff: required\n", encoding="utf-8")
    return root


def _sheets(*signoffs, isolated="2"):
    sheets = copy.deepcopy(BASELINE)
    sheets["单位日报"][3][9] = isolated         # 卫生所 on 2020-02-11
    sheets["签发"] = [HEADER, *signoffs]
    return sheets


def _run(tmp_path, policies, sheets):
    source = write_xlsx(tmp_path / "book.xlsx", sheets)
    jobs.run(source, policies, [AS_OF], tmp_path / "data", tmp_path / "site")
    path = tmp_path / "data" / "summaries" / f"{DAY}.json"
    private = json.loads((tmp_path / "data" / "private" / f"{DAY}.json").read_text(encoding="utf-8"))
    awaiting = json.loads((tmp_path / "data" / "summaries" / "awaiting.json").read_text(encoding="utf-8"))
    return (json.loads(path.read_text(encoding="utf-8")) if path.exists() else None), private, awaiting["dates"]


def test_off_by_default_the_demo_needs_no_sign_off():
    assert policy_mod.load(POLICIES).signoff_required is False
    assert policy_mod.load(POLICIES).sheets["signoff"].optional


def test_an_unsigned_day_publishes_nothing_new_and_says_so(tmp_path, policies):
    public, private, awaiting = _run(tmp_path, policies, _sheets())
    assert public is None and awaiting == [DAY]
    assert not (tmp_path / "site" / "reports" / f"{DAY}.md").exists()
    assert not (tmp_path / "data" / "exports" / f"{DAY}.csv").exists()
    note = private["signoff"]
    assert note["state"] == "unsigned" and note["draft"]["units"]["isolated"] == 2
    assert note["message"]["en"] == "Today's figures await the office's sign-off"
    days = home.Days([], [])
    days.awaiting = awaiting
    assert "await the office's sign-off" in home.home(days, _board(), {"zh": "", "en": ""}, AS_OF, "en")
    assert "待防控办签发" in home.home(days, _board(), {"zh": "", "en": ""}, AS_OF)


def _board():
    from sync.render import site
    from sync.render.board import Board
    content = site.load(POLICIES)
    return Board([], content.audiences, content.policy.lists["units"], AS_OF)


def test_the_public_side_keeps_the_last_signed_day_with_a_clear_line(tmp_path, policies):
    signed = ["2020-02-10", "李主任", "2020-02-11 08:00", "", "否"]
    source = write_xlsx(tmp_path / "book.xlsx", _sheets(signed))
    jobs.run(source, policies, [dt.date(2020, 2, 10), AS_OF], tmp_path / "data", tmp_path / "site")
    summaries = tmp_path / "data" / "summaries"
    assert json.loads((summaries / "latest.json").read_text(encoding="utf-8"))["date"] == "2020-02-10"
    from sync.render import site
    docs = tmp_path / "docs"
    site.render(policies, summaries, docs, AS_OF)
    page = (docs / "index.md").read_text(encoding="utf-8")
    assert "今日数据待防控办签发" in page and DAY in page
    english = (docs / "en" / "index.md").read_text(encoding="utf-8")
    assert "Today's figures await the office's sign-off" in english


def test_signing_publishes_and_a_late_edit_is_held_until_signed_again(tmp_path, policies):
    signed = [DAY, "李主任", "2020-02-11 11:00", "已核对", "否"]
    public, private, awaiting = _run(tmp_path, policies, _sheets(signed))
    assert public["units"]["isolated"] == 2 and public["signoff"]["state"] == "signed" and awaiting == []
    assert (tmp_path / "data" / "exports" / f"{DAY}.csv").exists()
    published = (tmp_path / "data" / "summaries" / f"{DAY}.json").read_bytes()
    # The clinic edits its report after the sign-off: what was signed stays published, byte for byte.
    public, private, awaiting = _run(tmp_path, policies, _sheets(signed, isolated="5"))
    assert (tmp_path / "data" / "summaries" / f"{DAY}.json").read_bytes() == published
    assert private["signoff"]["state"] == "late-edit" and private["signoff"]["draft"]["units"]["isolated"] == 5
    assert "signs the day again" in private["signoff"]["message"]["en"] and awaiting == [DAY]
    assert any(e["sheet"] == "unit_daily" and e["change"] == "changed" for e in private["late_edits"])
    # Signed again: the edit is published.
    again = [DAY, "李主任", "2020-02-11 15:00", "复核", "否"]
    public, private, awaiting = _run(tmp_path, policies, _sheets(signed, again, isolated="5"))
    assert public["units"]["isolated"] == 5 and awaiting == []
    with Archive(tmp_path / "data" / "archive.sqlite", policy_mod.load(policies)) as archive:
        kept = Office(archive).signoffs()
    assert [(s["date"], s["signed_at"], s["signed_by"]) for s in kept] == [
        (DAY, "2020-02-11T11:00:00", "李主任"), (DAY, "2020-02-11T15:00:00", "李主任")]
    assert kept[0]["published"]["units"]["isolated"] == 2 and kept[1]["draft"]["units"]["isolated"] == 5


def test_release_held_publishes_held_values_marked_confirmed(tmp_path, policies):
    sheets = _sheets()
    sheets["隔离观察记录"][2][7] = "375"                     # decimal-slip: held
    public, private, _ = _run(tmp_path, policies, sheets)
    assert public is None and private["signoff"]["draft"]["isolation"]["fever_readings"] is None
    sheets["签发"].append([DAY, "李主任", "2020-02-11 11:00", "电话核实", "否"])
    public, _, _ = _run(tmp_path, policies, sheets)
    assert public["isolation"]["fever_readings"] is None and "confirmed" not in public   # signed, still held
    sheets["签发"].append([DAY, "李主任", "2020-02-11 12:00", "电话核实为37.5", "是"])
    public, _, _ = _run(tmp_path, policies, sheets)
    assert public["held"] == {} and public["confirmed"]["isolation"]["fever_readings"]["en"] == "confirmed by the office"
    page = (tmp_path / "site" / "reports" / f"{DAY}.md").read_text(encoding="utf-8")
    assert "经防控办确认" in page


def test_signing_through_the_google_sheets_api(tmp_path, policies):
    from fake_sheets import FakeSheets
    from test_gsheets import BOOKS, FAST, OFFICE, TEXT_HEADERS
    with FakeSheets() as fake:
        sheets = _sheets()
        for key, (name, tabs) in BOOKS.items():
            fake.add(key, name, {t: sheets[t] for t in tabs.values()}, TEXT_HEADERS)
        fake.add(OFFICE, "防控办 Office", {"签发": [HEADER]}, TEXT_HEADERS)
        entries = [{"name": n, "key": k, "tabs": dict(t)} for k, (n, t) in BOOKS.items()]
        entries.append({"name": "防控办 Office", "key": OFFICE, "role": "office", "tabs": {"signoff": "签发"}})
        config = tmp_path / "google.yml"
        config.write_text(yaml.safe_dump({"endpoint": fake.endpoint, "credentials": "none", "network": FAST,
                                          "spreadsheets": entries}, allow_unicode=True), encoding="utf-8")
        out = tmp_path / "data"
        jobs.run(config, policies, [AS_OF], out, tmp_path / "site")
        assert not (out / "summaries" / f"{DAY}.json").exists()
        fake.add(OFFICE, "防控办 Office", {"签发": [HEADER, [DAY, "李主任", "2020-02-11 11:00", "", "否"]]},
                 TEXT_HEADERS)
        jobs.run(config, policies, [AS_OF], out, tmp_path / "site")
        public = json.loads((out / "summaries" / f"{DAY}.json").read_text(encoding="utf-8"))
        assert public["signoff"]["state"] == "signed" and public["units"]["isolated"] == 2


def test_signoff_setting_is_checked_by_lint(tmp_path, policies):
    campus = policies / "campus.yml"
    campus.write_text(campus.read_text(encoding="utf-8").replace("signoff: required", "signoff: yes please"),
                      encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        policy_mod.load(policies)
    assert any("signoff" in p and "expected required or off" in p for p in exc.value.problems)
