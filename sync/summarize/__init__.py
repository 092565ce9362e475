"""Summarize stage: a validated Result -> each day's public summary and the office's private detail.

The public summary holds aggregates only; it never carries a cell typed into a personal-data
column. A section whose sheet is missing, empty or lacks a required column is null (absent,
not zero) and the sheet is named in `unavailable`. A day is "partial" when it has errors or
any sheet is unavailable. Use `Digest` for many days: rows are grouped by day once.

The digest is imported on first use: it pulls in the validator (numpy, pyarrow), which verbs that
only read the summary contract (lint, build, rollup) do not need.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .contract import SCHEMA_VERSION

if TYPE_CHECKING:
    from .digest import Digest, private_detail, summarize

_LAZY = ("Digest", "private_detail", "summarize")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import digest
        return getattr(digest, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SCHEMA_VERSION", *_LAZY]
