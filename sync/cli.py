"""python -m sync <verb>: parse the arguments, call one library function, print the outcome.

Exit codes: 0 fine (warnings allowed), 1 data problems found, 2 usage or configuration error.
"""
from __future__ import annotations

import datetime as dt
import sys

import click

from . import issues as iss
from . import jobs
from .errors import CampusDeskError, ConfigError

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


class _Group(click.Group):
    """Turn our own exceptions into a message and exit code 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            for problem in exc.problems:
                click.echo(f"配置错误 / configuration error: {problem}", err=True)
            sys.exit(exc.exit_code)
        except CampusDeskError as exc:
            click.echo(f"错误 / error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Campus Desk: daily epidemic-prevention reports from department spreadsheets."""


@main.command()
@click.option("--source", required=True, type=click.Path(), help="An .xlsx workbook or a folder of .csv files.")
@click.option("--date", "as_of", type=DATE, help="Check as of this day (default: today in the campus time zone).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@POLICIES
def check(source, as_of, fmt, policies):
    """Validate every cell of a source; exit 1 when there are errors."""
    result = jobs.check(source, policies, as_of)
    if fmt == "json":
        click.echo(iss.to_json(result.issues), nl=False)
    else:
        titles = {name: t.sheet.title for name, t in result.tables.items()}
        click.echo(iss.to_text(result.issues, titles), nl=False)
    sys.exit(1 if result.errors else 0)


@main.group()
def schema():
    """Work with the sheet schemas."""


@schema.command("export")
@click.argument("directory", default="schemas", type=click.Path())
@POLICIES
def schema_export(directory, policies):
    """Write every sheet's schema as Table Schema JSON (for frictionless and other tools)."""
    from .schema_export import export
    for path in export(policies, directory):
        click.echo(str(path))
