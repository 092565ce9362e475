"""Write everything a day produces, and the files that list the days.

    <out>/summaries/<date>.json, <out>/summaries/latest.json    public, aggregates only
    <out>/private/<date>.json                                   the office's detail (never published)
    <out>/exports/<date>.csv, <date>.xlsx                       the upward report
    <site>/reports/<date>.md, <site>/reports/index.md           pages, from the summaries alone

Stale beats wrong: when a day's unit reports cannot be read, an export written by an
earlier run for that day is deleted rather than left standing.
"""
from __future__ import annotations

import datetime as dt
import json
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..render.summaries import read_summaries
from ..summarize.contract import check as check_summary
from .files import remove, remove_debris, stable_json, write_bytes, write_json, write_text
from .signoff import AWAITING

if TYPE_CHECKING:       # imported on first use: a run that writes nothing (publish/unchanged.py) needs neither
    import jinja2

    from ..summarize import Digest


class Outputs:
    def __init__(self, out: str | Path = "data", site: str | Path = "site"):
        self.out, self.site = Path(out), Path(site)
        self.summaries, self.private = self.out / "summaries", self.out / "private"
        self.exports, self.reports = self.out / "exports", self.site / "reports"
        self._guard()

    @cached_property
    def env(self) -> "jinja2.Environment":
        from ..render import environment
        return environment()

    def _guard(self) -> None:
        """The private folder must never sit where the site (or its build) would pick it up."""
        private = self.private.resolve()
        for public in (self.site.resolve(), Path("public").resolve()):
            if private == public or public in private.parents:
                raise ConfigError([f"{self.private}: private detail would be published under {public}; "
                                   f"choose another --out / 内部明细不能放在公开目录中"])

    def write_day(self, digest: "Digest", day: dt.date, decision=None, signoff=None) -> tuple[dict, list[Path]]:
        """The day's files. With sign-off (publish/signoff.py's decision): an unsigned day writes its
        private detail only, with the draft in it; a signed one publishes what was signed; the
        export is written when the public summary is new (with held values as typed when released)."""
        from ..render import to_csv, to_xlsx
        name = day.isoformat()
        private = digest.private(day)
        if decision is not None:
            from .signoff import private_note
            private = {**private, "signoff": private_note(decision)}
            self._awaiting(day, decision.state in ("unsigned", "late-edit"))
            if decision.public is None:
                return decision.draft, [write_json(self.private / f"{name}.json", private, private=True)]
            summary = decision.public
        else:
            # Through JSON and back, so that the page is exactly what a re-render from the file gives.
            summary = json.loads(stable_json(digest.summary(day)))
        summary = check_summary(summary, self.summaries / f"{name}.json")
        written = [*self._write_public(name, summary), write_json(self.private / f"{name}.json", private, private=True)]
        if decision is not None and not decision.fresh:
            return summary, written       # as signed: the export written then stands
        if decision is not None and summary.get("confirmed") and signoff is not None:
            digest = signoff.unheld
        rows = digest.unit_rows(day)
        if rows is None:
            remove(self.exports / f"{name}.csv")
            remove(self.exports / f"{name}.xlsx")
        else:
            written.append(write_bytes(self.exports / f"{name}.csv", to_csv(rows, digest.policy)))
            written.append(write_bytes(self.exports / f"{name}.xlsx", to_xlsx(rows, digest.policy, day)))
        return summary, written

    def _write_public(self, name: str, summary: dict) -> list[Path]:
        """A day's public summary and its report page."""
        from ..render import render_report
        return [write_json(self.summaries / f"{name}.json", summary),
                write_text(self.reports / f"{name}.md", render_report(summary, self.env))]

    def restore(self, published: dict[str, dict], skip: list[dt.date]) -> list[Path]:
        """Put back each day's public summary (and its page) as the archive recorded it published,
        where the file is missing or says anything else: the site's trends and the open data read
        these files, so a figure hand-edited from 7 to 70, or a day lost with a checkout, is not
        shown as published. Days in skip are this run's own, written anyway."""
        skipped, restored = {d.isoformat() for d in skip}, []
        for day, summary in sorted(published.items()):
            path = self.summaries / f"{day}.json"
            if day in skipped or (path.is_file() and path.read_bytes() == stable_json(summary).encode("utf-8")):
                continue
            restored.append(self._write_public(day, summary)[0])
        return restored

    def _awaiting(self, day: dt.date, waiting: bool) -> None:
        """summaries/awaiting.json: the days that await the office's sign-off (dates only)."""
        path = self.summaries / "awaiting.json"
        days = set(json.loads(path.read_text(encoding="utf-8"))["dates"]) if path.exists() else set()
        days = (days | {day.isoformat()}) if waiting else (days - {day.isoformat()})
        write_json(path, {"dates": sorted(days), "message": AWAITING})

    def remove_debris(self) -> list[Path]:
        """The temporary files a killed run left in the folders runs write (under the run lock)."""
        return [p for folder in (self.summaries, self.private, self.exports, self.reports) for p in remove_debris(folder)]

    def check_lists(self, dates: tuple[dt.date, dt.date]) -> None:
        read_summaries(self.summaries, dates)

    def write_lists(self, dates: tuple[dt.date, dt.date]) -> list[Path]:
        """latest.json (the newest day on file, whichever run wrote it) and the index of days;
        ConfigError when a summary on file is refused (sync.render.summaries)."""
        from ..render import render_index
        summaries = read_summaries(self.summaries, dates)
        if not summaries:
            return []
        newest = max(summaries, key=lambda s: s["date"])
        return [write_json(self.summaries / "latest.json", newest),
                write_text(self.reports / "index.md", render_index(summaries, self.env))]
