"""The province roll-up against real HTTP servers on 127.0.0.1 serving generated campus sites:
one good, one late, one down, one serving an invalid file, one with an old schema_version."""
from __future__ import annotations

import copy
import csv
import html
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from campus_sites import closed_port_url, serving, touch_later, write_site
from sync import jobs
from sync.cli import main
from sync.errors import ConfigError
from sync.render import opendata
from sync.policy import DATES
from sync.render.summaries import read_summaries
from sync.rollup import config as config_mod
from sync.rollup import rollup

ROOT = Path(__file__).resolve().parent.parent
FIRST, DAY = dt.date(2020, 2, 10), dt.date(2020, 2, 16)
FAST = {"retries": 1, "backoff": 0.01, "connect_timeout": 2, "read_timeout": 5}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A week of the demo campus's summaries and upward reports, written by the real `run`."""
    out = tmp_path_factory.mktemp("demo")
    days = [FIRST + dt.timedelta(days=k) for k in range((DAY - FIRST).days + 1)]
    jobs.run(ROOT / "examples" / "demo.xlsx", ROOT / "policies", days, out / "data", out / "site")
    return read_summaries(out / "data" / "summaries", (DATES["earliest"], DATES["latest"])), out / "data" / "exports"


def campus_yaml(path: Path, campuses: list[dict], **extra) -> Path:
    body = {"province": {"zh": "测试省", "en": "Test province"}, "fetch": FAST, **extra, "campuses": campuses}
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")     # JSON is YAML
    return path


def entry(cid: str, where: str | Path, report_by: str = "10:30") -> dict:
    place = {"url": where} if isinstance(where, str) else {"folder": str(where)}
    return {"id": cid, "name": {"zh": f"{cid}大学", "en": f"{cid.title()} University"}, "report_by": report_by,
            **place}


def five_sites(tmp_path: Path, demo) -> dict[str, Path | None]:
    summaries, exports = demo
    invalid = copy.deepcopy(summaries)
    invalid[-1]["status"] = "fine"                        # not complete|partial
    del invalid[-1]["reporting"]["expected"]
    old = copy.deepcopy(summaries)
    old[-1]["schema_version"] = 0
    return {"good": write_site(tmp_path / "good", summaries, exports, dt.time(9, 40)),
            "late": write_site(tmp_path / "late", summaries, exports, dt.time(11, 5)),
            "down": None,
            "invalid": write_site(tmp_path / "invalid", invalid, exports),
            "old": write_site(tmp_path / "old", old, exports)}


def test_a_province_of_five_over_http(tmp_path, demo):
    with serving(five_sites(tmp_path, demo)) as (urls, servers):
        cfg = campus_yaml(tmp_path / "campuses.yml", [entry(name, url) for name, url in urls.items()])
        outcome = rollup(cfg, tmp_path / "out", DAY, ROOT / "mkdocs.yml")
    views = {v.campus.id: v for v in outcome.assessment.views}
    assert {k: (v.state, v.included) for k, v in views.items()} == {
        "good": ("on-time", True), "late": ("late", True), "down": ("unreachable", False),
        "invalid": ("invalid", False), "old": ("unknown-schema", False)}
    assert "Connection refused" in views["down"].reason
    assert "data/days/2020-02-16.json" in views["invalid"].reason and "status" in views["invalid"].reason
    assert "reporting.expected" in views["invalid"].reason
    assert "schema_version: 0" in views["old"].reason
    # the old and invalid campuses still show their last valid figures, marked by their age
    assert views["invalid"].latest["date"] == "2020-02-15" and views["invalid"].age_days == 1
    summaries, _ = demo
    units = summaries[-1]["units"]
    a = outcome.assessment
    assert a.totals == {k: 2 * units[k] for k in a.figures} and set(a.counted.values()) == {2}
    codes = {(f.code, f.campus, f.severity) for f in a.findings}
    assert ("unknown-schema-version", "old", "error") in codes
    assert not {c for c in codes if c[0] == "unit-total-mismatch"}
    # the site: same look (the campus's theme and stylesheet), every campus named with its state
    home = html.unescape((outcome.site_dir / "index.html").read_text(encoding="utf-8"))
    assert "assets/site.css" in home and "2 / 5" in home
    for text in ("无法访问 unreachable", "文件无效 files do not validate", "迟发布 published late",
                 "格式版本未知 unknown schema_version", "Down University"):
        assert text in home, text
    assert (outcome.site_dir / "trends" / "index.html").is_file()
    table = list(csv.reader(io.StringIO(outcome.table[0].read_bytes().decode("utf-8-sig"))))
    assert [r[0] for r in table[1:-1]] == ["good", "late", "down", "invalid", "old"]
    assert table[-1][3] == "2 / 5" and (outcome.site_dir / "downloads" / "2020-02-16.xlsx").is_file()


def test_the_next_days_refresh_downloads_only_the_new_day(tmp_path, demo):
    summaries, exports = demo
    site = write_site(tmp_path / "good", summaries[:-1], exports)
    with serving({"good": site}) as (urls, servers):
        cfg = campus_yml = campus_yaml(tmp_path / "campuses.yml", [entry("good", urls["good"])])
        first = rollup(cfg, tmp_path / "out", DAY, build=False)
        assert first.requests == 1 + 2 * len(summaries[:-1])      # index, then each day's JSON and CSV
        again = rollup(campus_yml, tmp_path / "out", DAY, build=False)
        assert again.requests == 1 and again.fetched[0].not_modified == 1 and again.downloaded == 0
        assert servers["good"].hits[-1] == "/data/index.json"
        write_site(site, summaries, exports)                  # the next day is published
        hits = len(servers["good"].hits)
        refresh = rollup(cfg, tmp_path / "out", DAY, build=False)
        assert sorted(servers["good"].hits[hits:]) == ["/data/days/2020-02-16.json", "/data/index.json",
                                                       "/data/units/2020-02-16.csv"]
    assert refresh.assessment.views[0].included and refresh.requests == 3


def test_a_campus_that_goes_down_keeps_its_last_figures_marked_stale(tmp_path, demo):
    summaries, exports = demo
    site = write_site(tmp_path / "c", summaries, exports)
    with serving({"c": site}) as (urls, _):
        cfg = campus_yaml(tmp_path / "campuses.yml", [entry("c", urls["c"])])
        assert rollup(cfg, tmp_path / "out", DAY, build=False).assessment.views[0].included
    v = rollup(cfg, tmp_path / "out", DAY + dt.timedelta(days=1), build=False).assessment.views[0]   # server gone
    assert (v.state, v.included, v.latest["date"], v.age_days) == ("unreachable", False, "2020-02-16", 1)
    assert v.latest["counts"] == summaries[-1]["units"]


def test_retries_stop_at_the_run_budget(tmp_path, demo):
    summaries, exports = demo
    roots = {f"c{k}": write_site(tmp_path / f"c{k}", summaries, exports) for k in range(3)}
    with serving(roots, fail={name: 503 for name in roots}) as (urls, servers):
        cfg = campus_yaml(tmp_path / "campuses.yml", [entry(n, u) for n, u in urls.items()],
                          fetch={**FAST, "retries": 5, "retry_budget": 4, "concurrency": 1})
        outcome = rollup(cfg, tmp_path / "out", DAY, build=False)
    assert sum(len(s.hits) for s in servers.values()) == 3 + 4     # one try each, four retries in all
    assert {v.state for v in outcome.assessment.views} == {"unreachable"}
    assert "HTTP 503" in outcome.assessment.views[0].reason or "retries" in outcome.assessment.views[0].reason


def test_province_checks_from_local_folders(tmp_path, demo):
    summaries, exports = demo
    mismatch = copy.deepcopy(summaries)
    mismatch[-1]["units"]["isolated"] += 3                   # the units' rows no longer add up
    down = copy.deepcopy(summaries)
    for k, s in enumerate(down):
        s["units"]["confirmed"] = 5 if k < len(down) - 1 else 2
    jump = copy.deepcopy(summaries)
    jump[-1]["units"]["fever"] = 400
    sites = {"mismatch": mismatch, "down": down, "jump": jump}
    campuses = [entry(name, write_site(tmp_path / name, body, exports if name == "mismatch" else None))
                for name, body in sites.items()]
    outcome = rollup(campus_yaml(tmp_path / "campuses.yml", campuses), tmp_path / "out", DAY, build=False)
    found = {(f.campus, f.code, f.figure, f.severity) for f in outcome.assessment.findings}
    assert found == {("mismatch", "unit-total-mismatch", "isolated", "error"),
                     ("down", "cumulative-decrease", "confirmed", "error"),
                     ("jump", "day-jump", "fever", "warning")}
    views = {v.campus.id: v for v in outcome.assessment.views}
    assert (views["mismatch"].state, views["down"].state) == ("doubtful", "doubtful")
    assert views["jump"].included and not views["mismatch"].included
    assert outcome.assessment.totals["fever"] == 400


def test_a_file_changed_under_the_index_is_refused(tmp_path, demo):
    summaries, exports = demo
    site = write_site(tmp_path / "c", summaries, exports)
    path = site / "data" / "days" / "2020-02-16.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"partial"', '"complete"'), encoding="utf-8")
    v = rollup(campus_yaml(tmp_path / "p.yml", [entry("c", site)]), tmp_path / "out", DAY,
               build=False).assessment.views[0]
    assert v.state == "invalid" and "SHA-256" in v.reason and not v.included


def test_a_broken_index_names_the_file(tmp_path, demo):
    site = write_site(tmp_path / "c", *demo)
    (site / "data" / "index.json").write_text("{not json", encoding="utf-8")
    v = rollup(campus_yaml(tmp_path / "p.yml", [entry("c", site)]), tmp_path / "out", DAY,
               build=False).assessment.views[0]
    assert v.state == "invalid" and "index.json" in v.reason


def test_config_mistakes_are_reported_at_once_with_their_lines(tmp_path):
    cfg = tmp_path / "campuses.yml"
    cfg.write_text("province: {zh: 省, en: P}\ntimezone: Mars/Base\ncampuses:\n"
                   "  - id: a\n    name: {zh: 甲, en: A}\n    url: ftp://x\n"
                   "  - id: a\n    name: {zh: 乙, en: B}\n    folder: b\n    colour: red\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        config_mod.load(cfg)
    text = "\n".join(exc.value.problems)
    assert f"{cfg}:2: timezone:" in text and "Mars/Base" in text
    assert f"{cfg}:6: campuses[0].url:" in text
    assert f"{cfg}:10: campuses[1].colour: unknown key; expected one of" in text
    cfg.write_text("province: {zh: 省, en: P}\ncampuses:\n  - {id: a, name: {zh: 甲, en: A}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="exactly one of url"):
        config_mod.load(cfg)


def test_the_example_config_loads():
    province = config_mod.load(ROOT / "examples" / "campuses.yml")
    assert len(province.campuses) >= 3


def test_cli_exit_codes(tmp_path, demo):
    good = write_site(tmp_path / "good", *demo)
    cfg = campus_yaml(tmp_path / "p.yml", [entry("good", good, "23:59")])
    runner = CliRunner()
    ok = runner.invoke(main, ["rollup", "--config", str(cfg), "--date", "2020-02-16", "--out",
                              str(tmp_path / "out"), "--no-build"])
    assert ok.exit_code == 0, ok.output
    assert "1/1 campuses in the totals" in ok.output
    cfg2 = campus_yaml(tmp_path / "p2.yml", [entry("good", good), entry("gone", closed_port_url())])
    bad = runner.invoke(main, ["rollup", "--config", str(cfg2), "--date", "2020-02-16", "--out",
                               str(tmp_path / "out2"), "--no-build"])
    assert bad.exit_code == 1 and "gone" in bad.output and "unreachable" in bad.output
    broken = runner.invoke(main, ["rollup", "--config", str(tmp_path / "nothing.yml")])
    assert broken.exit_code == 2 and "Traceback" not in broken.output


# -- the campus's data API --------------------------------------------------------------------------

def test_the_data_package_passes_frictionless_validate(tmp_path, demo):
    site = write_site(tmp_path / "c", *demo)
    done = subprocess.run([str(Path(sys.executable).parent / "frictionless"), "validate", "--json",
                           "datapackage.json"], cwd=site / "data", capture_output=True, text=True)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["valid"], done.stdout[-2000:]
    assert {t["name"] for t in report["tasks"]} == {"days", "units"}
    assert all(t["stats"]["rows"] > 0 for t in report["tasks"])


def test_the_data_package_check_can_fail(tmp_path, demo):
    site = write_site(tmp_path / "c", *demo)
    days = site / "data" / "days.csv"
    days.write_text(days.read_text(encoding="utf-8").replace(",partial,", ",maybe,", 1), encoding="utf-8")
    done = subprocess.run([str(Path(sys.executable).parent / "frictionless"), "validate", "--json",
                           "datapackage.json"], cwd=site / "data", capture_output=True, text=True)
    assert done.returncode != 0 and "constraint-error" in done.stdout


def test_data_files_agree_with_the_summaries(demo):
    summaries, exports = demo
    files = opendata.files(summaries, exports)
    index = json.loads(files["data/index.json"])
    assert [d["date"] for d in index["days"]] == [s["date"] for s in summaries] and index["latest"] == "2020-02-16"
    assert json.loads(files["data/latest.json"]) == summaries[-1]
    days = list(csv.DictReader(io.StringIO(files["data/days.csv"].decode())))
    assert [int(d["isolated"]) for d in days] == [s["units"]["isolated"] for s in summaries]
    units = list(csv.DictReader(io.StringIO(files["data/units.csv"].decode())))
    last = [u for u in units if u["date"] == "2020-02-16" and u["reported"] == "true"]
    assert sum(int(u["isolated"]) for u in last) == summaries[-1]["units"]["isolated"]
    assert len({u["unit_id"] for u in units}) >= 15
    assert opendata.files(summaries, exports) == files          # stable bytes: same ETag tomorrow


def test_only_the_days_the_pages_and_checks_need_are_read(tmp_path, demo):
    site = write_site(tmp_path / "c", *demo)
    cfg = campus_yaml(tmp_path / "p.yml", [entry("c", site)], history_days=2, checks={"jump": {"days": 1}})
    outcome = rollup(cfg, tmp_path / "out", DAY, build=False)
    assert sorted(outcome.fetched[0].days) == ["2020-02-13", "2020-02-14", "2020-02-15", "2020-02-16"]
    assert outcome.requests == 1 + 2 * 4 and [d["date"] for d in outcome.assessment.trend] == ["2020-02-15",
                                                                                               "2020-02-16"]


def test_the_rollup_job_of_the_schedule(tmp_path, demo):
    import shutil
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    campus = policies / "campus.yml"
    text = campus.read_text(encoding="utf-8")
    campus.write_text(text[:text.index("schedule:")] + 'schedule:\n  - {at: "10:45", jobs: [rollup]}\n',
                      encoding="utf-8")
    site = write_site(tmp_path / "good", *demo)
    cfg = campus_yaml(tmp_path / "p.yml", [entry("good", site, "23:59")])
    args = [sys.executable, "-m", "sync", "schedule", "--once", "--policies", str(policies),
            "--out", str(tmp_path / "data"), "--config", str(ROOT / "mkdocs.yml")]
    missing = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode == 2 and "--province" in missing.stderr
    done = subprocess.run(args + ["--province", str(cfg)], cwd=ROOT, capture_output=True, text=True)
    # --date is not the schedule's to give: the job rolls up today, when this campus has not published
    assert "rollup exit 1 (ok, data errors)" in done.stdout, (done.stdout, done.stderr)
    assert (tmp_path / "data" / "province" / "public" / "index.html").is_file()


# -- a first roll-up of many days: days.csv in one request, the day shown from its own files ---------

def _rewrite_days_csv(site: Path, edit) -> None:
    """Change data/days.csv and give index.json its new SHA-256, as a campus publishing it would."""
    import hashlib
    path = site / "data" / "days.csv"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    index_path = site / "data" / "index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    index["sha256"]["days.csv"] = hashlib.sha256(path.read_bytes()).hexdigest()
    index_path.write_text(json.dumps(index), encoding="utf-8")


def test_a_first_rollup_of_many_days_reads_days_csv_and_the_day_shown(tmp_path, demo):
    summaries, exports = demo
    site = write_site(tmp_path / "c", summaries, exports)
    with serving({"c": site}) as (urls, servers):
        bulk_cfg = campus_yaml(tmp_path / "bulk.yml", [entry("c", urls["c"])], fetch={**FAST, "per_day_up_to": 3})
        first = rollup(bulk_cfg, tmp_path / "bulk", DAY, build=False)
        assert sorted(servers["c"].hits) == ["/data/days.csv", "/data/days/2020-02-16.json", "/data/index.json",
                                             "/data/units/2020-02-16.csv"]
        again = rollup(bulk_cfg, tmp_path / "bulk", DAY, build=False)     # nothing new: one 304
        assert again.requests == 1 and again.fetched[0].not_modified == 1 and again.assessment.views[0].included
        whole_cfg = campus_yaml(tmp_path / "whole.yml", [entry("c", urls["c"])])
        whole = rollup(whole_cfg, tmp_path / "whole", DAY, build=False)
    assert first.requests == 4 and whole.requests == 1 + 2 * len(summaries)
    a, b = first.assessment, whole.assessment
    assert (a.totals, a.counted, a.trend) == (b.totals, b.counted, b.trend)
    assert a.views[0].latest == b.views[0].latest and a.views[0].state == b.views[0].state == "on-time"
    assert [f.code for f in a.findings] == [f.code for f in b.findings]
    rows = first.fetched[0].days
    assert rows["2020-02-15"]["from"] == "days.csv" and "from" not in rows["2020-02-16"]
    assert rows["2020-02-15"]["counts"] == summaries[-2]["units"]


def test_a_days_csv_that_disagrees_with_the_day_file_makes_the_campus_invalid(tmp_path, demo):
    summaries, exports = demo
    site = write_site(tmp_path / "c", summaries, exports)
    isolated = summaries[-1]["units"]["isolated"]
    head = (site / "data" / "days.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    column = head.index("isolated")

    def edit(text: str) -> str:
        lines = text.splitlines()
        cells = lines[-1].split(",")
        cells[column] = str(isolated + 5)
        return "\n".join(lines[:-1] + [",".join(cells)]) + "\n"

    _rewrite_days_csv(site, edit)
    cfg = campus_yaml(tmp_path / "p.yml", [entry("c", site)], fetch={**FAST, "per_day_up_to": 3})
    outcome = rollup(cfg, tmp_path / "out", DAY, build=False)
    v = outcome.assessment.views[0]
    assert (v.state, v.included) == ("invalid", False)
    assert "days.csv" in v.reason and "days/2020-02-16.json" in v.reason and "disagree on 2020-02-16" in v.reason
    assert f"isolated: {isolated + 5} against {isolated}" in v.reason
    assert outcome.assessment.totals["isolated"] is None
    cache = json.loads((tmp_path / "out" / "cache" / "c.json").read_text(encoding="utf-8"))
    assert not [d for d in cache["days"].values() if d.get("from") == "days.csv"] and cache["index"] is None


def test_a_days_csv_row_that_breaks_its_model_is_read_from_its_own_files(tmp_path, demo):
    summaries, exports = demo
    site = write_site(tmp_path / "c", summaries, exports)
    _rewrite_days_csv(site, lambda text: text.replace("2020-02-12,partial,", "2020-02-12,maybe,", 1))
    with serving({"c": site}) as (urls, servers):
        cfg = campus_yaml(tmp_path / "p.yml", [entry("c", urls["c"])], fetch={**FAST, "per_day_up_to": 3})
        outcome = rollup(cfg, tmp_path / "out", DAY, build=False)
        assert "/data/days/2020-02-12.json" in servers["c"].hits and "/data/days/2020-02-13.json" not in servers["c"].hits
    days = outcome.fetched[0].days
    assert "from" not in days["2020-02-12"] and days["2020-02-12"]["counts"] == summaries[2]["units"]
    assert outcome.assessment.views[0].included
    found = [f for f in outcome.assessment.findings if f.code == "days-csv-refused"]
    assert found and found[0].severity == "warning" and "line 4: status" in found[0].en


def test_a_day_twice_in_days_csv_is_read_from_its_own_files(tmp_path, demo):
    summaries, exports = demo
    site = write_site(tmp_path / "c", summaries, exports)
    _rewrite_days_csv(site, lambda text: text + text.splitlines()[3].replace(",partial,", ",complete,", 1) + "\n")
    cfg = campus_yaml(tmp_path / "p.yml", [entry("c", site)], fetch={**FAST, "per_day_up_to": 3})
    outcome = rollup(cfg, tmp_path / "out", DAY, build=False)
    days = outcome.fetched[0].days
    assert "from" not in days["2020-02-12"] and days["2020-02-12"]["status"] == summaries[2]["status"]
    assert days["2020-02-13"]["from"] == "days.csv" and "is there twice" in outcome.fetched[0].bulk_error


# -- held values and sign-off: said per campus, never summed -------------------------------------------

HELD_DAY = dt.date(2020, 2, 18)


@pytest.fixture(scope="module")
def demo_held(tmp_path_factory):
    """The demo's days to 2020-02-18, written by the real `run`: that day, the International Office's
    isolated (7 -> 70) is held (待核实)."""
    out = tmp_path_factory.mktemp("held")
    days = [HELD_DAY - dt.timedelta(days=k) for k in range(4, -1, -1)]
    jobs.run(ROOT / "examples" / "demo.xlsx", ROOT / "policies", days, out / "data", out / "site")
    summaries = read_summaries(out / "data" / "summaries", (DATES["earliest"], DATES["latest"]))
    assert summaries[-1]["units"]["isolated"] is None and "isolated" in summaries[-1]["held"]["units"]
    return summaries, out / "data" / "exports"


def test_held_values_and_days_awaiting_signoff_are_named_and_never_summed(tmp_path, demo_held):
    summaries, exports = demo_held
    released = copy.deepcopy(summaries)
    released[-1]["units"]["isolated"] = 7                 # as if the department had corrected its cell
    del released[-1]["held"]["units"]
    sites = {"held": write_site(tmp_path / "held", summaries, exports),
             "good": write_site(tmp_path / "good", released, None),
             "waiting": write_site(tmp_path / "waiting", released[:-1], None, awaiting=[HELD_DAY.isoformat()]),
             "edit": write_site(tmp_path / "edit", released, None, awaiting=[HELD_DAY.isoformat()])}
    cfg = campus_yaml(tmp_path / "p.yml", [entry(name, site, "23:59") for name, site in sites.items()])
    outcome = rollup(cfg, tmp_path / "out", HELD_DAY, ROOT / "mkdocs.yml")
    a = outcome.assessment
    views = {v.campus.id: v for v in a.views}
    assert {k: (v.state, v.included, v.awaiting) for k, v in views.items()} == {
        "held": ("on-time", True, False), "good": ("on-time", True, False),
        "waiting": ("awaiting-signoff", False, True), "edit": ("on-time", True, True)}
    assert "sign-off" in views["waiting"].reason and views["waiting"].latest["date"] == "2020-02-17"
    assert list(views["held"].held) == ["isolated"] and not views["good"].held
    # the held campus's isolated is in no total, and the total says so; its other figures are counted
    assert a.totals["isolated"] == 7 + 7 and a.counted["isolated"] == 2 and a.counted["fever"] == 3
    assert a.held == {"isolated": ["held"]}
    home = html.unescape((outcome.site_dir / "index.html").read_text(encoding="utf-8"))
    for text in ("待核实 under review: 隔离观察 Isolated (国际交流处 International Office)",
                 "不完整 incomplete: 1 所校园数值待核实 1 campus(es) under review, not summed",
                 "待防控办签发 awaiting the office's sign-off", "更正待防控办签发 a change awaits the office's sign-off"):
        assert text in home, text
    table = list(csv.reader(io.StringIO(outcome.table[0].read_bytes().decode("utf-8-sig"))))
    head, rows = table[0], {r[0]: r for r in table[1:-1]}
    isolated, notes = head.index("隔离观察 Isolated"), head.index("待核实与签发 Under review, sign-off")
    assert rows["held"][isolated] == "待核实 under review" and "International Office" in rows["held"][notes]
    assert rows["good"][isolated] == "7" and rows["good"][notes] == ""
    assert "sign-off" in rows["waiting"][notes] and "sign-off" in rows["edit"][notes]
    assert table[-1][isolated] == "14" and "incomplete" in table[-1][notes]
    trend = {d["date"]: d for d in a.trend}
    assert trend["2020-02-18"]["counted"]["isolated"] == 2 and trend["2020-02-18"]["campuses"] == 3


def test_the_data_api_lists_the_days_awaiting_signoff(demo):
    summaries, exports = demo
    index = json.loads(opendata.files(summaries, exports, ["2020-02-17"])["data/index.json"])
    assert index["awaiting"] == ["2020-02-17"]
    assert set(index["sha256"]) == set(index["files"]) and "days.csv" in index["sha256"]


def test_an_earlier_day_that_only_days_csv_gave_is_read_whole_before_it_is_shown(tmp_path, demo):
    summaries, exports = demo
    site = write_site(tmp_path / "c", summaries, exports)
    with serving({"c": site}) as (urls, servers):
        cfg = campus_yaml(tmp_path / "p.yml", [entry("c", urls["c"])], fetch={**FAST, "per_day_up_to": 3})
        rollup(cfg, tmp_path / "out", DAY, build=False)
        hits = len(servers["c"].hits)
        earlier = rollup(cfg, tmp_path / "out", DAY - dt.timedelta(days=1), build=False)
        # the index asked for without its validator (a 304 would not list the day's files), then the day
        assert sorted(servers["c"].hits[hits:]) == ["/data/days/2020-02-15.json", "/data/index.json",
                                                    "/data/units/2020-02-15.csv"]
    v = earlier.assessment.views[0]
    assert v.included and v.latest["date"] == "2020-02-15" and "from" not in v.latest
    assert v.latest["unit_sums"] is not None
