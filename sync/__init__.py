"""Campus Desk: read department sheets, validate, summarize, render and publish."""

__version__ = "0.1.0"
