"""`python -m sync schedule`: run the day's jobs at the times in campus.yml, for a semester, on one PC.

Times are campus time (campus.yml `timezone`, e.g. Asia/Shanghai) whatever the machine's own zone.
Each job runs as its own `python -m sync <job>` process, so a job that fails, hangs on the
network or leaks memory takes nothing down with it: it is logged (one line per job) and the next
job still runs. The run lock (data/run.lock) keeps a job from overlapping a manual run; the
scheduler lock (data/schedule.lock) keeps a second scheduler from starting. SIGTERM or Ctrl+C
lets the running job finish, starts no other, and exits 0.
"""
from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import threading
import time
import zoneinfo
from pathlib import Path
from typing import Callable

import schedule as schedule_lib

STATUS = {0: "ok", 1: "ok, data errors", 2: "failed", 3: "refused to publish"}


def command(job: str, source: str | None, policies: str, out: str, site: str, config: str,
            province: str | None = None) -> list[str]:
    """The command line of one job, as a person would type it."""
    if job == "rollup":     # the province office's job: its campuses.yml, the province site beside OUT
        return [sys.executable, "-m", "sync", "rollup", "--config", province or "", "--out",
                str(Path(out) / "province"), "--config-site", config]
    argv = [sys.executable, "-m", "sync", job, "--policies", policies]
    if job in ("remind", "run"):
        argv += ["--source", source or "", "--out", out]
    if job == "run":
        argv += ["--site", site]
    if job == "build":
        argv += ["--summaries", str(Path(out) / "summaries"), "--config", config]
    return argv


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


class Scheduler:
    def __init__(self, slots: list[dict], timezone: str, argv: Callable[[str], list[str]],
                 log: Callable[[str], None] | None = None):
        self.slots, self.timezone, self.argv = slots, timezone, argv
        self.log = log or (lambda line: print(line, flush=True))
        self.stop = threading.Event()
        self.jobs = schedule_lib.Scheduler()

    def now(self) -> str:
        return dt.datetime.now(dt.timezone.utc).astimezone(zoneinfo.ZoneInfo(self.timezone)).isoformat(timespec="seconds")

    def run_job(self, name: str) -> int:
        """Run one job to its end and log one line; never raises."""
        started = time.monotonic()
        try:
            done = subprocess.run(self.argv(name), capture_output=True, text=True, errors="replace")
            out, err = _last_line(done.stdout), _last_line(done.stderr)
            code, said = done.returncode, (err or out) if done.returncode else (out or err)
        except Exception as exc:        # the job could not even start: log it, keep the schedule
            code, said = -1, f"{type(exc).__name__}: {exc}"
        status = STATUS.get(code, "crashed")
        self.log(f"{self.now()} {name} exit {code} ({status}) {time.monotonic() - started:.1f}s: {said}")
        return code

    def run_slot(self, names: list[str]) -> list[int]:
        codes = []
        for name in names:
            if self.stop.is_set():      # asked to stop: finish the job at hand, start no other
                break
            codes.append(self.run_job(name))
        return codes

    def once(self) -> int:
        """Every job of the day now, each once, in the order of the day; the worst exit code."""
        names = list(dict.fromkeys(name for slot in self.slots for name in slot["jobs"]))
        return max((code if code >= 0 else 2 for code in self.run_slot(names)), default=0)   # killed: 2

    def plan(self) -> None:
        self.jobs.clear()
        for slot in self.slots:
            self.jobs.every().day.at(slot["at"], self.timezone).do(self.run_slot, list(slot["jobs"]))

    def next_runs(self) -> str:
        zone = zoneinfo.ZoneInfo(self.timezone)
        runs = []
        for job in sorted(self.jobs.jobs, key=lambda j: j.next_run or dt.datetime.max):
            if job.job_func is not None and job.next_run is not None:
                runs.append(f"{'+'.join(job.job_func.args[0])} {job.next_run.astimezone(zone):%Y-%m-%d %H:%M}")
        return ", ".join(runs)

    def loop(self) -> None:
        """Until stop is set (SIGTERM/SIGINT when run from the command line)."""
        self.plan()
        self.log(f"{self.now()} scheduler started ({self.timezone}); next: {self.next_runs()}")
        while not self.stop.is_set():
            try:
                self.jobs.run_pending()
            except Exception as exc:    # defensive: run_job never raises, schedule itself might
                self.log(f"{self.now()} scheduler error {type(exc).__name__}: {exc}")
            idle = self.jobs.idle_seconds
            self.stop.wait(30 if idle is None else min(max(idle, 0.1), 30))
        self.log(f"{self.now()} scheduler stopped")

    def stop_on_signals(self) -> None:
        def handler(signum, frame):
            self.log(f"{self.now()} {signal.Signals(signum).name}: stopping after the current job")
            self.stop.set()
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
