"""Time the site build for a year of operation (not a test).

    python bench/bench_site.py [--out bench/out/site-year] [--runs 3]

Generates the year with bench/site_year.py (365 daily summaries, 300 notices, all plans), then
times, as `python -m sync build` does them: writing the generated Markdown of both languages
(sync.render.site) and the strict MkDocs builds, Chinese into public/ and English into
public/en/ (sync.publish.site). The first run is cold (a fresh process: imports, jieba's
dictionary, Material's templates). Beside it, a plain `mkdocs build` of the same pages (each
language's config, in a fresh process) shows what our code adds. Prints the seconds of each
run and the sizes that matter on a phone. Targets: the cold build of both languages <= 20 s;
the home page <= 150 KB gzipped, without the search index.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import site_year  # noqa: E402
from sync.publish import site as site_pub  # noqa: E402
from sync.render import site as site_render  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "site-year"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    out = Path(args.out)
    made = site_year.generate(out)
    today = dt.date.fromisoformat(made["last_day"])
    cfg = site_pub.config(out / "mkdocs.yml")
    timings = []
    for _ in range(args.runs):
        start, cpu = time.perf_counter(), time.process_time()
        written = site_render.render(out / "policies", out / "data" / "summaries", cfg.docs_dir, today)
        rendered = time.perf_counter()
        public = site_pub.build(out / "mkdocs.yml")
        built = time.perf_counter()
        # CPU seconds too: on a shared machine the wall clock also counts other people's work.
        timings.append({"render_s": round(rendered - start, 2), "mkdocs_s": round(built - rendered, 2),
                        "total_s": round(built - start, 2), "cpu_s": round(time.process_time() - cpu, 2),
                        "load_1min": round(os.getloadavg()[0], 1)})
    pages = sum(1 for _ in public.rglob("*.html"))

    def kb(path: Path, zipped: bool = False) -> float:
        data = path.read_bytes()
        return round(len(gzip.compress(data) if zipped else data) / 1024, 1)

    plain = plain_mkdocs(out)
    report = {
        "input": {**made, "generated_markdown_files": sum(1 for p in written if p.suffix == ".md")},
        "runs": timings,
        "cold_total_s": timings[0]["total_s"],
        "best_total_s": min(t["total_s"] for t in timings),
        "plain_mkdocs_build_s": plain,
        "html_pages": pages,
        "home_kb": {lang: kb(public / where / "index.html") for lang, where in (("zh", ""), ("en", "en"))},
        "home_gzip_kb": {lang: kb(public / where / "index.html", True) for lang, where in (("zh", ""), ("en", "en"))},
        "notice_board_kb": round((public / "notices" / "index.html").stat().st_size / 1024, 1),
        "search_index_kb": {lang: kb(public / where / "search" / "search_index.json")
                            for lang, where in (("zh", ""), ("en", "en"))},
        "public_mb": round(sum(p.stat().st_size for p in public.rglob("*") if p.is_file()) / 2**20, 1),
    }
    print(json.dumps(report, indent=2))
    ok = report["cold_total_s"] <= 20 and max(report["home_gzip_kb"].values()) <= 150
    print("targets met: cold build <= 20 s, home <= 150 KB gzipped" if ok else "TARGETS MISSED", file=sys.stderr)
    sys.exit(0 if ok else 1)


def plain_mkdocs(out: Path) -> dict:
    """`mkdocs build` of the pages the last run wrote, each language in a fresh process, timed."""
    seconds = {}
    with tempfile.TemporaryDirectory() as target:
        for lang, config in (("zh", "mkdocs.yml"), ("en", "mkdocs.en.yml")):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(out / config),
                            "-d", str(Path(target) / lang)], check=True, cwd=out,
                           env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
            seconds[lang] = round(time.perf_counter() - start, 2)
    seconds["total"] = round(sum(seconds.values()), 2)
    return seconds


if __name__ == "__main__":
    main()
