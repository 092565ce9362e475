"""The bundled demo: the validator reports exactly its deliberate mistakes, and the generator
that made it is deterministic."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from conftest import POLICIES, ROOT
from sync import jobs

AS_OF = __import__("datetime").date(2020, 2, 23)
MANIFEST = json.loads((ROOT / "examples" / "demo-expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("source", ["demo.xlsx", "demo_csv"])
def test_demo_reports_every_deliberate_mistake_at_its_cell_and_nothing_else(source):
    result = jobs.check(ROOT / "examples" / source, POLICIES, AS_OF)
    got = Counter((i.code, i.sheet, i.cell) for i in result.issues)
    expected = Counter((m["code"], m["sheet"], m["cell"]) for m in MANIFEST)
    assert got == expected, {"missing": sorted((expected - got).elements()), "extra": sorted((got - expected).elements())}


def test_demo_has_every_kind_of_cell_and_rule_mistake():
    codes = {m["code"] for m in MANIFEST}
    assert {"type-error", "missing-value", "out-of-range", "not-in-list", "unknown-reference", "pattern-mismatch",
            "spreadsheet-error", "duplicate-key", "zero-report-not-zero", "unapproved-return",
            "admitted-without-approval", "fever-admitted", "isolation-start-after-date", "future-date",
            "stock-below-zero", "too-few-readings", "disinfection-below-plan", "concentration-outside-plan",
            "count-jump", "decimal-slip", "unknown-column", "unknown-sheet"} <= codes


def test_generator_reproduces_the_committed_demo(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "demo", "--out", str(tmp_path)],
                   check=True, capture_output=True, cwd=ROOT, timeout=300)
    committed = ROOT / "examples" / "demo_csv"
    for path in sorted(committed.glob("*.csv")):
        assert (tmp_path / "demo_csv" / path.name).read_bytes() == path.read_bytes(), path.name
    assert json.loads((tmp_path / "demo-expected.json").read_text(encoding="utf-8")) == MANIFEST
