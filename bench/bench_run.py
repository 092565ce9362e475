"""Benchmark of the store (not a timed test): `run` beside `check` on the same data, side by side.

    python bench/bench_run.py                       # 1 M and 10 M cells of CSV, the 90-day catch-up, the archive size
    python bench/bench_run.py --sizes 1000000 --repeat 1
    python bench/bench_run.py --pairs 8 --no-catch-up --no-growth     # and the cold ratio pair by pair

Every figure is a whole `python -m sync` process: wall time, its own peak RSS and CPU time (os.wait4;
CPU ratios are the steadier ones on a busy shared machine):
  check      `check --date D` of the folder
  run cold   `run --date D` into an empty data folder (the archive is created and every row stored)
  run warm   the same again: the same files, found before reading (publish/unchanged.py): nothing read,
             summarized or written
  re-saved   the same cells in other bytes (each file's line ends swapped, as another writer saves it):
             read, validated and hashed, then found unchanged: nothing new stored, summarized or written
  catch-up   at 1 M cells, `run --from --to` over all 90 days in an empty folder, then again (all published)
  size       the bench campus run once a day over its last days, each on the sheets of that day:
             archive bytes per day of new rows
The runs pass --force: the 10 M folder has more errors on a day than the guard lets through.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
START = dt.date(2020, 2, 10)
DAYS = 90
DAY = START + dt.timedelta(days=45)
DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def generate(folder: Path, *extra: str) -> Path:
    if not folder.exists():
        subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "bench", "--out", str(folder),
                        "--format", "csv", *extra], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return folder


def timed(*args: str) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MiB, CPU seconds) of one `python -m sync` process."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sync", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"sync {' '.join(args)} exited {code}: {proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def best(repeat: int, *args: str, fresh: Path | None = None) -> tuple[float, float, float]:
    runs = []
    for _ in range(repeat):
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
        runs.append(timed(*args))
    return min(r[0] for r in runs), max(r[1] for r in runs), min(r[2] for r in runs)


def check_args(source: Path) -> list[str]:
    return ["check", "--source", str(source), "--date", DAY.isoformat(), "--format", "json"]


def run_args(source: Path, out: Path, *days: str) -> list[str]:
    return ["run", "--source", str(source), *days, "--out", str(out / "data"), "--site", str(out / "site"),
            "--force", "--reason", "bench"]


def size(cells: int, repeat: int) -> dict:
    source = generate(OUT / f"store-{cells}", "--cells", str(cells))
    out = OUT / f"store-{cells}-out"
    runs: dict[str, list] = {"check": [], "cold": [], "warm": [], "resaved": []}
    for _ in range(repeat):             # taken in turns, so that a busy moment of the machine hits them all
        runs["check"].append(timed(*check_args(source)))
        shutil.rmtree(out, ignore_errors=True)
        runs["cold"].append(timed(*run_args(source, out, "--date", DAY.isoformat())))
        runs["warm"].append(timed(*run_args(source, out, "--date", DAY.isoformat())))
        resave(source)
        try:
            runs["resaved"].append(timed(*run_args(source, out, "--date", DAY.isoformat())))
        finally:
            resave(source)
    check, cold, warm, resaved = ((min(r[0] for r in runs[k]), max(r[1] for r in runs[k]), min(r[2] for r in runs[k]))
                                  for k in ("check", "cold", "warm", "resaved"))
    return {"cells": cells, "check": check, "cold": cold, "warm": warm, "resaved": resaved,
            "archive_mb": (out / "data" / "archive.sqlite").stat().st_size / 2**20}


def pairs(cells: int, n: int) -> dict:
    """check and a cold run in turn, n times: the ratio pair by pair, so that a drift of the machine's
    speed hits both sides of each ratio alike."""
    source = generate(OUT / f"store-{cells}", "--cells", str(cells))
    out = OUT / f"store-{cells}-out"
    wall, cpu, peak = [], [], 0.0
    for _ in range(n):
        c = timed(*check_args(source))
        shutil.rmtree(out, ignore_errors=True)
        k = timed(*run_args(source, out, "--date", DAY.isoformat()))
        wall.append(k[0] / c[0])
        cpu.append(k[2] / c[2])
        peak = max(peak, k[1])
    return {"wall": sorted(wall), "cpu": sorted(cpu), "peak": peak}


def resave(folder: Path) -> None:
    """Each file's line ends swapped (CRLF <-> LF): the same cells in other bytes; twice, as before."""
    for path in folder.glob("*.csv"):
        data = path.read_bytes()
        path.write_bytes(data.replace(b"\r\n", b"\n") if b"\r\n" in data else data.replace(b"\n", b"\r\n"))


def catch_up(cells: int) -> dict:
    source = generate(OUT / f"store-{cells}", "--cells", str(cells))
    out = OUT / f"store-{cells}-catchup"
    span = ["--from", START.isoformat(), "--to", (START + dt.timedelta(days=DAYS - 1)).isoformat()]
    fresh = best(1, *run_args(source, out, *span), fresh=out)
    again = best(1, *run_args(source, out, *span))
    return {"fresh": fresh, "again": again}


def as_of(source: Path, folder: Path, last: dt.date) -> Path:
    """The folder as it stood on day `last`: rows of dated sheets dated after it left out."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in source.glob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        kept = [r for r in rows[1:] if not (r and (m := DATE.match(r[0].strip()))
                                             and dt.date(*map(int, m.groups())) > last)]
        with open(folder / path.name, "w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows([rows[0], *kept])
    return folder


def growth(days: int = 4) -> dict:
    """The bench campus (the generator's defaults) run once a day over its last `days` days, each day
    on the sheets as they stood that day: archive bytes added per day of new rows, once settled."""
    source = generate(OUT / "store-campus")
    out = OUT / "store-campus-out"
    shutil.rmtree(out, ignore_errors=True)
    last = START + dt.timedelta(days=DAYS - 1)
    sizes = []
    for back in range(days, -1, -1):
        day = last - dt.timedelta(days=back)
        folder = as_of(source, OUT / "store-campus-day", day) if back else source
        timed(*run_args(folder, out, "--date", day.isoformat()))
        sizes.append((out / "data" / "archive.sqlite").stat().st_size)
    steps = [b - a for a, b in zip(sizes[1:], sizes[2:])]       # the first day after the first run settles pages
    return {"first_mb": sizes[0] / 2**20, "per_day_mb": sum(steps) / len(steps) / 2**20, "days": len(steps)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="best of N for check and cold/warm runs")
    parser.add_argument("--no-catch-up", action="store_true")
    parser.add_argument("--no-growth", action="store_true")
    parser.add_argument("--pairs", type=int, default=0, metavar="N",
                        help="also N pairs of check and cold run in turn per size: the median ratio")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    # Bytecode as an installed package has it: where PYTHONDONTWRITEBYTECODE is set, every process would
    # compile sync/ again, and run imports more of it than check.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "sync")], check=True)
    print(f"load average {os.getloadavg()[0]:.1f}; wall (CPU) seconds, peak RSS")
    print(f"{'cells':>11} | {'check':>22} | {'run cold':>22} | {'run warm':>22} | {'run re-saved':>22} | "
          f"cold/check | warm/check | re-saved/check | archive")
    for cells in args.sizes:
        r = size(cells, args.repeat)
        (c, cm, cc), (k, km, kc), (w, wm, wc), (v, vm, vc) = r["check"], r["cold"], r["warm"], r["resaved"]
        print(f"{r['cells']:>11,} | {c:6.2f} ({cc:5.2f}) s {cm:4.0f} MiB | {k:6.2f} ({kc:5.2f}) s {km:4.0f} MiB | "
              f"{w:6.2f} ({wc:5.2f}) s {wm:4.0f} MiB | {v:6.2f} ({vc:5.2f}) s {vm:4.0f} MiB | "
              f"{k / c:4.2f}x ({kc / cc:4.2f}x) | {w / c:4.2f}x ({wc / cc:4.2f}x) | {v / c:4.2f}x ({vc / cc:4.2f}x) | "
              f"{r['archive_mb']:.1f} MB", flush=True)
    for cells in args.sizes if args.pairs else []:
        r = pairs(cells, args.pairs)
        wall, cpu = r["wall"], r["cpu"]
        print(f"{cells:>11,} cells, {args.pairs} pairs of check and cold run in turn: cold/check median "
              f"{statistics.median(wall):.2f}x (min {wall[0]:.2f}x, max {wall[-1]:.2f}x), CPU "
              f"{statistics.median(cpu):.2f}x; cold peak {r['peak']:.0f} MiB", flush=True)
    if not args.no_catch_up:
        r = catch_up(1_000_000)
        (f, fm, _), (a, am, _) = r["fresh"], r["again"]
        print(f"catch-up, 90 days at 1 M cells: fresh {f:.2f} s ({fm:.0f} MiB), all published {a:.2f} s "
              f"({am:.0f} MiB): {a / f:.2f}x", flush=True)
    if not args.no_growth:
        r = growth()
        print(f"archive of the bench campus: {r['first_mb']:.1f} MB after its first run, then "
              f"+{r['per_day_mb']:.2f} MB a day of new rows (mean of {r['days']} days, one run a day)")


if __name__ == "__main__":
    main()
