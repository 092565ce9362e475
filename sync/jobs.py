"""The jobs the CLI runs, one function each: they take paths and dates and return results."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import policy as policy_mod
from .read import read_source
from .validate import Result, validate


def check(source: str | Path, policies: str | Path = "policies", as_of: dt.date | None = None) -> Result:
    """Read a source and validate every cell against the policies."""
    policy = policy_mod.load(policies)
    return validate(read_source(source), policy, as_of)
