"""Render stage: summaries -> Markdown pages (report.py) and the upward report (export.py)."""
from .export import to_csv, to_xlsx
from .report import environment, render_index, render_report

__all__ = ["environment", "render_index", "render_report", "to_csv", "to_xlsx"]
