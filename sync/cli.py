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


@main.command()
@click.option("--source", required=True, type=click.Path(), help="An .xlsx workbook or a folder of .csv files.")
@click.option("--date", "day", type=DATE,
              help="The day to summarize. Default: today in the campus time zone (never the latest day "
                   "found in the data: a day nobody has reported yet shows as missing, not as yesterday).")
@click.option("--from", "first", type=DATE, help="First day of a range (with --to).")
@click.option("--to", "last", type=DATE, help="Last day of a range (with --from).")
@POLICIES
@click.option("--out", default="data", show_default=True, type=click.Path(),
              help="Where summaries/, private/ and exports/ go.")
@click.option("--site", default="site", show_default=True, type=click.Path(),
              help="The site folder; pages go to its reports/.")
def run(source, day, first, last, policies, out, site):
    """Validate once, then write each day's public summary, private detail, upward report and page.

    \b
      OUT/summaries/DATE.json, latest.json   public figures (aggregates only)
      OUT/private/DATE.json                  the office's detail: names, never published
      OUT/exports/DATE.csv, DATE.xlsx        the unit-by-unit table for the province
      SITE/reports/DATE.md, index.md         the daily report pages

    Validation is as of the last day summarized. Exit 1 when the days have errors (the valid
    part is still written, marked partial), 2 on a usage or configuration error.
    """
    if day and (first or last):
        raise click.UsageError("give either --date or --from/--to, not both")
    if bool(first) != bool(last):
        raise click.UsageError("--from and --to go together")
    if first and first > last:
        raise click.UsageError("--from must not be after --to")
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)] if first else \
        ([day] if day else None)
    outcome = jobs.run(source, policies, days, out, site)
    for d in outcome.days:
        rep = d.reporting
        rate = f"{rep['reported']}/{rep['expected']} ({rep['rate'] * 100:.1f}%)" if rep and rep["rate"] is not None \
            else "—"
        state = "完整 complete" if d.status == "complete" else "不完整 partial"
        click.echo(f"{d.date}  {state}  填报 reported {rate}  错误 errors {d.errors}  警告 warnings {d.warnings}")
    errors = len(outcome.result.errors)
    click.echo(f"共 {errors} 个错误、{len(outcome.result.issues) - errors} 个警告 / "
               f"{errors} error(s), {len(outcome.result.issues) - errors} warning(s) in the source")
    sys.exit(1 if outcome.has_errors else 0)


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
