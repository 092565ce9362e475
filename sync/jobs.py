"""The jobs the CLI runs, one function each: they take paths and dates and return results."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import policy as policy_mod
from .read import read_source
from .validate import Result, validate


def check(source: str | Path, policies: str | Path = "policies", as_of: dt.date | None = None) -> Result:
    """Read a source and validate every cell against the policies."""
    policy = policy_mod.load(policies)
    return validate(read_source(source), policy, as_of)


@dataclass
class DayOutcome:
    date: dt.date
    status: str                 # complete | partial
    reporting: dict | None      # the summary's reporting section (None: unit_daily unavailable)
    errors: int
    warnings: int
    files: list[Path]


@dataclass
class RunOutcome:
    result: Result
    days: list[DayOutcome]

    @property
    def has_errors(self) -> bool:
        return any(d.errors for d in self.days)


def run(source: str | Path, policies: str | Path = "policies", days: list[dt.date] | None = None,
        out: str | Path = "data", site: str | Path = "site") -> RunOutcome:
    """Validate once (as of the last day), then write each day's summary, private detail, upward
    report and page; then latest.json and the index. Days default to today in the campus time zone."""
    from .publish.daily import Outputs
    from .summarize import Digest
    policy = policy_mod.load(policies)
    days = sorted(set(days or [policy.today()]))
    outputs = Outputs(out, site)
    result = validate(read_source(source), policy, days[-1])
    digest = Digest(result, policy)
    outcomes = []
    for day in days:
        summary, files = outputs.write_day(digest, day)
        outcomes.append(DayOutcome(day, summary["status"], summary["reporting"], summary["issues"]["errors"],
                                   summary["issues"]["warnings"], files))
    outputs.write_lists()
    return RunOutcome(result, outcomes)


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
    written = site_render.render(policies, summaries, cfg.docs_dir, today, cfg.site_url)
    out = site_pub.build(config, site_dir)
    return BuildOutcome(out, sum(1 for p in written if p.suffix == ".md"), today)


def serve(site_dir: str | Path = "public", host: str = "127.0.0.1", port: int = 8000) -> None:
    from .publish import site as site_pub
    site_pub.serve(site_dir, host, port)


def lint(policies: str | Path = "policies", as_of: dt.date | None = None) -> list[str]:
    """Every problem in policies/, one `file:line: message` each."""
    from .lint import lint as run_lint
    return run_lint(policies, as_of)
