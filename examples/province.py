#!/usr/bin/env python3
"""Three generated campuses for the province roll-up demo, from one campus's summaries.

    python examples/province.py --summaries build/demo/data/summaries --exports build/demo/data/exports \
        --to build/demo/province/campuses

Writes each campus's site data (/data/, as the campus site publishes it) into TO/<campus>/:
north publishes every day at 09:40, coast at 11:20 (after its 10:30 reporting time), and hills
has not published the last day yet: it awaits the office's sign-off (index.json's awaiting). Their figures are the demo campus's, scaled per campus (the
unit rows scaled alike, so they still add up).
"""
from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import io
import os
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sync.publish.files import write_bytes  # noqa: E402
from sync.render import opendata  # noqa: E402
from sync.policy import DATES  # noqa: E402
from sync.render.summaries import read_summaries  # noqa: E402

CST = dt.timezone(dt.timedelta(hours=8))
CAMPUSES = {"north": ({"zh": "北方外国语大学", "en": "Northern University of Foreign Studies"}, 1, dt.time(9, 40), 0),
            "coast": ({"zh": "滨海理工大学", "en": "Coastal University of Technology"}, 3, dt.time(11, 20), 0),
            "hills": ({"zh": "山城师范学院", "en": "Hill Town Normal College"}, 2, dt.time(10, 5), 1)}


def scaled_export(data: bytes, factor: int) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        writer.writerow(row[:7] + [str(int(c) * factor) if c.isdigit() else c for c in row[7:]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def campus(summaries: list[dict], exports: Path, to: Path, name: dict, factor: int, at: dt.time,
           awaiting: list[str]) -> None:
    with tempfile.TemporaryDirectory() as scaled:
        _campus(summaries, exports, Path(scaled), to, name, factor, at, awaiting)


def _campus(summaries: list[dict], exports: Path, scaled_exports: Path, to: Path, name: dict, factor: int,
            at: dt.time, awaiting: list[str]) -> None:
    mine = []
    for s in summaries:
        s = copy.deepcopy(s)
        s["campus"] = name
        if s.get("units"):
            s["units"] = {k: None if v is None else v * factor for k, v in s["units"].items()}
        mine.append(s)
        source = exports / f"{s['date']}.csv"
        if source.is_file():
            write_bytes(scaled_exports / source.name, scaled_export(source.read_bytes(), factor))
    for rel, body in opendata.files(mine, scaled_exports, awaiting).items():
        path = write_bytes(to / rel, body)
        if rel.startswith(("data/days/", "data/units/")):     # published that day at `at`
            stamp = dt.datetime.combine(dt.date.fromisoformat(Path(rel).stem), at, CST).timestamp()
            os.utime(path, (stamp, stamp))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summaries", required=True, type=Path)
    parser.add_argument("--exports", required=True, type=Path)
    parser.add_argument("--to", required=True, type=Path)
    args = parser.parse_args()
    summaries = read_summaries(args.summaries, (DATES["earliest"], DATES["latest"]))
    for cid, (name, factor, at, unpublished) in CAMPUSES.items():
        waiting = [s["date"] for s in summaries[len(summaries) - unpublished:]]
        campus(summaries[:len(summaries) - unpublished], args.exports, args.to / cid, name, factor, at, waiting)
        print(f"{args.to / cid}/data/  {name['zh']} {name['en']}")


if __name__ == "__main__":
    main()
