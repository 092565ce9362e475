"""The scheduler: campus time whatever the machine's zone, one line per job, a failing job does not
stop the next, one scheduler at a time, SIGTERM stops it cleanly; --once runs the day's jobs now."""
from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zoneinfo
from pathlib import Path

import pytest

from conftest import BASELINE, POLICIES, ROOT, write_csv
from sync import policy as policy_mod
from sync.errors import ConfigError
from sync.schedule import Scheduler

TZ = "Asia/Shanghai"
ENV = {k: v for k, v in os.environ.items() if not k.startswith("CAMPUS_")}


def sync(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sync", *args], cwd=ROOT, env=ENV, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def policies_with(tmp_path: Path, schedule: str) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(POLICIES, folder)
    campus = folder / "campus.yml"
    text = campus.read_text(encoding="utf-8")
    campus.write_text(text[:text.index("schedule:")] + schedule, encoding="utf-8")
    return folder


def test_times_are_campus_time_whatever_the_machine_zone():
    probe = ("import zoneinfo; from sync import policy; from sync.schedule import Scheduler; p = policy.load(); "
             "s = Scheduler(p.schedule, p.campus['timezone'], None); s.plan(); z = zoneinfo.ZoneInfo('Asia/Shanghai'); "
             "print(sorted(j.next_run.astimezone(z).strftime('%H:%M') for j in s.jobs.jobs))")
    for zone in ("America/New_York", "Europe/Berlin", "UTC", "Asia/Shanghai"):
        out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env={**ENV, "TZ": zone}, capture_output=True,
                             text=True, check=True)
        assert out.stdout.strip() == "['09:30', '09:55', '10:15', '22:00']", (zone, out.stdout, out.stderr)


def soon(seconds: float) -> str:
    return (dt.datetime.now(zoneinfo.ZoneInfo(TZ)) + dt.timedelta(seconds=seconds)).strftime("%H:%M:%S")


def start(scheduler: Scheduler) -> threading.Thread:
    thread = threading.Thread(target=scheduler.loop, daemon=True)
    thread.start()
    return thread


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_failing_job_does_not_stop_the_next():
    commands = {"fail": [sys.executable, "-c", "import sys; print('boom', file=sys.stderr); sys.exit(2)"],
                "missing": ["/nonexistent/program"],
                "ok": [sys.executable, "-c", "print('all done')"]}
    log: list[str] = []
    scheduler = Scheduler([{"at": soon(2), "jobs": ["fail", "missing"]}, {"at": soon(3), "jobs": ["ok"]}], TZ,
                          commands.__getitem__, log.append)
    thread = start(scheduler)
    wait_for(lambda: any(" ok exit" in line for line in log))
    scheduler.stop.set()
    thread.join(10)
    assert not thread.is_alive()
    jobs = [line.split(" ", 2)[1:] for line in log[1:-1]]
    assert [j[0] for j in jobs] == ["fail", "missing", "ok"], log
    assert jobs[0][1].startswith("exit 2 (failed)") and jobs[0][1].endswith(": boom")
    assert jobs[1][1].startswith("exit -1 (crashed)") and "FileNotFoundError" in jobs[1][1]
    assert jobs[2][1].startswith("exit 0 (ok)") and jobs[2][1].endswith(": all done")
    assert "scheduler started" in log[0] and log[-1].endswith("scheduler stopped")


def test_stopping_lets_the_running_job_finish_and_starts_no_other(tmp_path):
    log: list[str] = []
    started = tmp_path / "started"
    commands = {"slow": [sys.executable, "-c", f"import pathlib, time; pathlib.Path({str(started)!r}).touch(); "
                                               f"time.sleep(2); print('finished')"],
                "next": [sys.executable, "-c", "print('should not run')"]}
    scheduler = Scheduler([{"at": soon(1), "jobs": ["slow", "next"]}], TZ, commands.__getitem__, log.append)
    thread = start(scheduler)
    wait_for(started.exists)
    scheduler.stop.set()                        # while "slow" runs
    thread.join(15)
    assert [line.split(" ")[1] for line in log[1:-1]] == ["slow"] and log[1].endswith(": finished"), log


def test_one_scheduler_at_a_time_and_sigterm_stops_it_cleanly(tmp_path):
    source = write_csv(tmp_path / "book", copy.deepcopy(BASELINE))
    args = ["schedule", "--source", str(source), "--out", str(tmp_path / "data")]
    first = sync(*args)
    try:
        line = first.stdout.readline()
        assert "scheduler started (Asia/Shanghai); next: " in line and "remind 20" in line, line
        second = sync(*args)
        out, err = second.communicate(timeout=30)
        assert second.returncode == 2 and "another scheduler is in progress" in err, (out, err)
        assert f"pid {first.pid}" in err
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=30)
    finally:
        first.kill()
    assert first.returncode == 0, err
    assert "SIGTERM: stopping after the current job" in out and out.rstrip().endswith("scheduler stopped")
    # The lock went with the process: a new scheduler starts at once.
    third = sync(*args)
    try:
        assert "scheduler started" in third.stdout.readline()
    finally:
        third.send_signal(signal.SIGTERM)
        third.communicate(timeout=30)
    assert third.returncode == 0


def test_once_runs_each_job_of_the_day_now_and_survives_a_failure(tmp_path):
    policies = policies_with(tmp_path, 'schedule:\n  - {at: "09:30", jobs: [remind]}\n'
                                       '  - {at: "10:15", jobs: [run]}\n  - {at: "22:00", jobs: [run]}\n')
    source = write_csv(tmp_path / "book", copy.deepcopy(BASELINE))
    proc = sync("schedule", "--once", "--source", str(source), "--policies", str(policies), "--out",
                str(tmp_path / "data"), "--site", str(tmp_path / "site"))
    out, err = proc.communicate(timeout=120)
    lines = out.splitlines()
    assert [line.split(" ")[1] for line in lines] == ["remind", "run"], (out, err)     # run once, not twice
    assert " remind exit 2 (failed)" in lines[0] and "CAMPUS_SMTP_HOST" in lines[0]      # no channel set up
    assert " run exit 0 (ok)" in lines[1]
    today = policy_mod.load(POLICIES).today()
    assert (tmp_path / "data" / "summaries" / f"{today}.json").is_file()
    assert proc.returncode == 2


def test_schedule_is_checked_with_file_and_line(tmp_path):
    policies = policies_with(tmp_path, 'schedule:\n  - {at: "9:30", jobs: [remind]}\n'
                                       '  - {at: "10:15", jobs: [run, publish]}\n  - {at: "10:15", jobs: [build]}\n'
                                       '  - {at: "22:00"}\n')
    with pytest.raises(ConfigError) as caught:
        policy_mod.load(policies)
    campus = policies / "campus.yml"
    first = next(i for i, line in enumerate(campus.read_text(encoding="utf-8").splitlines(), 1) if "9:30" in line)
    assert caught.value.problems == [
        f"{campus}:{first}: schedule[0].at: expected a time such as \"10:15\" (quoted); got '9:30'",
        f"{campus}:{first + 1}: schedule[1].jobs[1]: unknown job 'publish'; expected one of remind, run, build, rollup",
        f"{campus}:{first + 2}: schedule[2].at: 10:15 is already scheduled: list its jobs once",
        f"{campus}:{first + 3}: schedule[3]: missing key 'jobs'",
    ]


def test_schedule_needs_a_source_and_a_schedule(tmp_path):
    proc = sync("schedule", "--once", "--out", str(tmp_path / "data"))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "SYNC_SOURCE" in err
    policies = policies_with(tmp_path, "")
    proc = sync("schedule", "--source", "x", "--policies", str(policies), "--out", str(tmp_path / "data"))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "no schedule: section" in err
