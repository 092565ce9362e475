"""Options and types more than one module of verbs uses (sync/cli.py, sync/cli_site.py)."""
from __future__ import annotations

import datetime as dt

import click

POLICIES = click.option("--policies", default="policies", show_default=True, type=click.Path(),
                        help="The policies folder (campus, lists, sheet schemas).")


class _Date(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date such as 2020-02-11", param, ctx)


DATE = _Date()
