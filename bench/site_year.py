"""Generate a year of operation for the site benchmark: 365 daily summaries and 300 notices.

    python bench/site_year.py --out bench/out/site-year

Writes a self-contained project folder: mkdocs.yml, site/ (overrides and assets), policies/ (the
bundled policies with the example notices replaced by 300 generated ones: 180 in Chinese, 120 of
them with an English translation, a few urgent, many time-limited) and data/summaries/ (365 days
from 2020-02-10, modelled on a real summary of the demo workbook, with a few days missing and a
few partial). The output depends only on --seed.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

START, DAYS, ZH_NOTICES, EN_NOTICES = dt.date(2020, 2, 10), 365, 180, 120
SEED_TEXT = next((ROOT.parent / "shared" / "seeds").glob("*.txt"), None) if (ROOT.parent / "shared").is_dir() \
    else None
EN_SENTENCES = [
    "Every unit reports every day, and a day with nothing to report is reported as a zero report.",
    "Everyone entering the campus is registered, disinfected and has their temperature taken.",
    "Returning international students are isolated in the North Building and their temperature is taken twice a day.",
    "The counselling hotline is open to all students, in Chinese or in English.",
    "Logistics disinfects dormitories, canteens and teaching buildings as the plan requires.",
    "Masks, disinfectant and thermometers donated by alumni and partner universities have arrived.",
    "Students return in batches by year and programme; please wait until your batch is called.",
    "Classes continue online until your batch returns to campus.",
]


def sentences() -> list[str]:
    """Chinese sentences of the source document (or a few fallbacks when it is not beside the repo)."""
    text = SEED_TEXT.read_text(encoding="utf-8") if SEED_TEXT else "各单位要严格执行日报告和零报告制度。"
    found = [s.strip() + "。" for s in re.split(r"[。！]", text) if 12 <= len(s.strip()) <= 120]
    return found or ["各单位要严格执行日报告和零报告制度。"]


def template_summary() -> dict:
    """One real summary: the demo workbook's last day, as `python -m sync run` writes it."""
    from sync import jobs
    with tempfile.TemporaryDirectory() as tmp:
        jobs.run(ROOT / "examples" / "demo.xlsx", ROOT / "policies", [dt.date(2020, 2, 23)], Path(tmp) / "data",
                 Path(tmp) / "site")
        return json.loads((Path(tmp) / "data" / "summaries" / "2020-02-23.json").read_text(encoding="utf-8"))


def summaries(out: Path, rng: random.Random) -> int:
    base, written = template_summary(), 0
    units = [u for u in _units()]
    folder = out / "data" / "summaries"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(DAYS):
        day = START + dt.timedelta(days=i)
        if rng.random() < 0.02:          # the sync did not run that day
            continue
        s = copy.deepcopy(base)
        s["date"], s["cutoff"] = day.isoformat(), f"{day}T10:{rng.randrange(60):02d}:00+08:00"
        missing = rng.sample(units, rng.choice([0, 0, 0, 1, 1, 2, 3]))
        expected = len(units)
        reported = expected - len(missing)
        on_time = max(0, reported - rng.randrange(3))
        s["reporting"].update(missing=missing, reported=reported, on_time=on_time, late=reported - on_time,
                              time_unknown=0, rate=round(reported / expected, 4),
                              on_time_rate=round(on_time / expected, 4), zero_reports=rng.randrange(reported + 1))
        wave = max(0.0, 1 - abs(i - 40) / 60)
        s["units"].update(fever=rng.randrange(int(6 * wave) + 1), suspected=rng.randrange(int(2 * wave) + 1),
                          confirmed=0, isolated=rng.randrange(int(40 * wave) + 2),
                          students_on_campus=min(20000, 200 + 60 * i), staff_on_campus=min(1500, 100 + 5 * i))
        for area in s["disinfection"]["areas"]:
            area["done"] = max(0, area["required"] - (rng.random() < 0.1))
        s["supplies"]["donors"] = rng.sample(["1990级校友", "友好院校", "孔子学院", "校友会"], rng.randrange(3))
        if rng.random() < 0.03:          # a sheet could not be read: its section is absent, not zero
            s["status"], s["unavailable"], s["units"], s["reporting"] = "partial", ["unit_daily"], None, None
        (folder / f"{day}.json").write_text(json.dumps(s, ensure_ascii=False, sort_keys=True, indent=2),
                                            encoding="utf-8")
        written += 1
    return written


def _units() -> list[dict]:
    from sync import policy as policy_mod
    return [{"id": u["id"], "zh": u["zh"], "en": u["en"]} for u in policy_mod.load(ROOT / "policies").lists["units"].items]


def notices(out: Path, rng: random.Random) -> int:
    folder = out / "policies" / "notices"
    for path in folder.glob("*.md"):
        path.unlink()
    zh, audiences = sentences(), ["everyone", "students", "staff", "international"]
    written = 0
    for k in range(ZH_NOTICES):
        day = START + dt.timedelta(days=rng.randrange(DAYS))
        slug = f"{day}-notice-{k:03d}"
        meta = {"date": str(day), "audience": rng.sample(audiences, rng.choice([1, 1, 2])),
                "issuer": rng.choice(["party_office", "logistics", "security", "student_affairs", "international"])}
        if rng.random() < 0.45:
            meta["expires"] = str(day + dt.timedelta(days=rng.randrange(3, 40)))
        if k % 36 == 0:
            meta["urgent"] = "true"
            meta.pop("expires", None)
        title = "关于" + rng.choice(zh)[:rng.randrange(8, 18)].rstrip("，。") + "的通知"
        body = "\n\n".join("".join(rng.sample(zh, 3)) for _ in range(rng.randrange(2, 5)))
        _write(folder / f"{slug}.zh.md", title, "zh", meta, body)
        written += 1
        if k < EN_NOTICES:
            body = "\n\n".join(" ".join(rng.sample(EN_SENTENCES, 4)) for _ in range(rng.randrange(2, 4)))
            _write(folder / f"{slug}.en.md", f"Notice {k}: {rng.choice(EN_SENTENCES)[:60]}", "en", meta, body)
            written += 1
    return written


def _write(path: Path, title: str, language: str, meta: dict, body: str) -> None:
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}", f"language: {language}"]
    lines += [f"{k}: {json.dumps(v) if isinstance(v, list) else v}" for k, v in meta.items()]
    path.write_text("\n".join(lines + ["---", body, ""]), encoding="utf-8")


def generate(out: Path, seed: int = 2020) -> dict:
    rng = random.Random(seed)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for config in ("mkdocs.yml", "mkdocs.en.yml"):
        shutil.copy(ROOT / config, out / config)
    for part in ("overrides", "assets"):
        shutil.copytree(ROOT / "site" / part, out / "site" / part, ignore=shutil.ignore_patterns("generated"))
    shutil.copytree(ROOT / "policies", out / "policies")
    return {"notices": notices(out, rng), "summaries": summaries(out, rng),
            "last_day": str(START + dt.timedelta(days=DAYS - 1))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "site-year"))
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()
    print(json.dumps(generate(Path(args.out), args.seed)))


if __name__ == "__main__":
    main()
