"""Benchmarks of the foundation (not timed tests): P1 check speed and memory, P4 xlsx reading.

    python bench/bench_check.py                 # P1 on ~10 M cells of CSV, P4 on ~2.5 M cells of xlsx
    python bench/bench_check.py --cells 1000000 --no-frictionless

P1: `python -m sync check` of a CSV folder (a roster plus logs at Google's 10 M-cell cap),
wall time and peak RSS of the whole process, best of --repeat runs, the split between
reading, typing and rules, and `frictionless validate` of the same files with the exported
Table Schema (in a venv of its own under bench/out, so its pins never touch ours).
P4: cells per second of the xlsx reader (calamine) and, for the choice, openpyxl read-only.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


def generate(kind: str, cells: int, folder: Path) -> Path:
    if not folder.exists():
        subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "bench", "--out", str(folder),
                        "--format", kind, "--cells", str(cells)], check=True, cwd=ROOT)
    return folder


def count_cells(workbook) -> int:
    return sum(t.n_rows * len(t.columns) for t in workbook.tables)


def p1(folder: Path, repeat: int) -> dict:
    walls, peaks = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "sync", "check", "--source", str(folder), "--date", "2020-06-30",
                              "--format", "json"], capture_output=True, cwd=ROOT)
        walls.append(time.perf_counter() - started)
        peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
        assert out.returncode in (0, 1), out.stderr.decode()
    from sync import policy
    from sync.read import read_source
    from sync.validate import validate
    started = time.perf_counter()
    workbook = read_source(folder)
    read_s = time.perf_counter() - started
    result = validate(workbook, policy.load(ROOT / "policies"), dt.date(2020, 6, 30))
    return {"cells": count_cells(workbook), "wall_s": min(walls), "peak_rss_mb": max(peaks), "read_s": read_s,
            "typing_s": result.seconds["typing"], "rules_s": result.seconds["rules"], "issues": len(result.issues)}


def frictionless(folder: Path, timeout: float) -> tuple[float | None, int]:
    """Seconds for `frictionless validate` of every file, and the rows it reports having read."""
    venv = OUT / "fl-venv"
    if not (venv / "bin" / "frictionless").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "frictionless==5.21.0"], check=True)
    schemas = OUT / "schemas"
    subprocess.run([sys.executable, "-m", "sync", "schema", "export", str(schemas)], check=True, cwd=ROOT,
                   capture_output=True)
    from sync import policy
    sheets = policy.load(ROOT / "policies").sheets
    rows = 0
    started = time.perf_counter()
    for name, sheet in sheets.items():
        path = folder / f"{sheet.title['zh']}.csv"
        try:
            out = subprocess.run([str(venv / "bin" / "frictionless"), "validate", str(path), "--schema",
                                  str(schemas / f"{name}.schema.json"), "--json",
                                  # all rows, like ours: by default frictionless stops at 1,000 errors
                                  "--limit-errors", "1000000000",
                                  "--trusted"],      # else it refuses the schema's absolute path
                                 capture_output=True,
                                 timeout=max(1.0, timeout - (time.perf_counter() - started)))
        except subprocess.TimeoutExpired:
            return None, rows
        report = json.loads(out.stdout)
        rows += sum(task["stats"].get("rows", 0) for task in report["tasks"])
        if any(e["type"] == "resource-error" for task in report["tasks"] for e in task["errors"]):
            raise RuntimeError(f"frictionless could not read {path}: {out.stdout[:500]!r}")
    return time.perf_counter() - started, rows


def p4(path: Path) -> dict:
    from sync.read.xlsx import read_workbook
    started = time.perf_counter()
    workbook = read_workbook(path)
    seconds = time.perf_counter() - started
    cells = count_cells(workbook)
    import openpyxl
    started = time.perf_counter()
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = 0
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            n += len(row)
    openpyxl_s = time.perf_counter() - started
    return {"cells": cells, "calamine_s": seconds, "calamine_cells_per_s": cells / seconds,
            "openpyxl_s": openpyxl_s, "openpyxl_cells_per_s": n / openpyxl_s}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, default=10_000_000)
    parser.add_argument("--xlsx-cells", type=int, default=2_500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-frictionless", action="store_true")
    parser.add_argument("--frictionless-timeout", type=float, default=1800)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    folder = generate("csv", args.cells, OUT / f"csv_{args.cells}")
    figures = {"p1": p1(folder, args.repeat)}
    print(f"P1 check {figures['p1']['cells']:,} cells: {figures['p1']['wall_s']:.2f} s wall (target <= 3), "
          f"peak RSS {figures['p1']['peak_rss_mb']:.0f} MB (target <= 2048); in-process read "
          f"{figures['p1']['read_s']:.2f} s, typing {figures['p1']['typing_s']:.2f} s, rules {figures['p1']['rules_s']:.2f} s",
          flush=True)
    if not args.no_frictionless:
        seconds, rows = frictionless(folder, args.frictionless_timeout)
        figures["frictionless_s"], figures["frictionless_rows"] = seconds, rows
        ratio = f"{seconds / figures['p1']['wall_s']:.0f}x" if seconds else f"> {args.frictionless_timeout:.0f} s"
        print(f"P1 frictionless validate, same files and exported schemas, {rows:,} rows read: "
              f"{seconds if seconds is None else round(seconds, 1)} s; ratio {ratio} (goal >= 5x)", flush=True)
    book = generate("xlsx", args.xlsx_cells, OUT / f"xlsx_{args.xlsx_cells}")
    xlsx = next(book.glob("*.xlsx"))
    figures["p4"] = p4(xlsx)
    print(f"P4 xlsx reader: {figures['p4']['cells']:,} cells in {figures['p4']['calamine_s']:.2f} s = "
          f"{figures['p4']['calamine_cells_per_s'] / 1e6:.2f} M cells/s (target >= 2); openpyxl read-only "
          f"{figures['p4']['openpyxl_cells_per_s'] / 1e6:.2f} M cells/s")
    (OUT / "bench_check.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
