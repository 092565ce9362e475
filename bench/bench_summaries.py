"""Time `check` and the daily summaries on the generator's benchmark workbook (not a test).

    python examples/generate.py bench --out bench/out --format xlsx --students 20000 --days 90
    python bench/bench_summaries.py bench/out/bench.xlsx

Prints the seconds for reading + validating (what `check` does), for the summaries of every
day found in unit_daily (public summary, private detail, unit table), and for rendering and
writing every output of those days into a temporary folder. The target: summaries of 90 days
of a 20,000-student campus in at most 5 s beyond check.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sync import policy as policy_mod  # noqa: E402
from sync.publish.daily import Outputs  # noqa: E402
from sync.read import read_source  # noqa: E402
from sync.summarize import Digest  # noqa: E402
from sync.validate import validate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="the bench workbook (.xlsx) or folder of .csv files")
    parser.add_argument("--policies", default=str(ROOT / "policies"))
    args = parser.parse_args()
    policy = policy_mod.load(args.policies)

    start = time.perf_counter()
    workbook = read_source(args.source)
    table = next(t for t in workbook.tables if t.title in ("单位日报", "unit_daily", "Unit daily report"))
    # The run's days: those the unit reports cover (validation is as of the last one, as `run` does).
    from sync.validate.parse import parse_date
    dates = sorted({parse_date(t) for t in table.columns[0].uniques if t.strip()})
    result = validate(workbook, policy, dates[-1])
    checked = time.perf_counter()

    digest = Digest(result, policy)
    for day in dates:
        digest.summary(day)
        digest.private(day)
        digest.unit_rows(day)
    summarized = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        outputs = Outputs(Path(tmp) / "data", Path(tmp) / "site")
        digest = Digest(result, policy)
        for day in dates:
            outputs.write_day(digest, day)
        outputs.write_lists(policy.dates)
    written = time.perf_counter()

    rows = sum(t.n_rows for t in result.tables.values())
    print(f"source: {args.source} ({rows:,} rows, {len(dates)} days {dates[0]}..{dates[-1]}, "
          f"{len(result.issues)} issues)")
    print(f"check (read + validate):               {checked - start:7.2f} s")
    print(f"summaries (public + private + units):  {summarized - checked:7.2f} s")
    print(f"summaries + render + write every file: {written - summarized:7.2f} s")


if __name__ == "__main__":
    main()
