"""Benchmarks of the foundation (not timed tests): P1 check speed and memory, P4 xlsx reading.

    python bench/bench_check.py                 # P1 on ~10 M cells of CSV, P4 on ~2.5 M cells of xlsx
    python bench/bench_check.py --cells 1000000 --no-frictionless

P1: `python -m sync check` of a CSV folder (a roster plus logs at Google's 10 M-cell cap),
wall time and peak RSS of the whole process, best of --repeat runs, the split between
reading, typing and rules, and `frictionless validate` of the same files with the exported
Table Schema (in a venv of its own under bench/out, so its pins never touch ours).
P4: `python -m sync check` of a ~2.5 M-cell workbook with a shared-string table (as Excel writes
it) beside `frictionless validate` of each of its tabs with the exported Table Schema (in the
same separate venv, with frictionless[excel]); and our read of it, and of the same workbook with
inline strings, beside python-calamine's own read of the same file (each a fresh process, the
readers in turns), and fastexcel's and openpyxl's where installed (fastexcel is not a
dependency: `pip install --target DIR fastexcel==0.21.0` and PYTHONPATH=DIR to include it).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


def generate(kind: str, cells: int, folder: Path, *extra: str) -> Path:
    if not folder.exists():
        subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "bench", "--out", str(folder),
                        "--format", kind, "--cells", str(cells), *extra], check=True, cwd=ROOT)
    return folder


def count_cells(workbook) -> int:
    return sum(t.n_rows * len(t.columns) for t in workbook.tables)


def p1(folder: Path, repeat: int) -> dict:
    walls, peaks, cpus = [], [], []
    for _ in range(repeat):
        wall, cpu, peak = _timed_check(folder)
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak)
    from sync import policy
    from sync.read import read_source
    from sync.validate import validate
    started = time.perf_counter()
    workbook = read_source(folder)
    read_s = time.perf_counter() - started
    result = validate(workbook, policy.load(ROOT / "policies"), dt.date(2020, 6, 30))
    return {"cells": count_cells(workbook), "wall_s": min(walls), "cpu_s": min(cpus), "peak_rss_mb": max(peaks),
            "read_s": read_s,
            "typing_s": result.seconds["typing"], "rules_s": result.seconds["rules"], "issues": len(result.issues)}


def _frictionless_venv() -> Path:
    """frictionless in a venv of its own under bench/out, so its pins never touch ours; [excel]
    brings openpyxl, its .xlsx reader."""
    venv = OUT / "fl-venv"
    if not (venv / "bin" / "frictionless").exists() or \
            subprocess.run([str(venv / "bin" / "python"), "-c", "import openpyxl"], capture_output=True).returncode:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "frictionless[excel]==5.21.0"], check=True)
    return venv


def frictionless(folder: Path, timeout: float) -> tuple[float | None, int]:
    """Seconds for `frictionless validate` of every file, and the rows it reports having read."""
    return _frictionless_runs(lambda sheet: [str(folder / f"{sheet.title['zh']}.csv")], timeout)


def _frictionless_runs(target, timeout: float) -> tuple[float | None, int]:
    """`frictionless validate` of target(sheet) (the file, and for a workbook its tab) with each
    sheet's exported schema, one after another: (seconds, or None past the timeout; rows read)."""
    venv = _frictionless_venv()
    schemas = OUT / "schemas"
    subprocess.run([sys.executable, "-m", "sync", "schema", "export", str(schemas)], check=True, cwd=ROOT,
                   capture_output=True)
    from sync import policy
    sheets = policy.load(ROOT / "policies").sheets
    rows = 0
    started = time.perf_counter()
    for name, sheet in sheets.items():
        where = target(sheet)
        try:
            out = subprocess.run([str(venv / "bin" / "frictionless"), "validate", *where,
                                  "--schema", str(schemas / f"{name}.schema.json"), "--json",
                                  # all rows, like ours: by default frictionless stops at 1,000 errors
                                  "--limit-errors", "1000000000",
                                  "--trusted"],      # else it refuses the schema's absolute path
                                 capture_output=True,
                                 timeout=max(1.0, timeout - (time.perf_counter() - started)))
        except subprocess.TimeoutExpired:
            return None, rows
        report = json.loads(out.stdout)
        rows += sum(task["stats"].get("rows", 0) for task in report["tasks"])
        if any(e["type"] in ("resource-error", "source-error") for task in report["tasks"] for e in task["errors"]):
            raise RuntimeError(f"frictionless could not read {' '.join(where)}: {out.stdout[:500]!r}")
    return time.perf_counter() - started, rows


# Each read in a fresh process, so first-touch memory counts as it does in a real run.
_READ = {                                   # (imports, not timed; the read, timed)
    "ours": ("from sync.read.xlsx import read_workbook", "read_workbook(PATH)"),
    "python-calamine": ("from python_calamine import CalamineWorkbook", """
book = CalamineWorkbook.from_path(str(PATH))
for name in book.sheet_names:
    book.get_sheet_by_name(name).to_python(skip_empty_area=False)
"""),
    "fastexcel": ("import fastexcel", """
reader = fastexcel.read_excel(str(PATH))
for i in range(len(reader.sheet_names)):
    reader.load_sheet(i, header_row=None, dtypes="string").to_arrow()
"""),
}
_TIMED = """
import sys, time
from pathlib import Path
PATH = Path(sys.argv[1])
{setup}
started, cpu = time.perf_counter(), time.process_time()
{body}
print(time.perf_counter() - started, time.process_time() - cpu)
"""


def read_seconds(path: Path, reader: str) -> tuple[float, float] | None:
    """Wall and CPU seconds (all threads) of one read in a fresh process, imports not counted."""
    out = subprocess.run([sys.executable, "-c", _TIMED.format(setup=_READ[reader][0], body=_READ[reader][1]), str(path)], capture_output=True,
                         text=True, cwd=ROOT)
    if out.returncode:
        if "ModuleNotFoundError" in out.stderr:
            return None                     # fastexcel is not a dependency: measured when installed
        raise RuntimeError(out.stderr)
    wall, cpu = map(float, out.stdout.split())
    return wall, cpu


def _timed_check(source: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system: on a shared machine the steadier figure) and
    peak RSS (MB) of one `python -m sync check` of the source."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "sync", "check", "--source", str(source), "--date", "2020-06-30",
                          "--format", "json"], capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert out.returncode in (0, 1), out.stderr.decode()
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, max(before.ru_maxrss, after.ru_maxrss) / 1024


def check_seconds(path: Path, repeat: int) -> tuple[float, float, float]:
    """Best wall time, best CPU time and peak RSS (MB) of `python -m sync check` of the workbook."""
    runs = [_timed_check(path) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


def p4(path: Path, repeat: int, openpyxl: bool) -> dict:
    """Our read beside the libraries' own reads of the same file (medians of fresh processes)."""
    from sync.read.xlsx import read_workbook
    cells = count_cells(read_workbook(path))
    figures: dict = {"cells": cells}
    # In turns (ours, calamine, fastexcel, ours, ...), so that a change of the machine's load
    # falls on every reader alike.
    turns: dict[str, list] = {reader: [] for reader in _READ}
    for _ in range(repeat):
        for reader in _READ:
            turns[reader].append(read_seconds(path, reader))
    for reader, timed in turns.items():
        if None in timed:
            continue
        runs = sorted(t[0] for t in timed)
        cpus = sorted(t[1] for t in timed)
        figures[reader] = {"runs_s": runs, "median_s": runs[len(runs) // 2], "cpu_median_s": cpus[len(cpus) // 2],
                           "cells_per_s_median": cells / runs[len(runs) // 2]}
    figures["read_ratio"] = figures["ours"]["median_s"] / figures["python-calamine"]["median_s"]
    figures["read_cpu_ratio"] = figures["ours"]["cpu_median_s"] / figures["python-calamine"]["cpu_median_s"]
    if openpyxl:
        import openpyxl as opx
        started = time.perf_counter()
        book = opx.load_workbook(path, read_only=True, data_only=True)
        n = sum(len(row) for ws in book.worksheets for row in ws.iter_rows(values_only=True))
        figures["openpyxl_cells_per_s"] = n / (time.perf_counter() - started)
    return figures


def frictionless_xlsx(path: Path, timeout: float) -> tuple[float | None, int]:
    """Seconds for `frictionless validate` of every tab of the workbook with its exported schema."""
    return _frictionless_runs(lambda sheet: [str(path), "--sheet", sheet.title["zh"]], timeout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, default=10_000_000)
    parser.add_argument("--xlsx-cells", type=int, default=2_500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-frictionless", action="store_true")
    parser.add_argument("--frictionless-timeout", type=float, default=1800)
    parser.add_argument("--only", choices=("p1", "p4"), help="run one of the two")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    # Other work on the machine slows both sides of a ratio, and a multi-threaded read more than
    # a single-threaded one: the load is part of the figures.
    figures: dict = {"load_average_at_start": os.getloadavg()}
    print(f"load average {figures['load_average_at_start'][0]:.1f}", flush=True)
    if args.only != "p4":
        p1_and_frictionless(args, figures)
    if args.only != "p1":
        p4_both(args, figures)
    figures["load_average_at_end"] = os.getloadavg()
    print(f"load average {figures['load_average_at_end'][0]:.1f}", flush=True)
    (OUT / f"bench_check{'_' + args.only if args.only else ''}.json").write_text(
        json.dumps(figures, indent=2, sort_keys=True) + "\n")


def p1_and_frictionless(args, figures: dict) -> None:
    folder = generate("csv", args.cells, OUT / f"csv_{args.cells}")
    figures["p1"] = p1(folder, args.repeat)
    print(f"P1 check {figures['p1']['cells']:,} cells: {figures['p1']['wall_s']:.2f} s wall (target <= 3), "
          f"{figures['p1']['cpu_s']:.2f} s CPU, "
          f"peak RSS {figures['p1']['peak_rss_mb']:.0f} MB (target <= 2048); in-process read "
          f"{figures['p1']['read_s']:.2f} s, typing {figures['p1']['typing_s']:.2f} s, rules {figures['p1']['rules_s']:.2f} s",
          flush=True)
    if not args.no_frictionless:
        seconds, rows = frictionless(folder, args.frictionless_timeout)
        figures["frictionless_s"], figures["frictionless_rows"] = seconds, rows
        ratio = f"{seconds / figures['p1']['wall_s']:.0f}x" if seconds else f"> {args.frictionless_timeout:.0f} s"
        print(f"P1 frictionless validate, same files and exported schemas, {rows:,} rows read: "
              f"{seconds if seconds is None else round(seconds, 1)} s; ratio {ratio} (goal >= 5x)", flush=True)


def p4_both(args, figures: dict) -> None:
    for strings in ("shared", "inline"):
        folder = OUT / (f"xlsx_{args.xlsx_cells}" if strings == "inline" else f"xlsx_{args.xlsx_cells}_shared")
        xlsx = next(generate("xlsx", args.xlsx_cells, folder, "--strings", strings).glob("*.xlsx"))
        f = figures[f"p4_{strings}"] = p4(xlsx, max(args.repeat, 5), openpyxl=strings == "inline")
        libraries = "; ".join(f"{r} {f[r]['median_s']:.2f} s ({f[r]['cells_per_s_median'] / 1e6:.2f} M cells/s)"
                              for r in _READ if r in f and r != "ours")
        print(f"P4 read, {strings} strings, {f['cells']:,} cells, medians of {len(f['ours']['runs_s'])} fresh "
              f"processes: ours {f['ours']['median_s']:.2f} s = {f['read_ratio']:.2f}x python-calamine's own read "
              f"(target <= 1.3; CPU {f['ours']['cpu_median_s']:.2f} s = {f['read_cpu_ratio']:.2f}x); {libraries}"
              + (f"; openpyxl read-only {f['openpyxl_cells_per_s'] / 1e6:.2f} M cells/s" if "openpyxl_cells_per_s" in f else ""),
              flush=True)
        if strings != "shared":
            continue
        f["check_s"], f["check_cpu_s"], f["check_peak_rss_mb"] = check_seconds(xlsx, args.repeat)
        print(f"P4 check of the workbook: {f['check_s']:.2f} s wall, {f['check_cpu_s']:.2f} s CPU, best of "
              f"{args.repeat}; peak RSS {f['check_peak_rss_mb']:.0f} MB", flush=True)
        if not args.no_frictionless:
            seconds, rows = frictionless_xlsx(xlsx, args.frictionless_timeout)
            f["frictionless_s"], f["frictionless_rows"] = seconds, rows
            ratio = f"{seconds / f['check_s']:.0f}x" if seconds else f"> {args.frictionless_timeout / f['check_s']:.0f}x"
            f["frictionless_ratio"] = seconds / f["check_s"] if seconds else None
            print(f"P4 frictionless validate of the same workbook with the exported schemas, {rows:,} rows read: "
                  f"{seconds if seconds is None else round(seconds, 1)} s; ratio {ratio} (target >= 20x)", flush=True)


if __name__ == "__main__":
    main()
