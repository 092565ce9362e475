"""Time the site build for a year of operation (not a test).

    python bench/bench_site.py [--out bench/out/site-year] [--runs 3]

Generates the year with bench/site_year.py (365 daily summaries, 300 notices, all plans), then
times, as `python -m sync build` does them: writing the generated Markdown (sync.render.site)
and the strict MkDocs build into public/ (sync.publish.site). Prints the seconds of each run
and the sizes that matter on a phone. Targets: the whole build <= 10 s; the home page <= 300 KB
without the search index.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
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
    pages = sum(1 for _ in public.rglob("index.html"))
    report = {
        "input": {**made, "generated_markdown_files": sum(1 for p in written if p.suffix == ".md")},
        "runs": timings,
        "best_total_s": min(t["total_s"] for t in timings),
        "html_pages": pages,
        "home_kb": round((public / "index.html").stat().st_size / 1024, 1),
        "notice_board_kb": round((public / "notices" / "index.html").stat().st_size / 1024, 1),
        "search_index_kb": round((public / "search" / "search_index.json").stat().st_size / 1024, 1),
        "public_mb": round(sum(p.stat().st_size for p in public.rglob("*") if p.is_file()) / 2**20, 1),
    }
    print(json.dumps(report, indent=2))
    ok = report["best_total_s"] <= 10 and report["home_kb"] <= 300
    print("targets met: build <= 10 s, home <= 300 KB" if ok else "TARGETS MISSED", file=sys.stderr)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
