"""Render stage: summaries -> Markdown pages (report.py) and the upward report (export.py).

Both are imported on first use: Jinja2 and xlsxwriter are for the runs that write, not for the ones
that only read summaries back (render/summaries.py) or find nothing to write (publish/unchanged.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .export import to_csv, to_xlsx
    from .report import environment, render_index, render_report

_LAZY = {"environment": "report", "render_index": "report", "render_report": "report", "to_csv": "export",
         "to_xlsx": "export"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["environment", "render_index", "render_report", "to_csv", "to_xlsx"]
