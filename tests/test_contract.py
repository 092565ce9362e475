"""The public daily summary is a versioned contract (sync/summarize/contract.py): its JSON Schema
is published with the site, every golden summary keeps it, and a summary that breaks it is
refused by `run` and `build` with `file: key: message`, exit 2, never a traceback."""
from __future__ import annotations

import copy
import datetime as dt
import json
import shutil

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import BASELINE, POLICIES, ROOT, write_csv
from sync.cli import main
from sync.render import site as site_render
from sync.summarize import contract

GOLDEN = sorted((ROOT / "tests" / "golden").glob("*/*.json"))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.parent.name + "/" + p.name for p in GOLDEN])
def test_every_golden_summary_keeps_the_published_schema(path):
    summary = json.loads(path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(contract.json_schema())
    assert [e.message for e in validator.iter_errors(summary)] == []
    assert contract.check(summary, path) is summary and summary["schema_version"] == contract.SCHEMA_VERSION


def test_the_schema_refuses_what_the_models_refuse():
    summary = json.loads(GOLDEN[0].read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(contract.json_schema())
    for broken in (_edit(summary, "reporting", "rate", 1.5), _edit(summary, None, "names", ["张三"]),
                   _edit(summary, None, "schema_version", 2), _edit(summary, "gate", "total", "68")):
        assert list(validator.iter_errors(broken)), broken
        with pytest.raises(Exception):
            contract.check(broken, "x.json")


def test_the_site_ships_the_schema_at_a_stable_url(tmp_path):
    summaries = tmp_path / "summaries"
    summaries.mkdir()
    shutil.copy(ROOT / "tests" / "golden" / "fixture" / "2020-02-11.json", summaries / "2020-02-11.json")
    site_render.render(POLICIES, summaries, tmp_path / "site", dt.date(2020, 2, 11))
    published = json.loads((tmp_path / "site" / "schemas" / "summary.schema.json").read_text(encoding="utf-8"))
    assert published == contract.json_schema() and published["$id"] == "schemas/summary.schema.json"
    assert published["properties"]["schema_version"]["const"] == contract.SCHEMA_VERSION


def test_build_refuses_a_hand_edited_summary(tmp_path):
    summaries = tmp_path / "summaries"
    summaries.mkdir()
    path = summaries / "2020-02-11.json"
    summary = json.loads((ROOT / "tests" / "golden" / "fixture" / "2020-02-11.json").read_text(encoding="utf-8"))
    path.write_text(json.dumps(_edit(summary, "reporting", "rate", 1.5)), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--policies", str(POLICIES), "--summaries", str(summaries),
                                       "--config", str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path / "public"),
                                       "--date", "2020-02-11"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{path}: reporting.rate: input should be less than or equal to 1" in result.stderr


def test_run_refuses_a_foreign_summary_among_its_own(tmp_path):
    out = tmp_path / "data"
    (out / "summaries").mkdir(parents=True)
    foreign = out / "summaries" / "2020-02-10.json"
    foreign.write_text(json.dumps({"date": "2020-02-10", "cases": 3}), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--source", str(write_csv(tmp_path / "book", copy.deepcopy(BASELINE))),
                                       "--policies", str(POLICIES), "--out", str(out), "--site", str(tmp_path / "site"),
                                       "--date", "2020-02-11"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{foreign}: cases: extra inputs are not permitted" in result.stderr
    assert f"{foreign}: schema_version: field required" in result.stderr


def _edit(summary: dict, section: str | None, key: str, value) -> dict:
    out = copy.deepcopy(summary)
    (out[section] if section else out)[key] = value
    return out


def test_the_upward_exports_columns_are_documented():
    from sync import policy
    from sync.render.export import COLUMNS
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("The upward export (`data/exports"):]
    for column in COLUMNS:
        assert f"`{column}`" in section or any(f"`{part}`" in section for part in column.split(", ")), column
    header = (ROOT / "tests" / "golden" / "fixture" / "2020-02-11.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    counts = [f for f in policy.load(POLICIES).sheets["unit_daily"].fields if f.type == "integer"]
    assert header.split(",") == COLUMNS + [f"{f.title['zh']} {f.title['en']}" for f in counts]
