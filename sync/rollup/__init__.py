"""The province roll-up: every campus's /data/ files -> one province site and upward table.

    OUT/cache/<campus>.json      the last validated figures of each campus (kept between runs)
    OUT/site/                    the province site's Markdown (rewritten whole on every run)
    OUT/public/                  the built site, same look as a campus's (the campus mkdocs.yml inherited)
    OUT/site/downloads/<day>.csv, .xlsx   the upward table, one row per campus (also in public/)
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..publish import site as site_pub
from ..publish.files import write_bytes, write_text
from ..render.export import csv_bytes
from . import pages
from .assess import Assessment, assess
from .config import Province, load
from .reader import Fetched, Reader

__all__ = ["Outcome", "rollup", "load"]


@dataclass
class Outcome:
    province: Province
    assessment: Assessment
    fetched: list[Fetched]
    site_dir: Path | None
    table: list[Path]

    @property
    def requests(self) -> int:
        return sum(f.requests for f in self.fetched)

    @property
    def downloaded(self) -> int:
        return sum(f.downloaded for f in self.fetched)


def read(config: str | Path, out: str | Path, day: dt.date | None = None) -> tuple[Province, list[Fetched], Assessment]:
    """Fetch (through the cache) and assess, without writing the site."""
    province = load(config)
    day = day or province.today()
    since = day - dt.timedelta(days=province.history_days + province.checks.jump.days)
    fetched = Reader(province.fetch, Path(out) / "cache", since, day).read_all(province.campuses)
    return province, fetched, assess(fetched, day, province)


def rollup(config: str | Path, out: str | Path = "build/province", day: dt.date | None = None,
           campus_mkdocs: str | Path = "mkdocs.yml", build: bool = True) -> Outcome:
    out = Path(out).resolve()
    province, fetched, a = read(config, out, day)
    docs = out / "site"
    title = f"{province.province.zh} {province.province.en}"
    rows = pages.upward_rows(a)
    shutil.rmtree(docs, ignore_errors=True)
    day_name = a.day.isoformat()
    table = [write_bytes(docs / "downloads" / f"{day_name}.csv", csv_bytes(rows)),
             write_bytes(docs / "downloads" / f"{day_name}.xlsx", pages.to_xlsx(rows, a.day))]
    write_text(docs / "index.md", pages.index(a, title))
    write_text(docs / "trends" / "index.md", pages.trends(a))
    write_text(docs / "checks" / "index.md", pages.findings(a))
    site_dir = None
    if build:
        config_file = _mkdocs(Path(campus_mkdocs).resolve(), out, docs, title)
        site_dir = site_pub.build(config_file, out / "public")
    return Outcome(province, a, fetched, site_dir, table)


def _mkdocs(campus: Path, out: Path, docs: Path, title: str) -> Path:
    """The province site's MkDocs config: the campus's, inherited (theme, extensions, look), with
    its own pages and folders; the campus's stylesheet and scripts are copied beside the pages."""
    campus_cfg = site_pub.config(campus)
    assets = campus_cfg.docs_dir / "assets"
    if assets.is_dir():
        shutil.copytree(assets, docs / "assets", dirs_exist_ok=True)
    overrides = out / "overrides"
    shutil.rmtree(overrides, ignore_errors=True)
    if (campus_cfg.docs_dir / "overrides").is_dir():
        # The campus's templates, not what its build generated into them (its urgent notices, its banner).
        shutil.copytree(campus_cfg.docs_dir / "overrides", overrides, ignore=shutil.ignore_patterns("generated"))
    body: dict[str, object] = {"INHERIT": str(campus), "site_name": title, "site_url": "", "docs_dir": str(docs),
            "site_dir": str(out / "public"), "not_in_nav": "", "exclude_docs": "",
            "extra": {"alternate": []},      # one bilingual site: no language switch to a /en/ it lacks
            "nav": [{"全省 Province": "index.md"}, {"趋势 Trends": "trends/index.md"},
                    {"核查 Checks": "checks/index.md"}],
            # No search: three pages of tables, and its Chinese segmentation (jieba's dictionary)
            # cost more than half the build's time.
            "plugins": [{"search": {"enabled": False}}, "offline"]}
    if overrides.is_dir():
        body["theme"] = {"custom_dir": str(overrides)}
    return write_text(out / "mkdocs.yml", yaml.safe_dump(body, allow_unicode=True, sort_keys=False))
