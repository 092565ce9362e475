"""The README stays true: its commands, its issue codes and its example of adding a column."""
from __future__ import annotations

import re
import shutil

from conftest import AS_OF, POLICIES, ROOT, write_csv
from sync import issues as iss
from sync import jobs
from sync.policy import load

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_exactly_the_readme_test_command():
    assert "    bash scripts/test " in README and "    bash scripts/demo " in README
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert "bash scripts/test" in ci


def test_every_issue_code_is_documented():
    codes = set(iss.CATALOGUE) | {r.code for s in load(POLICIES).sheets.values() for r in s.rules}
    documented = set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", README))
    assert codes <= documented, sorted(codes - documented)


def test_adding_a_column_works_as_the_readme_says(sheets, tmp_path):
    snippet = re.search(r"add one line to `policies/sheets/gate_log.yml`:\n\n```yaml\n(.*?)```", README, re.S).group(1)
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    gate = policies / "sheets" / "gate_log.yml"
    text = gate.read_text(encoding="utf-8")
    gate.write_text(text.replace("rules:\n", snippet + "rules:\n", 1), encoding="utf-8")
    gate_rows = sheets["出入登记"]
    gate_rows[0].append("前往部门")
    gate_rows[1].append("国际交流处")
    gate_rows[2].append("火星办公室")
    result = jobs.check(write_csv(tmp_path / "book", sheets), policies, AS_OF)
    assert [(i.code, i.cell) for i in result.issues] == [("unknown-reference", "I3")]
    assert result.tables["gate_log"].records(valid_only=False)[0]["destination"] == "international"


def test_every_verb_is_in_the_readme():
    from sync.cli import main
    verbs = set(main.commands) - {"schema"} | {"schema export"}
    documented = set(re.findall(r"`python -m sync ([a-z-]+(?: export)?)", README))
    assert verbs <= documented, sorted(verbs - documented)
