"""The Google source, write-back and init-sheets against a fake Sheets API on 127.0.0.1.

Every test runs gspread's real HTTP code and ours end to end; only the server is fake.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import time

import pytest
import yaml

from conftest import AS_OF, BASELINE, POLICIES, ROOT
from fake_sheets import FakeSheets
from sync import issues as iss
from sync import jobs
from sync import policy as policy_mod
from sync.errors import ConfigError, SourceError
from sync.publish import google as pub
from sync import google as client_mod
from sync.google.client import SHEET_FIELDS
from sync.read import gsheets as gs
from sync.validate import validate

FAST = {"timeout": 3, "budget": 5, "retries": 3, "backoff": 0.01, "max_backoff": 0.05}
POLICY = policy_mod.load(POLICIES)
# init-sheets formats string and enum columns as plain text; what a department then types there stays text.
TEXT_HEADERS = {h for s in POLICY.sheets.values() for f in s.fields if f.type in ("string", "enum")
                for h in (f.title["zh"], f.title["en"])}
# Three department spreadsheets holding the eight tabs, and the office's (nothing to read).
BOOKS = {
    "KEYstudents0000000000000000000000000000000A": ("学生处 Student Affairs",
                                                    {"unit_daily": "单位日报", "student_roster": "学生健康档案",
                                                     "staff_status": "教职工状态"}),
    "KEYlogistics000000000000000000000000000000B": ("后勤管理处 Logistics",
                                                     {"isolation_log": "隔离观察记录", "disinfection_log": "消毒记录",
                                                      "supplies": "防疫物资台账"}),
    "KEYsecurity0000000000000000000000000000000C": ("保卫处 Security", {"gate_log": "出入登记", "duty_roster": "值班表"}),
}
OFFICE = "KEYoffice00000000000000000000000000000000O"
KEY_A, KEY_B, KEY_C = BOOKS


@pytest.fixture
def fake():
    with FakeSheets() as server:
        yield server


def serve(fake, sheets, books=BOOKS):
    """Put each book's tabs (rows as typed) into the fake, as a department would have typed them."""
    for key, (name, tabs) in books.items():
        fake.add(key, name, {title: sheets[title] for title in tabs.values() if title in sheets}, TEXT_HEADERS)
    fake.add(OFFICE, "防控办 Office", {"Sheet1": []})


def config(tmp_path, fake, books=BOOKS, credentials="none", network=FAST, office=True, **extra) -> str:
    entries = [{"name": name, "key": key, "tabs": dict(tabs)} for key, (name, tabs) in books.items()]
    if office:
        entries.append({"name": "防控办 Office", "key": OFFICE, "role": "office"})
    body = {"endpoint": fake.endpoint, "credentials": credentials, "network": network, "spreadsheets": entries,
            **extra}
    path = tmp_path / "google.yml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return str(path)


def api_requests(fake, contains=""):
    return [r for r in fake.requests if r.path.startswith("/v4/") and contains in r.path]


DATE_FIELDS = {(s.name, f.name) for s in POLICY.sheets.values() for f in s.fields
               if f.type in ("date", "time", "datetime")}


def comparable(result):
    """Issues and records of a Result, minus where the data came from (a file or a spreadsheet),
    and minus the text of date cells: Google hands over what a date cell holds, its serial day
    (READ_PARAMS in sync/read/gsheets.py says why)."""
    issues = [{k: v for k, v in i.to_dict().items()
               if k != "source" and not (k == "value" and (i.sheet, i.field) in DATE_FIELDS)}
              for i in result.issues]
    records = {name: table.records() for name, table in sorted(result.tables.items())}
    return issues, records


def mistakes(sheets):
    sheets["单位日报"][3][6] = "abc"                # fever: type-error
    sheets["单位日报"][2][3] = ""                   # reporter: missing-value
    sheets["学生健康档案"][2][2] = "火星学院"         # college: unknown-reference
    sheets["出入登记"][2][7] = "否否"                 # admitted: type-error
    sheets["防疫物资台账"][3][3] = "99999"           # outflow: stock below zero
    sheets["隔离观察记录"][2][7] = "36.6度"          # temperature with an odd unit
    sheets["值班表"].append(sheets["值班表"][1][:])   # duplicate key
    return sheets


# --- reads ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["clean", "mistakes"])
def test_google_reads_like_csv_with_one_batch_get_per_spreadsheet(variant, fake, tmp_path, check):
    sheets = copy.deepcopy(BASELINE)
    if variant == "mistakes":
        mistakes(sheets)
    serve(fake, sheets)
    google = jobs.check(config(tmp_path, fake), POLICIES, AS_OF)
    csv = check(sheets, "csv")
    assert google.unavailable == []
    assert comparable(google) == comparable(csv)
    assert (variant == "clean") == (google.issues == [])
    seen = api_requests(fake)
    # Per spreadsheet: one metadata request (the tabs' ids and titles) and one values:batchGet.
    assert sorted(r.path.rsplit("/", 1)[-1] for r in seen) == sorted([*BOOKS] + ["values:batchGet"] * 3)
    assert all(r.query["fields"] == [SHEET_FIELDS] for r in seen if "batchGet" not in r.path)
    reads = [r for r in seen if r.path.endswith("/values:batchGet")]
    assert all(r.query["valueRenderOption"] == ["UNFORMATTED_VALUE"] and
               r.query["dateTimeRenderOption"] == ["SERIAL_NUMBER"] for r in reads)
    assert {i.source for i in google.issues} <= {name for name, _ in BOOKS.values()}


def test_serial_dates_times_and_numbers_are_typed(fake, tmp_path):
    serve(fake, BASELINE)
    result = jobs.check(config(tmp_path, fake), POLICIES, AS_OF)
    raw = next(t for t in jobs.read_source(config(tmp_path, fake)).tables if t.title == "单位日报")
    assert raw.columns[0].texts()[0] == "43871"              # 2020-02-10 as Sheets stores it
    assert raw.columns[2].texts()[2] == "43872.354166666664"  # 2020-02-11 08:30
    daily = result.tables["unit_daily"].records()
    assert daily[0]["date"] == dt.date(2020, 2, 10)
    assert daily[2]["submitted_at"] == dt.datetime(2020, 2, 11, 8, 30)
    assert result.tables["isolation_log"].records()[0]["time"] == dt.time(8, 0)
    assert result.tables["student_roster"].records()[0]["student_id"] == "0192010001"


def test_ragged_rows_and_an_empty_tab(fake, tmp_path):
    rows = [["日期", "班次", "单位", "值班人", "联系电话"],
            ["2020-02-11", "白班", "国际交流处", "周老师"],           # trailing blank dropped by Google
            [],                                                       # an empty row inside the data
            ["2020-02-11", "夜班", "保卫处", "吴老师", "", "", "多余"]]   # a cell right of the header
    fake.add(KEY_C, "保卫处", {"值班表": rows, "出入登记": []})
    books = {KEY_C: ("保卫处", {"duty_roster": "值班表", "gate_log": "出入登记"})}
    result = jobs.check(config(tmp_path, fake, books, office=False), POLICIES, AS_OF)
    raw = result.tables["duty_roster"].raw
    assert raw.n_rows == 3 and len(raw.header) == 7
    assert [r["shift"] for r in result.tables["duty_roster"].records()] == ["day", "night"]
    codes = {(i.code, i.sheet, i.cell) for i in result.issues}
    assert ("blank-header", "duty_roster", "G1") in codes
    assert ("empty-sheet", "gate_log", None) in codes      # no "values" key in the response


def test_tabs_by_gid_cost_one_metadata_request(fake, tmp_path):
    serve(fake, BASELINE)
    books = {KEY_C: ("保卫处 Security", {"gate_log": {"gid": 0}, "duty_roster": {"gid": 1}})}
    result = jobs.check(config(tmp_path, fake, books, office=False), POLICIES, AS_OF)
    assert {"gate_log", "duty_roster"} <= set(result.tables)
    seen = api_requests(fake)
    assert [r.path.rsplit("/", 1)[-1] for r in seen] == [KEY_C, "values:batchGet"]
    assert seen[0].query["fields"] == [SHEET_FIELDS]


def test_a_renamed_tab_is_missing_and_the_rest_still_read(fake, tmp_path):
    serve(fake, BASELINE)
    books = {KEY_C: ("保卫处 Security", {"gate_log": "出入登记", "duty_roster": "值班表（旧）"})}
    result = jobs.check(config(tmp_path, fake, books, office=False), POLICIES, AS_OF)
    assert "gate_log" in result.tables and "duty_roster" in result.missing
    seen = api_requests(fake)
    assert [r.path.rsplit("/", 1)[-1] for r in seen] == [KEY_C, "values:batchGet"]     # no 400 to read
    assert seen[1].query["ranges"] == ["'出入登记'"]


# --- faults --------------------------------------------------------------------------------------

def test_429_with_retry_after_is_honoured(fake, tmp_path):
    serve(fake, BASELINE)
    fake.fail(429, contains=KEY_A, retry_after="1")
    started = time.monotonic()
    result = jobs.check(config(tmp_path, fake), POLICIES, AS_OF)
    assert time.monotonic() - started >= 1.0          # backoff alone would wait 0.01 s
    assert result.unavailable == [] and result.issues == []
    assert len(api_requests(fake, KEY_A)) == 3       # metadata (429), metadata, batchGet


def test_500_twice_then_success(fake, tmp_path):
    serve(fake, BASELINE)
    fake.fail(500, contains=KEY_B, times=2)
    result = jobs.check(config(tmp_path, fake), POLICIES, AS_OF)
    assert result.unavailable == [] and result.issues == []
    assert len(api_requests(fake, KEY_B)) == 4


def test_a_proxy_error_page_is_retried_by_its_http_status(fake, tmp_path):
    serve(fake, BASELINE)
    fake.fail(502, contains=KEY_B, body="<html>502 Bad Gateway</html>")   # APIError.code would be -1
    assert jobs.check(config(tmp_path, fake), POLICIES, AS_OF).unavailable == []
    assert len(api_requests(fake, KEY_B)) == 3


def test_a_slow_response_times_out_and_is_retried(fake, tmp_path):
    serve(fake, BASELINE)
    fake.fail(200, contains=KEY_C, delay=1.5)
    path = config(tmp_path, fake, network={**FAST, "timeout": 0.3})
    started = time.monotonic()
    workbook = jobs.read_source(path)                # the network part alone: validation's time varies with load
    assert time.monotonic() - started < 1.4
    result = validate(workbook, POLICY, AS_OF)
    assert result.unavailable == [] and result.issues == []
    assert len(api_requests(fake, KEY_C)) == 3


def test_retries_are_bounded_and_one_failure_does_not_stop_the_others(fake, tmp_path, caplog):
    serve(fake, BASELINE)
    fake.fail(503, contains=KEY_B, times=100)
    result = jobs.check(config(tmp_path, fake), POLICIES, AS_OF)
    assert result.unavailable == ["后勤管理处 Logistics"]
    assert set(result.missing) == {"isolation_log", "disinfection_log", "supplies"}
    assert {i.sheet for i in result.issues} == set(result.missing)
    assert len(api_requests(fake, KEY_B)) == FAST["retries"] + 1
    assert "后勤管理处 Logistics" in caplog.text and KEY_B not in caplog.text


def test_a_retry_after_beyond_the_budget_gives_up_at_once(fake, tmp_path):
    serve(fake, BASELINE)
    fake.fail(429, contains=KEY_A, retry_after="60", times=10)
    started = time.monotonic()
    result = jobs.check(config(tmp_path, fake), POLICIES, AS_OF)
    assert time.monotonic() - started < 2
    assert result.unavailable == ["学生处 Student Affairs"] and len(api_requests(fake, KEY_A)) == 1


def test_403_names_the_spreadsheet_and_the_account_to_share_with(fake, tmp_path, service_account, caplog, capsys):
    fake.token = "token-from-fake"
    serve(fake, BASELINE)
    fake.denied.add(KEY_B)
    path = config(tmp_path, fake, credentials=str(service_account["path"]), token_endpoint=fake.endpoint)
    workbook = jobs.read_source(path)
    reason = workbook.reasons["后勤管理处 Logistics"]
    assert "403" in reason and service_account["client_email"] in reason and KEY_B not in reason
    assert workbook.unavailable == ["后勤管理处 Logistics"] and len(workbook.tables) == 5
    assert fake.count("POST", "/token") == 1           # one access token, through token_endpoint
    assert all(r.headers["authorization"] == "Bearer token-from-fake" for r in api_requests(fake))
    secret = service_account["private_key"].splitlines()[1]
    assert secret not in caplog.text + capsys.readouterr().err


def test_404_names_the_key(fake, tmp_path):
    serve(fake, BASELINE)
    books = {**BOOKS, "NoSuchKey12345": ("打错的表 Typo", {"duty_roster": "值班表"})}
    books[KEY_C] = ("保卫处 Security", {"gate_log": "出入登记"})
    workbook = jobs.read_source(config(tmp_path, fake, books))
    assert "NoSuchKey12345" in workbook.reasons["打错的表 Typo"] and "404" in workbook.reasons["打错的表 Typo"]


def test_when_every_spreadsheet_fails_the_source_is_an_error(fake, tmp_path):
    serve(fake, BASELINE)
    fake.denied.update(BOOKS)
    with pytest.raises(SourceError, match="403"):
        jobs.check(config(tmp_path, fake), POLICIES, AS_OF)


# --- config and credentials ----------------------------------------------------------------------

def test_config_problems_are_all_reported_with_file_and_line(tmp_path):
    path = tmp_path / "google.yml"
    path.write_text("endpoint: sheets.example.cn\n"
                    "spreadsheets:\n"
                    "  - name: A\n"
                    "    key: abc\n"
                    "    url: https://docs.google.com/spreadsheets/d/abc/edit\n"
                    "    tabs: {unit_daily: 单位日报}\n"
                    "  - name: B\n"
                    "    key: def\n"
                    "    role: boss\n"
                    "    tabs: {unit_daily: 日报, Gate-Log: x, supplies: {gid: -1}}\n"
                    "network: {retries: lots}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        gs.load_config(path)
    problems = "\n".join(caught.value.problems)
    for line, text in [(1, "endpoint"), (3, "either key or url"), (9, "department or office"),
                       (10, "already read from 'A'"), (10, "Gate-Log"), (10, "gid"), (11, "retries")]:
        assert f"google.yml:{line}:" in problems and text in problems, (line, text, problems)


def test_missing_credentials_say_where_to_put_them(tmp_path, monkeypatch, fake):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "nowhere.json"))
    path = config(tmp_path, fake, credentials=None)
    with pytest.raises(ConfigError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        jobs.read_source(path)


def test_a_broken_key_file_is_not_echoed(tmp_path, fake):
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nSECRETSTUFF"}))
    with pytest.raises(ConfigError) as caught:
        jobs.read_source(config(tmp_path, fake, credentials=str(key)))
    assert "SECRETSTUFF" not in str(caught.value)


def test_credentials_from_the_environment(fake, tmp_path, service_account, monkeypatch):
    fake.token = "token-from-fake"
    serve(fake, BASELINE)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(service_account["path"]))
    path = config(tmp_path, fake, credentials=None, token_endpoint=fake.endpoint)
    assert jobs.check(path, POLICIES, AS_OF).issues == []


@pytest.fixture
def service_account(tmp_path):
    """A real service-account key file (a fresh RSA key) whose token_uri is Google's."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    info = {"type": "service_account", "project_id": "campus-desk-test", "private_key_id": "0" * 40,
            "private_key": pem, "client_email": "campus-desk@campus-desk-test.iam.gserviceaccount.com",
            "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"}
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info), encoding="utf-8")
    return {**info, "path": path}


# --- write-back ----------------------------------------------------------------------------------

def test_status_tab_is_written_raw_and_replaced_each_run(fake, tmp_path):
    sheets = copy.deepcopy(BASELINE)
    formula = "=HYPERLINK(\"http://example.com\",\"点我\")"
    sheets["单位日报"][2][1] = formula                       # unit: unknown-reference, value as typed
    sheets["单位日报"][3][6] = "abc"
    serve(fake, sheets)
    path = config(tmp_path, fake)
    result = jobs.check(path, POLICIES, AS_OF)
    assert {i.code for i in result.issues} == {"unknown-reference", "type-error"}
    fake.requests.clear()
    outcomes = pub.write_back(path, result, POLICY)
    assert all(o.ok for o in outcomes) and len(outcomes) == 3
    for key in BOOKS:       # one metadata read and one batchUpdate per spreadsheet
        assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in api_requests(fake, key)] == \
               [("GET", key), ("POST", f"{key}:batchUpdate")]
    status = fake.tab(KEY_A, "校验结果")
    assert status.grid["frozenRowCount"] == 2
    rows = status.texts()
    assert rows[0][0].startswith("校验日期 2020-02-11：2 个错误") and rows[1] == pub.STATUS_HEADER
    unit = next(r for r in rows[2:] if r[5] == "unknown-reference")
    assert unit[4] == formula
    assert {"stringValue": formula} in [d.get("userEnteredValue") for d in status.cells.values()]
    assert all("formulaValue" not in d.get("userEnteredValue", {}) for d in status.cells.values())
    gid = fake.tab(KEY_A, "单位日报").props["sheetId"]
    assert unit[8] == f"https://docs.google.com/spreadsheets/d/{KEY_A}/edit#gid={gid}&range=B3"
    assert fake.tab(KEY_B, "校验结果").texts()[2][6:8] == ["没有发现问题", "No problems found"]
    # The fake tells RAW from USER_ENTERED: the same text typed in (gspread's default) becomes a formula.
    conn = client_mod.connect(gs.load_config(path))
    conn.http.values_batch_update(KEY_A, {"valueInputOption": "USER_ENTERED",
                                          "data": [{"range": "'校验结果'!J1", "values": [[formula]]}]})
    assert fake.tab(KEY_A, "校验结果").cells[(0, 9)]["userEnteredValue"] == {"formulaValue": formula}
    # Next run: the tab is replaced (the old rows and the J1 formula are gone), no tab is added.
    tabs_before = len(fake.books[KEY_A]["tabs"])
    fake.tab(KEY_A, "单位日报").cells.clear()
    pub.write_back(path, jobs.check(path, POLICIES, AS_OF), POLICY)
    assert len(fake.books[KEY_A]["tabs"]) == tabs_before
    status = fake.tab(KEY_A, "校验结果")
    assert [r[5] for r in status.texts()[2:]] == ["empty-sheet"]
    assert all("formulaValue" not in d.get("userEnteredValue", {}) for d in status.cells.values())


def test_private_tab_goes_to_the_office_only(fake, tmp_path):
    serve(fake, BASELINE)
    path = config(tmp_path, fake)
    result = jobs.check(path, POLICIES, AS_OF)
    detail = {"fevers": [{"name": "赵某", "temperature": 37.8, "date": dt.date(2020, 2, 11)}],
              "missing_units": ["english", "=cmd|' /C calc'!A0"]}
    outcomes = pub.write_back(path, result, POLICY, private=detail)
    assert [o.spreadsheet for o in outcomes if o.ok] == [name for name, _ in BOOKS.values()] + ["防控办 Office"]
    rows = fake.tab(OFFICE, "防控办内部").texts()
    assert ["name", "temperature", "date"] in rows and ["赵某", "37.8", "2020-02-11"] in rows
    assert ["=cmd|' /C calc'!A0"] in rows
    stored = [c.get("userEnteredValue", {}) for c in fake.tab(OFFICE, "防控办内部").cells.values()]
    assert {"stringValue": "=cmd|' /C calc'!A0"} in stored and not any("formulaValue" in v for v in stored)
    assert all("防控办内部" not in [t.props["title"] for t in fake.books[k]["tabs"]] for k in BOOKS)
    assert "校验结果" not in [t.props["title"] for t in fake.books[OFFICE]["tabs"]]


def test_write_back_skips_an_unavailable_spreadsheet(fake, tmp_path):
    serve(fake, BASELINE)
    fake.denied.add(KEY_C)
    path = config(tmp_path, fake)
    result = jobs.check(path, POLICIES, AS_OF)
    fake.requests.clear()
    outcomes = {o.spreadsheet: o for o in pub.write_back(path, result, POLICY)}
    assert not outcomes["保卫处 Security"].ok and api_requests(fake, KEY_C) == []
    missing = [r for r in fake.tab(KEY_A, "校验结果").texts() if "missing-sheet" in r]
    assert missing == []        # the Security sheets' issues belong to Security, not to others


def test_a_write_that_timed_out_is_not_sent_again(fake, tmp_path):
    """A batchUpdate may have been applied when its answer is late; sending it again would add
    the status tab twice (a 400) or write twice. It is reported, and the next run writes it."""
    serve(fake, BASELINE)
    path = config(tmp_path, fake, network={**FAST, "timeout": 0.3})
    result = jobs.check(path, POLICIES, AS_OF)
    fake.fail(200, method="POST", contains=KEY_B, delay=1)
    outcomes = {o.spreadsheet: o for o in pub.write_back(path, result, POLICY)}
    assert "no answer" in outcomes["后勤管理处 Logistics"].message
    assert outcomes["学生处 Student Affairs"].ok and fake.count("POST", KEY_B) == 1


# --- init-sheets ---------------------------------------------------------------------------------

def test_init_sheets_creates_completes_and_is_idempotent(fake, tmp_path):
    fake.add(KEY_A, "学生处", {"Sheet1": []})
    fake.add(KEY_C, "保卫处", {"值班表": [["班次", "Date", "值班人"], ["白班", "2020-02-11", "周老师"]]})
    books = {KEY_A: ("学生处", {"unit_daily": "单位日报", "student_roster": {"gid": 77}}),
             KEY_C: ("保卫处", {"duty_roster": "值班表", "gate_log": "出入登记"})}
    path = config(tmp_path, fake, books, office=False)
    outcomes = jobs.init_sheets(path, POLICIES)
    assert all(o.ok for o in outcomes), outcomes
    assert len(api_requests(fake)) == 5       # metadata + batchUpdate; metadata + headers + batchUpdate
    daily = fake.tab(KEY_A, "单位日报")
    assert daily.texts()[0] == [f.title["zh"] for f in POLICY.sheets["unit_daily"].fields]
    assert daily.grid["frozenRowCount"] == 1
    assert daily.cells[(0, 0)]["note"].startswith("日期 / Date\n")
    assert daily.cells[(0, 0)]["userEnteredFormat"]["textFormat"]["bold"] is True
    assert daily.cells[(5, 0)]["dataValidation"]["condition"] == {"type": "DATE_IS_VALID"}
    assert daily.cells[(5, 1)]["dataValidation"]["condition"]["values"][0] == {"userEnteredValue": "党政办公室"}
    assert daily.cells[(999, 3)]["userEnteredFormat"]["numberFormat"] == {"type": "TEXT"}   # 填报人
    assert daily.cells[(9, 10)]["dataValidation"]["condition"]["values"] == [{"userEnteredValue": "是"},
                                                                           {"userEnteredValue": "否"}]
    gate = fake.tab(KEY_C, "出入登记")
    temperature = gate.cells[(1, 5)]["dataValidation"]
    assert temperature["condition"] == {"type": "NUMBER_BETWEEN", "values": [{"userEnteredValue": "34"},
                                                                             {"userEnteredValue": "43"}]}
    assert temperature["strict"] is False and "必填" in temperature["inputMessage"]
    # The existing tab keeps its columns and data; the missing ones are appended.
    duty = fake.tab(KEY_C, "值班表")
    assert duty.texts()[:2] == [["班次", "Date", "值班人", "单位", "联系电话"], ["白班", "43872", "周老师"]]
    assert duty.cells[(1, 0)]["dataValidation"]["condition"]["values"][1] == {"userEnteredValue": "夜班"}
    assert duty.grid["frozenRowCount"] == 1
    before = copy.deepcopy(fake.books)
    fake.requests.clear()
    again = jobs.init_sheets(path, POLICIES)
    assert fake.books == before and all("无需补充" in o.message for o in again)
    assert len(api_requests(fake)) == 6
    # What init-sheets made reads back without header problems.
    result = jobs.check(path, POLICIES, AS_OF)
    assert {(i.code, i.sheet) for i in result.issues if i.code != "missing-sheet"} == {("missing-value", "duty_roster")}


def test_init_sheets_refuses_sheet_ids_not_in_policies(fake, tmp_path):
    fake.add(KEY_A, "学生处", {"Sheet1": []})
    path = config(tmp_path, fake, {KEY_A: ("学生处", {"canteen_menu": "食堂菜单"})}, office=False)
    with pytest.raises(ConfigError, match="canteen_menu"):
        jobs.init_sheets(path, POLICIES)
    assert fake.requests == []


def test_cli_init_sheets(fake, tmp_path):
    from click.testing import CliRunner
    from sync.cli import main
    fake.add(KEY_C, "保卫处", {"Sheet1": []})
    path = config(tmp_path, fake, {KEY_C: ("保卫处", {"gate_log": "出入登记"})}, office=False)
    out = CliRunner().invoke(main, ["init-sheets", "--config", path, "--policies", str(POLICIES)])
    assert out.exit_code == 0, out.output
    assert "完成 ok  保卫处: created 出入登记" in out.output
    assert KEY_C not in out.output


def test_example_config_is_valid():
    cfg = gs.load_config(ROOT / "examples" / "google.yml")
    assert cfg.office is not None and cfg.endpoint is None
    held = {t.sheet for s in cfg.spreadsheets for t in s.tabs}
    assert held == set(POLICY.sheets)


def test_status_rows_order_issues_like_the_text_report():
    issues = [iss.make("type-error", "unit_daily", row=3, cell="G3", tab="单位日报", value="x"),
              iss.make("missing-sheet", "unit_daily", sheet_title="单位日报 / Unit daily report")]
    sheet = gs.Spreadsheet(name="A", key="k", role="department", tabs=[])
    rows = pub.status_rows(issues, AS_OF, sheet, [{"title": "单位日报", "sheetId": 7}], POLICY)
    assert [r[5] for r in rows[2:]] == ["missing-sheet", "type-error"]
    assert rows[2][8].endswith("/d/k/edit") and rows[3][8].endswith("#gid=7&range=G3")


# --- the whole run -------------------------------------------------------------------------------

def test_run_publishes_the_same_summary_from_google_as_from_the_xlsx(fake, tmp_path):
    """The demo workbook's eight sheets, typed into three spreadsheets, summarize as the .xlsx does."""
    from sync.read.xlsx import read_workbook
    # The workbook's 说明 (instructions) tab is no sheet and the Google config maps only sheets:
    # compare with a copy of the .xlsx without it (the same file, one <sheet> entry fewer).
    demo = without_tab(ROOT / "examples" / "demo.xlsx", tmp_path / "demo.xlsx", "说明")
    sheets = {t.title: [t.header] + [list(r) for r in zip(*(c.texts() for c in t.columns))]
              for t in read_workbook(demo).tables}
    assert len(sheets) == 8
    serve(fake, sheets)
    days = [dt.date(2020, 2, 10) + dt.timedelta(days=k) for k in range(14)]
    google = jobs.run(config(tmp_path, fake), POLICIES, days, tmp_path / "g", tmp_path / "g-site")
    xlsx = jobs.run(demo, POLICIES, days, tmp_path / "x", tmp_path / "x-site")
    assert google.result.unavailable == [] and len(api_requests(fake, "values:batchGet")) == 3
    # run wrote each department its status tab and the office its private tab, one batch each
    assert [o.ok for o in google.written_back] == [True] * 4
    assert fake.count("POST", ":batchUpdate") == 4
    assert any(t.props["title"] == "防控办内部" for t in fake.books[OFFICE]["tabs"])
    assert xlsx.result.errors
    for day in days:
        ours = (tmp_path / "g" / "summaries" / f"{day}.json").read_text(encoding="utf-8")
        theirs = (tmp_path / "x" / "summaries" / f"{day}.json").read_text(encoding="utf-8")
        assert json.loads(ours) == json.loads(theirs), day
    assert KEY_A not in "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "g").rglob("*.json"))


def without_tab(source, target, title):
    import re
    import zipfile
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rf'<sheet [^>]*name="{title}"[^>]*/>'.encode(), b"", data)
            new.writestr(item, data)
    return target
