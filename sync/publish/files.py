"""Write outputs atomically: a temporary file beside the target, then os.replace.

A reader (the site build, a web server, a sync to Google) sees the old file or the new one,
never half of one. JSON is always written the stable way: sorted keys, UTF-8, indented.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

# What write_bytes leaves when its process is killed between mkstemp and os.replace:
# .<name>.<mkstemp's 8 random characters>.tmp
DEBRIS = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def stable_json(body) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_bytes(path: str | Path, data: bytes, private: bool = False) -> Path:
    """Public files are readable by a web server (0644); private ones by their owner only (0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600 if private else 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def write_text(path: str | Path, text: str, private: bool = False) -> Path:
    return write_bytes(path, text.encode("utf-8"), private)


def write_json(path: str | Path, body, private: bool = False) -> Path:
    return write_text(path, stable_json(body), private)


def remove_debris(folder: str | Path) -> list[Path]:
    """Delete the temporary files that killed writers left in folder (only write_bytes' kind).
    Call it only where no other writer can be at work (under the run lock)."""
    found = []
    for entry in os.scandir(folder) if Path(folder).is_dir() else []:
        if DEBRIS.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)
            found.append(Path(entry.path))
    return found


def remove(path: str | Path) -> bool:
    """Delete an output that would otherwise be stale; True when there was one."""
    path = Path(path)
    if path.exists():
        path.unlink()
        return True
    return False
