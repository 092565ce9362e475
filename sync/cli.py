"""python -m sync <verb>: parse the arguments, call one library function, print the outcome.

Exit codes: 0 fine (warnings allowed), 1 data problems found, 2 usage or configuration error.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys

import click

from . import cli_site
from . import issues as iss
from . import jobs
from .cli_options import DATE, POLICIES
from .errors import CampusDeskError, ConfigError

SIGNOFF_STATES = {  # a day's state under `signoff: required` (sync/publish/signoff.py)
    "unsigned": "待签发，未发布 awaiting sign-off, not published (draft in OUT/private/)",
    "signed": "已签发并发布 signed and published",
    "unchanged": "已签发 signed, unchanged",
    "late-edit": "签发后有改动，改动暂不发布 changed after sign-off, held until signed again",
}


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


def entry(prog_name: str | None = None) -> None:
    """The process's entry (python -m sync, campus-desk): main, then its exit code at once, without
    the interpreter's finalization. Arrow's C++ thread pool can abort that (SIGABRT, "terminate called
    without an active exception": apache/arrow#34314, open upstream), which now and then turned a
    finished run's exit code into 134. Every output is written and closed, and the archive too,
    before main returns; only what is still buffered on stdout and stderr is left to flush."""
    try:
        main(prog_name=prog_name)
        code = 0
    except SystemExit as done:
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):    # a reader that stopped early (| head), a closed stream
            pass
    os._exit(code)


@main.command()
@click.option("--source", required=True, type=click.Path(),
              help="An .xlsx workbook, a folder of .csv files or a Google config (see examples/google.yml).")
@click.option("--date", "as_of", type=DATE, help="Check as of this day (default: today in the campus time zone).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx"]), default="text", show_default=True,
              help="xlsx: write a copy of the workbook with each problem cell highlighted and noted (--out).")
@click.option("--out", type=click.Path(), help="With --format xlsx: the annotated copy to write (.xlsx).")
@POLICIES
def check(source, as_of, fmt, out, policies):
    """Validate every cell of a source; exit 1 when there are errors."""
    if fmt == "xlsx" and not out:
        raise click.UsageError("--format xlsx needs --out FILE.xlsx")
    result = jobs.check(source, policies, as_of)
    if fmt == "xlsx":
        path, n = jobs.annotate(source, result, policies, out)
        click.echo(f"已标注 {n} 个单元格 / {n} cell(s) highlighted and noted: {path}")
    elif fmt == "json":
        click.echo(iss.to_json(result.issues), nl=False)
    else:
        titles = {name: t.sheet.title for name, t in result.tables.items()}
        click.echo(iss.to_text(result.issues, titles), nl=False)
    sys.exit(1 if result.errors else 0)


def _tabs_json(tabs: list[dict]) -> str:
    """{"tabs": [...]} with one row a line, so that a person can read it too."""
    def dump(value):
        return json.dumps(value, ensure_ascii=False)
    parts = []
    for tab in tabs:
        head = ", ".join(f"{dump(k)}: {dump(v)}" for k, v in tab.items() if k != "rows")
        rows = ",\n".join("   " + dump(row) for row in tab["rows"])
        parts.append(f' {{{head}, "rows": [\n{rows}\n ]}}' if rows else f' {{{head}, "rows": []}}')
    return '{"tabs": [\n' + ",\n".join(parts) + "\n]}" if parts else '{"tabs": []}'


@main.command("read")
@click.option("--source", required=True, type=click.Path(),
              help="An .xlsx workbook, a folder of .csv files, or a Google config (.yml).")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--sheet", help="Only this sheet (its id or title) or this tab.")
@POLICIES
def read_cmd(source, fmt, sheet, policies):
    """Print every tab's cells as the texts the validator receives, before typing."""
    tabs = jobs.read_tabs(source, sheet, policies)
    if fmt == "json":
        click.echo(_tabs_json(tabs))
        return
    if len(tabs) != 1:
        raise click.UsageError("--format csv prints one tab: choose it with --sheet (tabs: "
                               + ", ".join(t["title"] for t in tabs) + ")")
    if "unreadable" in tabs[0]:
        click.echo(f"错误 / error: {tabs[0]['unreadable']}", err=True)
        sys.exit(2)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(tabs[0]["rows"])
    click.echo(out.getvalue(), nl=False)


@main.command()
@click.option("--source", required=True, envvar="SYNC_SOURCE", type=click.Path(),
              help="An .xlsx workbook, a folder of .csv files or a Google config (or SYNC_SOURCE).")
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
@click.option("--force", is_flag=True, help="Publish even when a guard refuses (needs --reason).")
@click.option("--reason", help="Why --force is needed; kept in the archive with what it overrode.")
def run(source, day, first, last, policies, out, site, force, reason):
    """Validate once, then write each day's public summary, private detail, upward report and page.

    \b
      OUT/summaries/DATE.json, latest.json   public figures (aggregates only)
      OUT/private/DATE.json                  the office's detail: names, never published
      OUT/exports/DATE.csv, DATE.xlsx        the unit-by-unit table for the province
      SITE/reports/DATE.md, index.md         the daily report pages

    Validation is as of the last day summarized. Exit 1 when the days have errors (the valid
    part is still written, marked partial), 2 on a usage or configuration error (or another run
    holding OUT/run.lock), 3 when a guard refuses to publish: a sheet lost more than
    guards.max_row_loss of its rows or changed its header row since the last published run, or
    a day has more than guards.max_errors errors (campus.yml). Then nothing is written and the
    last good outputs stand; --force --reason TEXT publishes anyway. What was read and published
    is kept in OUT/archive.sqlite (personal data: never publish it). A re-run of exactly the
    inputs of the last published run, its files untouched, writes nothing and says so.
    """
    if force != bool(reason):
        raise click.UsageError("--force and --reason go together, e.g. --force --reason \"rows archived by HR\"")
    if day and (first or last):
        raise click.UsageError("give either --date or --from/--to, not both")
    if bool(first) != bool(last):
        raise click.UsageError("--from and --to go together")
    if first and first > last:
        raise click.UsageError("--from must not be after --to")
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)] if first else \
        ([day] if day else None)
    outcome = jobs.run(source, policies, days, out, site, reason if force else None)
    for d in outcome.days:
        rep = d.reporting
        rate = f"{rep['reported']}/{rep['expected']} ({rep['rate'] * 100:.1f}%)" if rep and rep["rate"] is not None \
            else "—"
        state = "完整 complete" if d.status == "complete" else "不完整 partial"
        signed = f"  {SIGNOFF_STATES[d.signoff]}" if d.signoff else ""
        click.echo(f"{d.date}  {state}  填报 reported {rate}  错误 errors {d.errors}  警告 warnings {d.warnings}{signed}")
    errors, warnings = outcome.source_issues
    click.echo(f"共 {errors} 个错误、{warnings} 个警告 / {errors} error(s), {warnings} warning(s) in the source")
    if outcome.unchanged is not None:
        click.echo(f"未变 unchanged: 与第 {outcome.unchanged} 次运行的输入相同，未重新汇总或写入 / the same inputs as "
                   f"run {outcome.unchanged}, published: nothing summarized or written")
    for path in outcome.restored:
        click.echo(f"已按存档恢复 restored from the archive: {path} (缺失或与已发布的不同 / missing, or not as "
                   f"published)", err=True)
    for o in outcome.written_back:
        click.echo(f"{'写回 written' if o.ok else '未写回 not written'}  {o.spreadsheet}: {o.message}", err=not o.ok)
    sys.exit(1 if outcome.has_errors else 0)


@main.command()
@click.option("--out", default="data", show_default=True, type=click.Path(), help="The folder of archive.sqlite.")
@click.option("--sheet", help="Only this sheet (its id, e.g. unit_daily).")
@POLICIES
def versions(out, sheet, policies):
    """Print every version of every row the archive holds, one JSON object a line, by sheet and id:
    id, sheet, key (a row without a primaryKey by its hash), day, first_run (the run that first read
    it) and its cells by header. Personal data: keep what it prints as private as the archive."""
    for version in jobs.versions(out, sheet, policies):
        click.echo(json.dumps(version, sort_keys=True, ensure_ascii=False))


@main.command("init-sheets")
@click.option("--config", required=True, type=click.Path(exists=True, dir_okay=False),
              help="A Google config (see examples/google.yml).")
@POLICIES
def init_sheets(config, policies):
    """Create or complete each configured Google spreadsheet's tabs: headers, dropdowns, help.

    Safe to run again: existing columns and data stay; missing columns are appended.
    """
    outcomes = jobs.init_sheets(config, policies)
    for o in outcomes:
        click.echo(f"{'完成 ok' if o.ok else '失败 failed'}  {o.spreadsheet}: {o.message}", err=not o.ok)
    sys.exit(0 if all(o.ok for o in outcomes) else 2)


@main.command()
@click.option("--source", required=True, envvar="SYNC_SOURCE", type=click.Path(),
              help="An .xlsx workbook, a folder of .csv files or a Google config (or SYNC_SOURCE).")
@click.option("--date", "day", type=DATE, help="The day to remind for (default: today in the campus time zone).")
@click.option("--dry-run", is_flag=True, help="List who would be reminded; send nothing, record nothing.")
@POLICIES
@click.option("--out", default="data", show_default=True, type=click.Path(),
              help="Where the archive (OUT/archive.sqlite) records what was sent.")
def remind(source, day, dry_run, policies, out):
    """Before the deadline, remind each unit without a valid report, by e-mail and/or a webhook.

    \b
    E-mail (STARTTLS, or SSL on 465): CAMPUS_SMTP_HOST, CAMPUS_SMTP_PORT, CAMPUS_SMTP_USER,
      CAMPUS_SMTP_PASSWORD, CAMPUS_SMTP_FROM; to each unit's `email` in policies/lists/units.yml.
    Webhook: CAMPUS_WEBHOOK_URL, CAMPUS_WEBHOOK_FORMAT (generic, wecom, dingtalk),
      CAMPUS_WEBHOOK_SECRET (DingTalk signing); one message naming every unit due.

    A unit is reminded at most once a day per channel. Exit 2 when a send failed (it is tried
    again next time) or nothing is configured, 1 when unit_daily cannot be read.
    """
    outcome = jobs.remind(source, policies, day, out, dry_run)
    if outcome.note:
        click.echo(outcome.note)
    for u in outcome.due:
        rows = f"  (rows with errors / 有错误的行: {', '.join(map(str, u.rows_with_errors))})" if u.rows_with_errors else ""
        click.echo(f"未报 missing  {u.id}  {u.zh} {u.en}{rows}")
    if dry_run:
        click.echo(f"试运行 dry run: {len(outcome.due)} unit(s) due by {outcome.deadline:%Y-%m-%d %H:%M}; nothing sent")
    for channel, units in outcome.sent.items():
        click.echo(f"已提醒 reminded by {channel}: {', '.join(units) or '—'}")
    for line in outcome.skipped:
        click.echo(f"跳过 skipped  {line}")
    for line in outcome.failed:
        click.echo(f"失败 failed  {line}", err=True)
    unreadable = outcome.note is not None and outcome.note.startswith("unit_daily")
    sys.exit(2 if outcome.failed else 1 if unreadable else 0)


@main.command("schedule")
@click.option("--source", envvar="SYNC_SOURCE", type=click.Path(),
              help="What the remind and run jobs read (or SYNC_SOURCE).")
@click.option("--once", is_flag=True, help="Run each of the day's jobs once, now, and exit with the worst code.")
@POLICIES
@click.option("--out", default="data", show_default=True, type=click.Path())
@click.option("--site", default="site", show_default=True, type=click.Path())
@click.option("--config", default="mkdocs.yml", show_default=True, type=click.Path(), help="The MkDocs config.")
@click.option("--province", envvar="SYNC_PROVINCE", type=click.Path(),
              help="The province config the rollup job reads (or SYNC_PROVINCE); its site goes to OUT/province/.")
def schedule_cmd(source, once, policies, out, site, config, province):
    """Run the jobs of campus.yml `schedule:` at their campus times (e.g. 09:30 remind, 10:15 run and
    build, 22:00 run) until SIGTERM or Ctrl+C, logging one line per job.

    Each job is its own `python -m sync <job>` process: one that fails is logged and the next
    still runs. Only one scheduler runs per OUT folder (OUT/schedule.lock).
    """
    sys.exit(jobs.schedule(source, policies, out, site, config, once, province))


@main.group()
def schema():
    """Work with the schemas: the sheets' Table Schema, the policies files' JSON Schema."""


@schema.command("policies")
@click.argument("directory", default="schemas/policies", type=click.Path())
def schema_policies(directory):
    """Write the JSON Schema of every kind of policies file (and the Google config), for editors."""
    from .config.schema import write
    for path in write(directory):
        click.echo(str(path))


@schema.command("export")
@click.argument("directory", default="schemas", type=click.Path())
@POLICIES
def schema_export(directory, policies):
    """Write every sheet's schema as Table Schema JSON (for frictionless and other tools)."""
    from .schema_export import export
    for path in export(policies, directory):
        click.echo(str(path))


@main.command()
@click.option("--date", "as_of", type=DATE, help="Check expiry as of this day (default: today in the campus time zone).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: {\"problems\": [{path, line, key, code, message}, ...]}")
@POLICIES
def lint(as_of, fmt, policies):
    """Check every file in policies/: syntax, keys, references, dates. Exit 1 when problems are found."""
    problems = jobs.lint(policies, as_of)
    if fmt == "json":
        click.echo(json.dumps({"problems": [p.as_dict() for p in problems]}, ensure_ascii=False, indent=2,
                              sort_keys=True))
    for problem in problems if fmt == "text" else []:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem(s) / 发现 {len(problems)} 个问题", err=True)
    sys.exit(1 if problems else 0)


# The verbs that build and serve the sites (sync/cli_site.py).
for _verb in (cli_site.build, cli_site.serve, cli_site.rollup):
    main.add_command(_verb)
