"""The verbs of the sites: build and serve the campus site, roll campuses up into the province site.
Registered on the `python -m sync` group by sync/cli.py."""
from __future__ import annotations

import os
import shlex
import sys

import click

from . import jobs
from .cli_options import DATE, POLICIES

SITE_OPTIONS = [
    click.option("--summaries", default="data/summaries", show_default=True, type=click.Path(),
                 help="The public daily summaries (written by `run`)."),
    click.option("--config", default="mkdocs.yml", show_default=True, type=click.Path(), help="The MkDocs config."),
    click.option("--date", "as_of", type=DATE,
                 help="Build as of this day: notice expiry, stale banner (default: today in the campus time zone)."),
    click.option("--site-dir", type=click.Path(), help="Where the site goes (default: site_dir of the config, public/)."),
    POLICIES,
]


def _site_options(fn):
    for option in reversed(SITE_OPTIONS):
        fn = option(fn)
    return fn


@click.command()
@_site_options
def build(summaries, config, as_of, site_dir, policies):
    """Write the site's pages from policies/ and data/summaries/, then build it strictly."""
    outcome = jobs.build(policies, summaries, config, as_of, site_dir)
    # The hint must open this site: plain `serve` would build again from the default folders.
    site = os.path.relpath(outcome.site_dir) if not os.path.relpath(outcome.site_dir).startswith("..") \
        else str(outcome.site_dir)
    click.echo(f"网站已生成 Site built in {outcome.site_dir} ({outcome.pages} generated pages, as of "
               f"{outcome.today}). Open {os.path.join(site, 'index.html')} (English: "
               f"{os.path.join(site, 'en', 'index.html')}), or serve it: "
               f"{python_hint()} -m sync serve --no-build --site-dir {shlex.quote(site)}")


def python_hint() -> str:
    """How to run this Python in a printed hint: .venv/bin/python when that is the one running
    (the README's setup), else python as found on PATH."""
    venv = os.path.join(".venv", "bin", "python")
    return venv if os.path.isdir(".venv") and os.path.samefile(sys.prefix, ".venv") else "python"


@click.command()
@_site_options
@click.option("--no-build", is_flag=True, help="Serve the site as it was last built.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(summaries, config, as_of, site_dir, policies, no_build, port, host):
    """Build the site (unless --no-build) and serve it on a local web server."""
    if no_build:
        from .publish.site import config as site_config
        target = site_dir or site_config(config).site_dir
    else:
        target = jobs.build(policies, summaries, config, as_of, site_dir).site_dir
    click.echo(f"Serving {target} at http://{host}:{port}/ (Ctrl+C to stop)")
    try:
        jobs.serve(target, host, port)
    except KeyboardInterrupt:
        pass


@click.command()
@click.option("--config", "province", required=True, type=click.Path(dir_okay=False),
              help="The province config (see examples/campuses.yml).")
@click.option("--date", "day", type=DATE, help="The day to roll up (default: today in the province time zone).")
@click.option("--out", default="build/province", show_default=True, type=click.Path(),
              help="Where the cache, the province pages (site/) and the built site (public/) go.")
@click.option("--config-site", "mkdocs_config", default="mkdocs.yml", show_default=True, type=click.Path(),
              help="The campus site's MkDocs config, whose look the province site inherits.")
@click.option("--no-build", is_flag=True, help="Fetch, check and write the pages and table; skip the site build.")
def rollup(province, day, out, mkdocs_config, no_build):
    """Roll many campuses up into one province site: each campus's /data/ files, checked.

    \b
      OUT/public/                       the province site (same look as a campus's)
      OUT/site/downloads/DATE.csv .xlsx the upward table, one row per campus
      OUT/cache/                        each campus's last validated figures

    A campus that is unreachable, has not published the day, or whose files do not validate or
    contradict themselves is named with the reason and left out of the totals. Exit 1 when a
    campus is left out or a check found an error, 2 on a configuration error.
    """
    outcome = jobs.rollup(province, out, day, mkdocs_config, not no_build)
    a = outcome.assessment
    for v in a.views:
        mark = "计入 in   " if v.included else "未计入 out"
        latest = v.latest["date"] if v.latest else "—"
        click.echo(f"{mark} {v.campus.id:<16} {v.state:<16} latest {latest}" + (f"  {v.reason}" if v.reason else ""))
    for f in a.findings:
        click.echo(f"{'错误 E' if f.severity == 'error' else '警告 W'}  {f.campus} {f.date} {f.code}: {f.en}")
    click.echo(f"{a.day}: {len(a.included)}/{len(a.views)} campuses in the totals; {outcome.requests} request(s), "
               f"{outcome.downloaded / 1e6:.1f} MB downloaded")
    click.echo(f"上报表 Upward table: {outcome.table[0]}  {outcome.table[1]}")
    if outcome.site_dir:
        click.echo(f"省级网站 Province site: {outcome.site_dir}/index.html")
    left_out = len(a.included) < len(a.views) or any(f.severity == "error" for f in a.findings)
    sys.exit(1 if left_out else 0)
