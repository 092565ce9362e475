"""Time the province roll-up: 120 campuses x 365 days of public summaries (not a test).

    python bench/bench_rollup.py [--campuses 120] [--days 365] [--out bench/out/rollup]

Generates one year of a campus's /data/ files (bench/site_year.py's summaries, with unit rows
that add up to each day's totals), copies it for every campus, then measures, each in a fresh
process (peak memory is that process's ru_maxrss):
  1. the first roll-up from local folders (no cache; the province site built);
  2. the first roll-up from loopback HTTP servers (two server processes, 127.0.0.1 only);
  3. the next day's refresh over HTTP: one new day per campus, conditional requests.
Targets: 1 <= 30 s, 2 <= 60 s, 3 <= 5 s, peak memory <= 1 GiB. --history 365 (the default here)
reads every day of every campus; a province config's default, 30, reads the last 37 days.
A first roll-up reads each campus's index.json, days.csv and the day shown (its summary and unit
table): 4 requests; the next day's refresh reads index.json and the new day's two files
(fetch.per_day_up_to, 7, is the most new days read file by file).
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

COUNTS = ["students_on_campus", "staff_on_campus", "fever", "suspected", "confirmed", "isolated"]


def export_csv(summary: dict, units: list[dict]) -> bytes:
    """The upward report's CSV for a generated day, its unit rows adding up to the summary's totals."""
    labels = summary["labels"]["counts"]
    head = ["单位代码 Unit id", "单位 Unit", "Unit (English)", "已报 Reported", "零报告 Zero report",
            "填报时间 Submitted at", "是否按时 On time"] + [f"{labels[c]['zh']} {labels[c]['en']}" for c in COUNTS]
    missing = {m["id"] for m in (summary.get("reporting") or {}).get("missing", [])}
    done = [u for u in units if u["id"] not in missing]
    lines = [",".join(head)]
    for u in units:
        if u["id"] in missing:
            lines.append(",".join([u["id"], u["zh"], u["en"], "否 no (未报 missing)"] + [""] * (len(head) - 4)))
            continue
        k = done.index(u)
        shares = [summary["units"][c] // len(done) + (k < summary["units"][c] % len(done)) for c in COUNTS]
        lines.append(",".join([u["id"], u["zh"], u["en"], "是 yes", "否 no", f"{summary['date']} 09:00",
                               "按时 on time"] + [str(s) for s in shares]))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def generate(out: Path, campuses: int, days: int) -> dict:
    import site_year
    from campus_sites import write_site
    site_year.DAYS = days + days // 10 + 10         # a few days are skipped or unreadable there
    year = out / "year"
    shutil.rmtree(year, ignore_errors=True)
    site_year.summaries(year, random.Random(2020))
    summaries = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((year / "data" / "summaries").glob("*.json"))]
    summaries = [s for s in summaries if s["units"] is not None][:days + 1]   # the bench reads, not refuses
    units = site_year._units()
    exports = year / "data" / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    for s in summaries:
        (exports / f"{s['date']}.csv").write_bytes(export_csv(s, units))
    first, last = summaries[:days], summaries[days]
    template = out / "template"
    shutil.rmtree(template, ignore_errors=True)
    write_site(template / "today", first, exports)
    write_site(template / "tomorrow", first + [last], exports)
    sites = out / "campuses"
    shutil.rmtree(sites, ignore_errors=True)
    for k in range(campuses):
        shutil.copytree(template / "today", sites / f"c{k:03d}")
    return {"campuses": campuses, "days": len(first), "first_day": first[0]["date"], "day": first[-1]["date"],
            "next_day": last["date"], "files_per_campus": sum(1 for _ in (template / "today").rglob("*") if _.is_file()),
            "campus_mb": round(sum(p.stat().st_size for p in (template / "today").rglob("*") if p.is_file()) / 2**20, 1)}


def config(out: Path, name: str, where: list[str], http: bool, history: int) -> Path:
    campuses = [{"id": f"c{k:03d}", "name": {"zh": f"第{k}大学", "en": f"University {k}"}, "report_by": "23:59",
                 **({"url": w} if http else {"folder": w})} for k, w in enumerate(where)]
    body = {"province": {"zh": "基准省", "en": "Bench province"}, "campuses": campuses,
            "fetch": {"concurrency": 8, "retries": 1, "backoff": 0.1}, "history_days": history}
    path = out / f"{name}.yml"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


RUN = """
import datetime as dt, json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
start = time.perf_counter(); cpu = time.process_time()
import sync.rollup as r
from sync.publish import site as site_pub
o = r.rollup({config!r}, {out!r}, dt.date.fromisoformat({day!r}), build=False)
fetched, fetched_cpu = time.perf_counter(), time.process_time()
if {build!r}:       # the province site, as rollup(build=True) makes it
    out = Path({out!r}).resolve()
    site_pub.build(r._mkdocs(Path({mkdocs!r}), out, out / "site", "bench"), out / "public")
print(json.dumps({{"read_check_pages_s": round(fetched - start, 2), "read_check_pages_cpu_s": round(fetched_cpu - cpu, 2),
                  "site_build_s": round(time.perf_counter() - fetched, 2),
                  "total_s": round(time.perf_counter() - start, 2), "total_cpu_s": round(time.process_time() - cpu, 2),
                  "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "requests": o.requests, "downloaded_mb": round(o.downloaded / 2**20, 1),
                  "not_modified": sum(f.not_modified for f in o.fetched),
                  "in_totals": len(o.assessment.included), "campuses": len(o.assessment.views)}}))
"""

SERVE = """
import sys, time
sys.path.insert(0, {tests!r}); sys.path.insert(0, {root!r})
from pathlib import Path
from campus_sites import Server
servers = [Server(Path(p)) for p in {roots!r}]
print(" ".join(s.url for s in servers), flush=True)
sys.stdin.read()          # until the bench closes our stdin
"""


def measure(config_path: Path, out: Path, day: str, build: bool = True) -> dict:
    code = RUN.format(root=str(ROOT), config=str(config_path), out=str(out), day=day,
                      mkdocs=str(ROOT / "mkdocs.yml"), build=build)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_1min"] = round(os.getloadavg()[0], 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campuses", type=int, default=120)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "rollup"))
    parser.add_argument("--history", type=int, default=365,
                        help="history_days of the province config: how many days of each campus are read")
    parser.add_argument("--local-only", action="store_true", help="measure the local folders only (no HTTP)")
    args = parser.parse_args()
    out = Path(args.out).resolve()         # the configs name the folders absolutely
    made = generate(out, args.campuses, args.days)
    sites = sorted((out / "campuses").iterdir())
    report: dict = {"input": {**made, "history_days": args.history}}
    shutil.rmtree(out / "local", ignore_errors=True)
    report["local_first"] = measure(config(out, "local", [str(p) for p in sites], False, args.history), out / "local", made["day"])
    if args.local_only:
        print(json.dumps(report, indent=2))
        return
    halves = [sites[: len(sites) // 2], sites[len(sites) // 2:]]
    servers = [subprocess.Popen([sys.executable, "-c", SERVE.format(tests=str(ROOT / "tests"), root=str(ROOT),
                                                                    roots=[str(p) for p in half])],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for half in halves]
    try:
        urls = [u for s in servers for u in s.stdout.readline().split()]
        cfg = config(out, "http", urls, True, args.history)
        shutil.rmtree(out / "http", ignore_errors=True)
        report["http_first"] = measure(cfg, out / "http", made["day"])
        report["http_unchanged"] = measure(cfg, out / "http", made["day"], build=False)
        for site in sites:           # the next morning: every campus publishes one more day
            shutil.copytree(out / "template" / "tomorrow" / "data", site / "data", dirs_exist_ok=True)
        report["http_next_day"] = measure(cfg, out / "http", made["next_day"])
    finally:
        for s in servers:
            s.stdin.close()
            s.wait(timeout=30)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
