"""The jobs the CLI runs, one function each: they take paths and dates and return results."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import policy as policy_mod
from .errors import SourceError

if TYPE_CHECKING:       # verbs that read no data import no numpy or pyarrow
    from .validate import Result


def __getattr__(name: str):
    """jobs.read_source stays at hand, imported on first use rather than at start-up."""
    if name == "read_source":
        from .read import read_source
        return read_source
    raise AttributeError(name)


def check(source: str | Path, policies: str | Path = "policies", as_of: dt.date | None = None) -> Result:
    """Read a source and validate every cell against the policies."""
    from .read import read_source
    from .validate import validate
    policy = policy_mod.load(policies)
    if as_of is not None:
        policy.check_day(as_of)
    return validate(read_source(source), policy, as_of)


def read_tabs(source: str | Path, sheet: str | None = None, policies: str | Path = "policies") -> list[dict]:
    """What Campus Desk sees in a source, before typing: each tab's title and rows of texts.
    sheet picks the tabs of one sheet (by its id or title, as check matches them) or one tab by
    its title; a tab that could not be read says why."""
    from .read import read_source
    tables = read_source(source).tables
    if sheet is not None:
        wanted = policy_mod.fold(sheet)
        labels = {wanted}
        for known in (policy_mod.load(policies).sheets.values() if Path(policies).is_dir() else ()):
            names = {policy_mod.fold(x) for x in (known.name, *known.title.values()) if x}
            if wanted in names:
                labels |= names
        tables = [t for t in tables if policy_mod.fold(t.title) in labels]
        if not tables:
            raise SourceError(f"{source}: no tab {sheet!r} / 没有工作表“{sheet}”")
    return [{"title": t.title, "rows": t.rows(), **({"unreadable": t.unreadable} if t.unreadable else {})}
            for t in tables]


def annotate(source: str | Path, result: Result, policies: str | Path, out: str | Path):
    """A copy of the workbook with its problem cells highlighted and noted (sync/publish/annotate.py)."""
    from .publish.annotate import annotate as write
    return write(source, result, policy_mod.load(policies), out)


@dataclass
class DayOutcome:
    date: dt.date
    status: str                 # complete | partial
    reporting: dict | None      # the summary's reporting section (None: unit_daily unavailable)
    errors: int
    warnings: int
    files: list[Path]
    signoff: str | None = None  # with sign-off required: unsigned | signed | unchanged | late-edit


@dataclass
class RunOutcome:
    result: "Result | None"     # None: the run repeated a published one, found so before reading
    days: list[DayOutcome]
    source_issues: tuple[int, int]  # errors and warnings in the source (as the repeated run found them)
    written_back: list = field(default_factory=list)     # Google source: one outcome per spreadsheet
    unchanged: int | None = None    # the published run this one repeated, writing nothing (publish/unchanged.py)
    restored: list[Path] = field(default_factory=list)  # public summaries put back as the archive has them published

    @property
    def has_errors(self) -> bool:
        return any(d.errors for d in self.days)


def run(source: str | Path, policies: str | Path = "policies", days: list[dt.date] | None = None,
        out: str | Path = "data", site: str | Path = "site", force_reason: str | None = None) -> RunOutcome:
    """Validate once (as of the last day), then write each day's summary, private detail, upward
    report and page; then latest.json and the index. Days default to today in the campus time zone.
    Under the run lock; what was read and published goes to OUT/archive.sqlite; the guards refuse
    to publish (guards.Refused, nothing written) unless force_reason is given. A re-run of exactly
    the inputs of the last published run, its files as it left them, writes nothing and reports
    what that run reported (publish/unchanged.py), without reading when the source's files are the
    bytes that run read; a Google source always runs in full."""
    from .publish import guards, unchanged
    from .publish.daily import Outputs
    from .store import gather, held, record
    from .store.office import Office
    policy = policy_mod.load(policies)
    days = sorted(set(days or [policy.today()]))
    policy.check_day(days[0], "day")
    policy.check_day(days[-1], "day")
    outputs = Outputs(out, site)
    outputs.check_lists(policy.dates)    # a summary on file that write_lists would refuse stops the run first
    google = Path(source).suffix.lower() in (".yml", ".yaml")
    folders = [Path(out), Path(site)]
    with held(out, policy) as archive:
        outputs.remove_debris()             # under the run lock: no other run is writing
        office = Office(archive)
        signoffs = {d.isoformat(): office.signoff(d) for d in days} if policy.signoff_required else None
        ahead = None if google else unchanged.ahead(source=source, policies=policies, days=days,
                                                      force_reason=force_reason, folders=folders, signoffs=signoffs)
        same = unchanged.repeated(archive, ahead, outputs, days) if ahead else None
        if same and same.in_source:
            archive.record_repeat(same.run_id)
            return RunOutcome(None, _said(same), same.in_source, unchanged=same.run_id)
        step = record(archive, source, policy, "run", days[-1])
        result, reading = step.result, step.reading
        in_source = (len(result.errors), len(result.issues) - len(result.errors))
        facts = gather(archive, reading, result, policy, days)
        key = None if google else unchanged.run_key(
            source=source, policies=policies, days=days, force_reason=force_reason, folders=folders,
            workbook=step.workbook, result=result, reading=reading, facts=facts, signoffs=signoffs,
            begun=ahead.begun if ahead else None)
        same = unchanged.previous(archive, reading, key, outputs, days) if key else None
        if same:
            errors = {dt.date.fromisoformat(day): n for day, n in same.errors.items()}
        else:
            from .summarize import Digest
            digest = Digest(result, policy, facts)
            errors = {day: sum(i.severity == "error" for i in digest.scope.issues(day)) for day in days}
        try:
            overrode = guards.check(reading, archive.last_published(reading.run_id), policy, errors,
                                    force=force_reason is not None)
        except guards.Refused:
            archive.finish(reading, "refused")
            raise
        if same:
            archive.finish(reading, "unchanged", None, force_reason, overrode)
            return RunOutcome(result, _said(same), in_source, unchanged=same.run_id)
        outcomes, published = _write_days(digest, days, outputs, office, result, policy, reading)
        # Every summary on file is in the unchanged run's record: one not as published runs this in full.
        restored = outputs.restore(archive.published(), days)
        outputs.write_lists(policy.dates)
        archive.finish(reading, "published", published, force_reason, overrode,
                       None if key is None else (key, unchanged.record(
                           outputs, outcomes, errors, in_source, ahead.key if ahead and ahead.still() else None)))
        written_back = []
        if google:
            # Each department sees its own mistakes in its own spreadsheet; the office gets the
            # newest day's private detail in its private tab.
            from .publish.google import write_back
            written_back = write_back(source, result, policy, private=digest.private(days[-1]), marks=office,
                                      client=getattr(step.workbook, "client", None))
    return RunOutcome(result, outcomes, in_source, written_back, restored=restored)


def _said(same) -> list[DayOutcome]:
    """The days as the published run that this one repeats reported them."""
    return [DayOutcome(dt.date.fromisoformat(d["date"]), d["status"], d["reporting"], d["errors"], d["warnings"], [],
                       d["signoff"]) for d in same.days]


def _write_days(digest, days: list[dt.date], outputs, office, result, policy, reading
                ) -> tuple[list[DayOutcome], dict[str, dict]]:
    """Each day's files (with sign-off, as publish/signoff.py decides); the outcomes and the public
    summaries published."""
    from .publish.signoff import SignOff
    signoff = SignOff.for_run(policy, result, office, digest.facts) if policy.signoff_required else None
    outcomes, published = [], {}
    for day in days:
        decision = signoff.decide(digest, day) if signoff else None
        summary, files = outputs.write_day(digest, day, decision, signoff)
        if decision is None or decision.fresh:
            published[day.isoformat()] = summary
        if decision is not None and decision.fresh and decision.signoff is not None:
            office.record_signoff(reading, decision.signoff, decision.draft, summary)
        outcomes.append(DayOutcome(day, summary["status"], summary["reporting"], summary["issues"]["errors"],
                                   summary["issues"]["warnings"], files, decision.state if decision else None))
    return outcomes, published


def versions(out: str | Path = "data", sheet: str | None = None, policies: str | Path = "policies") -> list[dict]:
    """Every version of every row the archive OUT/archive.sqlite holds (of one sheet), by sheet and id."""
    from .errors import ArchiveError
    from .store import held
    if not (Path(out) / "archive.sqlite").is_file():
        raise ArchiveError(f"{Path(out) / 'archive.sqlite'}: no archive here (a run makes it) / 没有档案")
    with held(out, policy_mod.load(policies)) as archive:
        return archive.listing(sheet)


def remind(source: str | Path, policies: str | Path = "policies", day: dt.date | None = None,
           out: str | Path = "data", dry_run: bool = False):
    """Remind the units without a valid report for the day, before its deadline (sync/publish/reminders.py)."""
    from .publish.reminders import remind as send_reminders
    policy = policy_mod.load(policies)
    if day is not None:
        policy.check_day(day)
    return send_reminders(source, policy, day, out, dry_run)


def schedule(source: str | None, policies: str | Path = "policies", out: str | Path = "data",
             site: str | Path = "site", config: str | Path = "mkdocs.yml", once: bool = False,
             province: str | None = None) -> int:
    """Run the jobs of campus.yml `schedule:` at their times until SIGTERM, or each once now (--once).
    Returns the worst exit code of the jobs (--once) or 0."""
    from .errors import ConfigError
    from .store.lock import Lock
    from .schedule import Scheduler, command
    policy = policy_mod.load(policies)
    if not policy.schedule:
        raise ConfigError([f"{Path(policies) / 'campus.yml'}: no schedule: section; e.g. "
                           f'schedule: [{{at: "10:15", jobs: [run, build]}}]'])
    if not source and any(j in ("remind", "run") for slot in policy.schedule for j in slot["jobs"]):
        raise ConfigError(["the remind and run jobs need --source (or the SYNC_SOURCE environment variable)"])
    if not province and any("rollup" in slot["jobs"] for slot in policy.schedule):
        raise ConfigError(["the rollup job needs --province campuses.yml (or the SYNC_PROVINCE environment variable)"])
    scheduler = Scheduler(policy.schedule, policy.campus["timezone"],
                          lambda job: command(job, source, str(policies), str(out), str(site), str(config), province))
    if once:
        return scheduler.once()
    with Lock(Path(out) / "schedule.lock", "scheduler").acquire():
        scheduler.stop_on_signals()
        scheduler.loop()
    return 0


def init_sheets(config: str | Path, policies: str | Path = "policies") -> list:
    """Create or complete the tabs of every spreadsheet of a Google config from the sheet schemas."""
    from .publish.google import init_sheets as set_up
    return set_up(config, policy_mod.load(policies))


@dataclass
class BuildOutcome:
    site_dir: Path
    pages: int                  # generated Markdown files
    today: dt.date


def build(policies: str | Path = "policies", summaries: str | Path = "data/summaries",
          config: str | Path = "mkdocs.yml", as_of: dt.date | None = None,
          site_dir: str | Path | None = None) -> BuildOutcome:
    """Write the generated pages (notices, plans, reports, home...) and build the site strictly.
    as_of is "today" for notice expiry and the stale banner (default: today in the campus time zone)."""
    from .publish import site as site_pub
    from .render import site as site_render
    today = as_of or policy_mod.load(policies).today()
    cfg = site_pub.config(config)
    cfg.docs_dir.mkdir(parents=True, exist_ok=True)
    # Two builds at once (a manual one meeting the scheduled one) would mix their generated pages.
    with site_pub.locked(cfg.docs_dir):
        written = site_render.render(policies, summaries, cfg.docs_dir, today, cfg.site_url)
        out = site_pub.build(config, site_dir)
    return BuildOutcome(out, sum(1 for p in written if p.suffix == ".md"), today)


def serve(site_dir: str | Path = "public", host: str = "127.0.0.1", port: int = 8000) -> None:
    from .publish import site as site_pub
    site_pub.serve(site_dir, host, port)


def lint(policies: str | Path = "policies", as_of: dt.date | None = None) -> list:
    """Every problem in policies/, one `file:line: message` each."""
    from .lint import lint as run_lint
    return run_lint(policies, as_of)


def rollup(config: str | Path, out: str | Path = "build/province", day: dt.date | None = None,
           mkdocs_config: str | Path = "mkdocs.yml", build: bool = True):
    """Read every campus of a province config (campuses.yml), check them, and build the province site
    and upward table (sync/rollup/)."""
    from .rollup import rollup as run_rollup
    return run_rollup(config, out, day, mkdocs_config, build)
