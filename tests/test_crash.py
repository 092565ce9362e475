"""SIGKILL at the worst moments, then a re-run: the site and the archive are intact, the run lock is
free, and the next run completes. Real `python -m sync` processes, killed with os.kill."""
from __future__ import annotations

import copy
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import BASELINE, POLICIES, ROOT, write_csv
from test_site import make_project

DEMO = ROOT / "examples" / "demo.xlsx"
ENV = {**{k: v for k, v in os.environ.items() if not k.startswith(("CAMPUS_", "SITE_URL"))}, "PYTHONPATH": str(ROOT)}

# Runs `python -m sync ...` with a pause inside the Nth write transaction of the archive: after
# PAUSE_AFTER progress callbacks (one per 10 SQLite VM steps), it touches MARKER and sleeps, holding the
# transaction open for the test to kill it. Only the stdlib is patched; the code under test is not.
PAUSING = """
import os, runpy, sqlite3, sys, time
nth, after, marker = int(os.environ["PAUSE_IN"]), int(os.environ["PAUSE_AFTER"]), os.environ["MARKER"]
class Pausing(sqlite3.Connection):
    begins = calls = 0
    def execute(self, sql, *args):
        if sql.startswith("BEGIN"):
            Pausing.begins += 1
            if Pausing.begins == nth:
                self.set_progress_handler(self.pause, 10)
        return super().execute(sql, *args)
    def pause(self):
        Pausing.calls += 1
        if Pausing.calls == after and self.in_transaction:
            open(marker, "w").close()
            time.sleep(120)
        return 0
connect = sqlite3.connect
sqlite3.connect = lambda *a, **k: connect(*a, factory=Pausing, **k)
sys.argv = ["sync", *sys.argv[1:]]
runpy.run_module("sync", run_name="__main__")
"""


def wait_for(predicate, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, f"exited {proc.returncode} before the moment to kill: {proc.communicate()}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def archive_state(path: Path) -> tuple:
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return (db.execute("SELECT id, status FROM runs ORDER BY id").fetchall(),
                db.execute("SELECT count(*) FROM versions").fetchone()[0],
                db.execute("SELECT count(*) FROM publications").fetchone()[0])
    finally:
        db.close()


@pytest.mark.parametrize("transaction, after", [(1, 2000), (2, 3)], ids=["storing-the-read", "recording-publication"])
def test_sigkill_during_an_archive_write(tmp_path, transaction, after):
    out = tmp_path / "data"
    base = ["run", "--policies", str(POLICIES), "--out", str(out), "--site", str(tmp_path / "site"),
            "--date", "2020-02-11"]
    first = subprocess.run([sys.executable, "-m", "sync", *base, "--source",
                            str(write_csv(tmp_path / "book", copy.deepcopy(BASELINE)))],
                           cwd=ROOT, env=ENV, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    before = archive_state(out / "archive.sqlite")
    assert before[0] == [(1, "published")]
    # The demo is larger, with other headers: forced, and killed inside the chosen transaction.
    again = base + ["--source", str(DEMO), "--force", "--reason", "a new workbook"]
    marker = tmp_path / "paused"
    proc = subprocess.Popen([sys.executable, "-c", PAUSING, *again], cwd=ROOT, text=True,
                            env={**ENV, "PAUSE_IN": str(transaction), "PAUSE_AFTER": str(after), "MARKER": str(marker)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(marker.exists, proc)
    finally:
        kill(proc)
    # The archive is exactly as the last committed transaction left it.
    runs, versions, publications = archive_state(out / "archive.sqlite")
    if transaction == 1:
        assert (runs, versions, publications) == before           # the whole read is rolled back
    else:
        assert runs == [(1, "published"), (2, "read")] and versions > before[1] and publications == before[2]
    # The lock died with the process, and the re-run completes.
    rerun = subprocess.run([sys.executable, "-m", "sync", *again], cwd=ROOT, env=ENV, capture_output=True, text=True)
    assert rerun.returncode in (0, 1), rerun.stderr
    runs, versions, publications = archive_state(out / "archive.sqlite")
    assert runs[0] == (1, "published") and runs[-1][1] == "published" and publications == before[2] + 1
    assert not list(out.rglob("*.tmp"))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The demo's summaries and a copy of the site sources, built once."""
    tmp = make_project(tmp_path_factory.mktemp("crash"), hostile=False)
    assert build(tmp).returncode == 0
    return tmp


def build(tmp: Path, *, pausing: dict | None = None, wait: bool = True):
    args = ["build", "--policies", "policies", "--summaries", "data/summaries", "--config", "mkdocs.yml",
            "--date", "2020-02-23"]
    if pausing is None:
        return subprocess.run([sys.executable, "-m", "sync", *args], cwd=tmp, env=ENV, capture_output=True, text=True)
    return subprocess.Popen([sys.executable, "-c", pausing.pop("script"), *args], cwd=tmp, env={**ENV, **pausing},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def leftovers(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith(".public"))


def building(tmp: Path, before: list[str]):
    """True once a build folder that was not there before holds a file: MkDocs is writing the new site."""
    return lambda: any(p.is_file() for d in tmp.glob(".public-*") if d.name not in before for p in d.rglob("*"))


def test_sigkill_during_a_build_leaves_the_previous_site_and_the_next_build_completes(project):
    good, before = fingerprint(project / "public"), leftovers(project)
    assert "index.html" in good
    proc = build(project, pausing={"script": "import runpy, sys; sys.argv = ['sync', *sys.argv[1:]]; "
                                             "runpy.run_module('sync', run_name='__main__')"})
    try:
        wait_for(building(project, before), proc)            # killed while MkDocs writes the new site
    finally:
        kill(proc)
    assert fingerprint(project / "public") == good
    done = build(project)
    assert done.returncode == 0, done.stderr
    assert (project / "public" / "index.html").is_file()


# Pauses right after the first call that renames public/ (os.rename, os.replace, or renameat2 through
# ctypes, the atomic exchange): the moment a swap made of two renames leaves no public/ at all, and
# the moment after an exchange, before the old site is removed. Only the stdlib is patched.
BETWEEN_RENAMES = """
import ctypes, os, runpy, sys, time
def pausing(call):
    def renamed(*args, **kwargs):
        result = call(*args, **kwargs)
        if any(os.path.basename(a) in ("public", b"public") for a in args if isinstance(a, (str, bytes, os.PathLike))):
            open(os.environ["MARKER"], "w").close()
            time.sleep(120)
        return result
    return renamed
os.rename, os.replace = pausing(os.rename), pausing(os.replace)
class CDLL(ctypes.CDLL):
    def __getattr__(self, name):
        found = super().__getattr__(name)
        if name == "renameat2":
            found = pausing(found)
            setattr(self, name, found)
        return found
ctypes.CDLL = CDLL
sys.argv = ["sync", *sys.argv[1:]]
runpy.run_module("sync", run_name="__main__")
"""


def test_sigkill_between_the_two_renames_of_the_swap_still_leaves_a_site(project, tmp_path):
    marker = tmp_path / "renamed"
    proc = build(project, pausing={"script": BETWEEN_RENAMES, "MARKER": str(marker)})
    try:
        wait_for(marker.exists, proc)
    finally:
        kill(proc)
    try:
        assert (project / "public" / "index.html").is_file()
    finally:
        assert build(project).returncode == 0      # leave a site for the next test either way


def test_the_next_build_cleans_up_what_a_killed_build_left(project):
    before = leftovers(project)
    proc = build(project, pausing={"script": "import runpy, sys; sys.argv = ['sync', *sys.argv[1:]]; "
                                             "runpy.run_module('sync', run_name='__main__')"})
    try:
        wait_for(building(project, before), proc)
    finally:
        kill(proc)
    assert build(project).returncode == 0
    assert leftovers(project) == []


def test_the_run_lock_is_held_while_its_process_lives_and_freed_when_it_is_killed(tmp_path):
    from sync.store.lock import Lock, LockedError
    path = tmp_path / "data" / "run.lock"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from sync.store.lock import Lock; "
                               f"Lock({str(path)!r}).acquire(); print('held', flush=True); time.sleep(120)"],
                              cwd=ROOT, env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(LockedError, match=f"pid {holder.pid} since"):
            Lock(path).acquire(wait=0.5)
    finally:
        kill(holder)
    with Lock(path).acquire(wait=5):          # no stale lock to clean up by hand
        pass


def _waiting_for_flock(folder: Path) -> bool:
    """True while some process waits for an flock on folder (/proc/locks lists waiters after '->')."""
    inode = f":{folder.stat().st_ino} "
    return any(line.split()[1:3] == ["->", "FLOCK"] and inode in line
               for line in Path("/proc/locks").read_text().splitlines())


def test_a_build_waits_for_the_one_writing_the_pages_before_it(project):
    """A manual build meeting the scheduled one: the second waits before writing a page of site/,
    then completes. (Here the test holds the lock the first build would hold.)"""
    from sync.publish.site import locked
    docs = project / "site"
    pages = fingerprint(docs)
    with locked(docs):
        proc = build(project, pausing={"script": "import runpy, sys; sys.argv = ['sync', *sys.argv[1:]]; "
                                                 "runpy.run_module('sync', run_name='__main__')"})
        try:
            wait_for(lambda: _waiting_for_flock(docs), proc)
            assert fingerprint(docs) == pages                   # nothing written while it waits
        except BaseException:
            kill(proc)
            raise
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert (project / "public" / "index.html").is_file()
