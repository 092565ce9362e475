"""A lock that keeps runs from overlapping and that a dead process does not hold.

fcntl.flock belongs to the open file, so the kernel drops it when the process exits for any
reason, SIGKILL and power-off included: there is no stale lock file to clean up by hand. The
file only carries who holds it (pid, since when) for the message a second run prints.
Unix only (Linux, macOS, WSL), like the office PC recipes in the README.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from pathlib import Path

from ..errors import CampusDeskError

WAIT = 300.0    # seconds a run waits for the one before it (a scheduled run meeting a manual one)


class LockedError(CampusDeskError):
    """Another process holds the lock; exit 2 like other problems the user fixes by waiting."""


class Lock:
    def __init__(self, path: str | Path, what: str = "run"):
        self.path, self.what = Path(path), what
        self._fd: int | None = None

    def acquire(self, wait: float = 0.0) -> "Lock":
        """Take the lock, polling for up to `wait` seconds; LockedError when it stays taken."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self.holder()
                    os.close(fd)
                    raise LockedError(f"another {self.what} is in progress ({holder}): {self.path} is locked; "
                                      f"try again when it has finished / 另一个任务正在运行，请稍后再试") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {dt.datetime.now().astimezone().isoformat(timespec='seconds')}\n"
                  .encode(), 0)
        self._fd = fd
        return self

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip() or "pid unknown"
        except OSError:
            return "pid unknown"

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)      # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> "Lock":
        return self if self._fd is not None else self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
