#!/usr/bin/env python3
"""Generate a realistic Campus Desk workbook: the demo (with deliberate mistakes) or bench data.

    python examples/generate.py demo
    python examples/generate.py bench --out /tmp/bench --format csv --cells 10000000

Sheet titles, headers, field order, enum labels and reference names all come from
policies/ (loaded with yaml.safe_load), so a changed schema changes the output. The
output depends only on the arguments: random.Random(seed) everywhere, one per sheet.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import yaml

sys.dont_write_bytecode = True  # no __pycache__ left in examples/
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))     # the repository, for sync.issues
import _fake  # noqa: E402
import _mistakes  # noqa: E402
import _write  # noqa: E402
from _fake import CAMPUS_CITY, CAMPUS_PROVINCE, KEY_PROVINCE, Fake  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHEET_ORDER = ("unit_daily", "student_roster", "staff_status", "isolation_log", "disinfection_log",
               "supplies", "gate_log", "duty_roster")
DEMO_START, DEMO_DAYS = dt.date(2020, 2, 10), 14
XLSX_ROWS = 1_048_575  # data rows an xlsx sheet can hold below its header
DUTY_UNITS = ("security", "logistics", "clinic", "student_affairs", "international", "party_office")


class Row:
    """One data row: cells by field id (or extra header), facts for later steps, expected issues."""
    __slots__ = ("cells", "meta", "marks")

    def __init__(self, cells: dict, **meta):
        self.cells, self.meta, self.marks = cells, meta, []

    def mark(self, code: str, field: str | None, note: str) -> None:
        self.marks.append((code, field, note))


# --- policies ----------------------------------------------------------------------------------

def load_policies(root: Path = ROOT) -> SimpleNamespace:
    def load(path):
        return yaml.safe_load(path.read_text(encoding="utf-8"))

    schemas = {s["name"]: s for s in map(load, sorted((root / "policies" / "sheets").glob("*.yml")))}
    order = [n for n in SHEET_ORDER if n in schemas] + sorted(set(schemas) - set(SHEET_ORDER))
    lists = {}
    for path in sorted((root / "policies" / "lists").glob("*.yml")) + [root / "policies" / "plans" / "disinfection.yml"]:
        doc = load(path)
        lists[doc["name"]] = doc["items"]
    labels = {name: {f["name"]: {v["id"]: v for v in f.get("values", [])} for f in s["fields"]}
              for name, s in schemas.items()}
    return SimpleNamespace(schemas={n: schemas[n] for n in order}, lists=lists, labels=labels,
                           campus=load(root / "policies" / "campus.yml"))


def by_id(items) -> dict:
    return {item["id"]: item for item in items}


class Ctx:
    def __init__(self, pol, seed, start, days, demo, gate_per_day=65, scale_use=1.0, real_dates=True):
        self.pol, self.seed, self.demo, self.real_dates = pol, seed, demo, real_dates
        self.gate_per_day, self.scale_use = gate_per_day, scale_use  # gate entries a day; supplies use factor
        self.dates = [start + dt.timedelta(days=i) for i in range(days)]
        self.units = [u for u in pol.lists["units"] if u.get("reports_daily", True)]
        self.threshold = pol.campus["thresholds"]

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")  # str seeds hash with sha512: stable across runs

    def fake(self, name: str) -> Fake:
        return Fake(self.rng(name), self.real_dates)

    def label(self, sheet, field, ident, rng, en=0.05):
        value = self.pol.labels[sheet][field].get(ident)
        if value is None:
            return ident
        return value["en"] if rng.random() < en else value["zh"]


# --- the campus: students, staff, people under isolation -----------------------------------------

def build_world(ctx: Ctx, n_students: int, n_staff: int, n_isolated: int) -> SimpleNamespace:
    fake, rng, lists = ctx.fake("world"), ctx.rng("world"), ctx.pol.lists
    first, last = ctx.dates[0], ctx.dates[-1]
    colleges = [u for u in ctx.units if u["zh"].endswith("学院")] or ctx.units
    provinces = by_id(lists["provinces"])
    home = [p for p in provinces if p not in (CAMPUS_PROVINCE, KEY_PROVINCE, "abroad", "taiwan", "hong_kong", "macau")]
    batches = [b["id"] for b in lists.get("batches", [])]
    width = max(5, len(str(n_students)))
    students = []
    for i in range(n_students):
        r = rng.random()
        kind = "international" if r < 0.08 else "postgraduate" if r < 0.2 else "undergraduate"
        ci = rng.randrange(len(colleges))
        grade = rng.choice((2018, 2019)) if kind != "undergraduate" else rng.choice((2016, 2017, 2018, 2019))
        s = SimpleNamespace(sid=f"0{grade % 100:02d}{ci + 1:02d}{i + 1:0{width}d}", kind=kind, grade=grade,
                            college=colleges[ci], on_campus=False, isolation=None, returned=None)
        if kind == "international":
            s.nationality, s.name = fake.foreign()
            s.on_campus = rng.random() < 0.15
            s.province = CAMPUS_PROVINCE if s.on_campus else "abroad"
        else:
            s.nationality, s.name = ("中国" if rng.random() < 0.6 else None), fake.name()
            s.on_campus = rng.random() < 0.02
            p = rng.random()
            s.province = (CAMPUS_PROVINCE if s.on_campus or p < 0.25 else KEY_PROVINCE if p < 0.3
                          else rng.choice(home) if home else CAMPUS_PROVINCE)
        s.batch = ("b_intl" if kind == "international" else "b1" if kind == "postgraduate" or grade == 2016
                   else "b2" if grade == 2017 else "b3")
        s.batch = s.batch if s.batch in batches else (rng.choice(batches) if batches else None)
        students.append(s)
    # International students arriving for isolation: spread so every one appears in the log.
    arrivals = [s for s in students if s.kind == "international" and not s.on_campus][:n_isolated]
    zones = lists["zones"]
    for k, s in enumerate(arrivals):
        span = len(ctx.dates) + 6
        start = first + dt.timedelta(days=(k * span) // max(1, len(arrivals)) - 10 + rng.randint(0, 1))
        start = min(start, last)
        zone = zones[k % len(zones)]
        s.isolation = SimpleNamespace(start=start, end=start + dt.timedelta(days=ctx.threshold["isolation_days"] - 1),
                                      zone=zone, room=f"{zone['id'][-1].upper()}{rng.randint(1, 4)}{rng.randint(1, 20):02d}")
        s.on_campus, s.province, s.returned = True, CAMPUS_PROVINCE, start
    # Staff: most stayed in the city, some came back (from a key area: approved), some still away.
    weights = [3 if u["id"] == "logistics" else 2.5 if u["id"] == "security" else 1 for u in ctx.units]
    staff = []
    for j in range(n_staff):
        unit = rng.choices(ctx.units, weights)[0]
        m = SimpleNamespace(sid=f"{rng.randint(1995, 2019)}{j + 1:05d}", name=fake.name(), unit=unit,
                            city=CAMPUS_CITY, returned=None, key_area=False, isolation_days=None)
        r = 0.8 if j < 4 else rng.random()  # the first few: returned from the key area, with approval
        if r < 0.15:
            m.city = rng.choice(_fake.CITIES[KEY_PROVINCE] + ("北京", "沈阳", "郑州", "广州"))
            m.key_area = m.city in _fake.CITIES[KEY_PROVINCE]
        elif r < 0.3 or j < 4:
            m.returned = first + dt.timedelta(days=rng.randint(-14, len(ctx.dates) - 3))
            m.key_area = j < 4 or rng.random() < 0.25
            m.isolation_days = ctx.threshold["isolation_days"]
        staff.append(m)
    staff.sort(key=lambda m: ([u["id"] for u in ctx.units].index(m.unit["id"]), m.sid))
    return SimpleNamespace(students=students, staff=staff, isolated=arrivals, colleges=colleges,
                           on_campus=[s for s in students if s.on_campus],
                           crew=[m for m in staff if m.unit["id"] in ("logistics", "clinic")] or staff)


# --- one generator per sheet: each yields Row objects (None is a blank row) ------------------------

def gen_student_roster(ctx, w):
    fake, rng, provinces = ctx.fake("student_roster"), ctx.rng("student_roster"), by_id(ctx.pol.lists["provinces"])
    batches = by_id(ctx.pol.lists.get("batches", []))
    for k, s in enumerate(w.students):
        status = "isolated" if s.isolation and s.isolation.end >= ctx.dates[-1] else "healthy"
        if rng.random() < 0.004:
            status = "recovered"
        cities = _fake.CITIES.get(s.province, ())
        city = CAMPUS_CITY if s.on_campus else (rng.choice(cities) if cities and rng.random() < 0.8 else None)
        grade = f"{s.grade}级" if rng.random() < 0.1 else s.grade
        yield Row({
            "student_id": s.sid, "name": s.name, "college": fake.ref(s.college), "grade": grade,
            "major": rng.choice(_fake.MAJORS.get(s.college["id"], ("",))) or None,
            "student_type": ctx.label("student_roster", "student_type", s.kind, rng),
            "nationality": s.nationality, "province": fake.province(provinces[s.province]), "city": city,
            "key_area": fake.boolean(s.province == KEY_PROVINCE),
            "health_status": ctx.label("student_roster", "health_status", status, rng, en=0.02),
            "return_batch": fake.ref(batches[s.batch], en=0.03, ident=0.3) if s.batch in batches else s.batch,
            "returned_on": fake.date(s.returned) if s.returned else None,
            "phone": fake.phone(k) if rng.random() < 0.9 else None,
            "updated_on": fake.date(ctx.dates[0] + dt.timedelta(days=rng.randrange(len(ctx.dates)))),
        }, student=s)


def gen_staff_status(ctx, w):
    fake, rng = ctx.fake("staff_status"), ctx.rng("staff_status")
    last = ctx.dates[-1]
    for k, m in enumerate(w.staff):
        isolating = m.returned and (last - m.returned).days < ctx.threshold["isolation_days"]
        yield Row({
            "staff_id": m.sid, "name": m.name, "unit": fake.ref(m.unit), "current_city": m.city,
            "in_city": fake.boolean(m.city == CAMPUS_CITY), "returned_on": fake.date(m.returned) if m.returned else None,
            "from_key_area": fake.boolean(m.key_area),
            "approved": fake.boolean(True) if m.key_area and m.returned else None,
            "isolation_days": m.isolation_days,
            "community_reported": fake.boolean(True) if m.returned else None,
            "health_status": ctx.label("staff_status", "health_status", "isolated" if isolating else "healthy", rng, 0.02),
        }, staff=m)


def no_jump(prev, value, t):
    """Clean data never triggers count-jump: cap a rise at factor x previous, or minimum - 1 more."""
    if prev is not None and value > t["jump_factor"] * prev and value - prev >= t["jump_minimum"]:
        return max(t["jump_factor"] * prev, prev + t["jump_minimum"] - 1)
    return value


def gen_unit_daily(ctx, w):
    fake, rng = ctx.fake("unit_daily"), ctx.rng("unit_daily")
    ids = {u["id"] for u in ctx.units}
    intl = "international" if "international" in ids else None
    students = {u["id"]: sum(1 for s in w.on_campus if s.college is u and s.kind != "international" and not s.isolation)
                for u in ctx.units}
    on_duty = {u["id"]: max(1, round(0.3 * sum(1 for m in w.staff if m.unit is u and m.city == CAMPUS_CITY)))
               for u in ctx.units}
    reporters = {u["id"]: [m.name for m in w.staff if m.unit is u][:2] or [fake.name()] for u in ctx.units}
    skip = set()
    if ctx.demo:  # one or two unit-days simply missing (not an issue)
        skip = {(ctx.dates[4], ctx.units[-5]["id"]), (ctx.dates[9], ctx.units[2]["id"])}
    prev = {}
    for d in ctx.dates:
        arrived = [s for s in w.isolated if s.isolation.start <= d]
        isolated = sum(1 for s in arrived if s.isolation.end >= d)
        for u in ctx.units:
            uid = u["id"]
            if (d, uid) in skip:
                continue
            counts = {"students_on_campus": students[uid], "staff_on_campus": on_duty[uid],
                      "fever": 0, "suspected": 0, "confirmed": 0, "isolated": 0}
            if uid == intl:
                counts["students_on_campus"] = sum(1 for s in w.on_campus if s.kind == "international" and not s.isolation) + len(arrived)
                counts["isolated"] = isolated
            elif uid == "clinic" and rng.random() < 0.2:
                counts["fever"] = 1
            for key in ("students_on_campus", "staff_on_campus"):
                if counts[key] > 3:
                    counts[key] += rng.randint(-2, 2)
            for key in counts:
                counts[key] = no_jump(prev.get((uid, key)), counts[key], ctx.threshold)
                prev[uid, key] = counts[key]
            zero = not any(counts[k] for k in ("fever", "suspected", "confirmed", "isolated"))
            r = rng.random()
            h, m = ((rng.randint(7, 9), rng.randint(0, 59)) if r < 0.86 else
                    (rng.randint(10, 15), rng.randint(5, 59)) if r < 0.93 else (None, None))
            notes = (f"北楼隔离观察{counts['isolated']}人，体温正常" if counts["isolated"] else
                     "发热1人，已转定点医院" if counts["fever"] else rng.choice((None, None, "无")))
            yield Row({"date": fake.date(d, real=0.25), "unit": fake.ref(u), "reporter": rng.choice(reporters[uid]),
                       "submitted_at": fake.datetime(d, h, m) if h is not None else None, **counts,
                       "zero_report": fake.boolean(zero) if zero or rng.random() < 0.7 else None, "notes": notes},
                      date=d, unit=uid, counts=dict(counts), zero=zero)


def gen_isolation_log(ctx, w):
    fake, rng = ctx.fake("isolation_log"), ctx.rng("isolation_log")
    observers = [m.name for m in w.crew][:6] or [fake.name()]
    for d in ctx.dates:
        today = []
        for s in w.isolated:
            iso = s.isolation
            if not iso.start <= d <= iso.end:
                continue
            slots = ((8, 14, 20) if rng.random() < 0.4 else (8, 18))
            for n, hour in enumerate(slots):
                minute = rng.randint(0, 40)
                fever = rng.random() < 0.03
                temp = round(rng.uniform(37.3, 37.8), 1) if fever else fake.temperature()
                today.append(((hour, minute, s.sid), Row({
                    "date": fake.date(d), "time": fake.time(hour, minute), "person_id": s.sid, "name": s.name,
                    "zone": fake.ref(iso.zone, en=0.1), "room": iso.room, "isolation_start": fake.date(iso.start),
                    "temperature": temp, "symptoms": rng.choice(("低热", "咽痛")) if fever else "无",
                    "meals": 1 if n < len(slots) - 1 else 3 - n, "observer": rng.choice(observers),
                }, date=d, person=s.sid, n=len(slots), hour=hour, minute=minute)))
        yield from (row for _, row in sorted(today, key=lambda t: t[0]))


SLOTS = {1: (9,), 2: (8, 16), 3: (7, 12, 18)}


def gen_disinfection_log(ctx, w):
    fake, rng = ctx.fake("disinfection_log"), ctx.rng("disinfection_log")
    operators = [m.name for m in w.crew if m.unit["id"] == "logistics"][:5] or [fake.name()]
    for d in ctx.dates:
        today = []
        for area in ctx.pol.lists["areas"]:
            n = area["times_per_day"]
            hours = SLOTS.get(n) or tuple(7 + (13 * k) // n for k in range(n))
            for hour in hours:
                minute = rng.choice((0, 10, 15, 20, 30, 40))
                conc = None
                if area.get("concentration"):
                    low, high = area["concentration"]
                    conc = rng.choice([v for v in (low + (high - low) * f for f in (0.2, 0.4, 0.5, 0.6, 0.8))])
                    conc = f"{conc:g}mg/L" if rng.random() < 0.1 else int(conc) if conc == int(conc) else conc
                today.append(((hour, minute, area["id"]), Row({
                    "date": fake.date(d), "time": fake.time(hour, minute), "area": fake.ref(area, en=0.05, ident=0.02),
                    "agent": area["agent"]["zh"], "concentration": conc,
                    "ventilation_minutes": area.get("ventilation_minutes"), "operator": rng.choice(operators),
                }, date=d, area=area["id"], hour=hour, minute=minute)))
        yield from (row for _, row in sorted(today, key=lambda t: t[0]))


def round_to(value, scale) -> int:
    """A whole quantity, round tens for items kept by the hundred."""
    return int(round(value, -1 if scale >= 100 else 0))


def gen_supplies(ctx, w):
    fake, rng = ctx.fake("supplies"), ctx.rng("supplies")
    items = ctx.pol.lists["supplies"]
    keepers = [m.name for m in w.staff if m.unit["id"] == "logistics"][:3] or [fake.name()]
    sources = ("purchase", "alumni", "partner", "confucius", "other_donation", "allocation")
    scale = {i["id"]: i["min_stock"] * ctx.scale_use for i in items}  # a bigger campus keeps and uses more
    stock = {i["id"]: round_to(scale[i["id"]] * rng.uniform(2.0, 3.5), i["min_stock"]) for i in items}
    rate = {i["id"]: scale[i["id"]] * 0.12 for i in items}

    def row(d, item, direction, qty, source=None, donor=None):
        cells = {"date": fake.date(d, real=0.3), "item": fake.ref(item, en=0.04, ident=0.02),
                 "direction": ctx.label("supplies", "direction", direction, rng, en=0.04), "quantity": qty,
                 "source": ctx.label("supplies", "source", source, rng, en=0.04) if source else None,
                 "donor": donor, "recorded_by": rng.choice(keepers)}
        return Row(cells, date=d, item=item["id"], direction=direction, qty=qty)

    for k, d in enumerate(ctx.dates):
        for item in items:
            if k % 7 == 0:
                yield row(d, item, "count", stock[item["id"]])
        for item in items:
            iid = item["id"]
            if stock[iid] < 1.6 * scale[iid] and rng.random() < 0.5 or rng.random() < 0.09:
                source = rng.choices(sources, (35, 25, 12, 12, 10, 6))[0]
                donor = rng.choice(_fake.DONORS[source]).format(year=rng.randint(1995, 2015), name=fake.name()) \
                    if source != "purchase" else None
                qty = max(1, round_to(scale[iid] * rng.uniform(0.8, 2.5), item["min_stock"]))
                stock[iid] += qty
                yield row(d, item, "in", qty, source, donor)
        for item in items:
            iid = item["id"]
            if rate[iid] >= 5 or rng.random() < 0.3:
                qty = min(stock[iid], max(1, round(rate[iid] * rng.uniform(0.6, 1.4))))
                if qty > 0:
                    stock[iid] -= qty
                    yield row(d, item, "out", qty)


def gen_gate_log(ctx, w):
    fake, rng = ctx.fake("gate_log"), ctx.rng("gate_log")
    gates = ctx.pol.lists["gates"]
    people = {"student": [s for s in w.on_campus if not s.isolation] or w.students[:1],  # not those in isolation
              "staff": [m for m in w.staff if m.city == CAMPUS_CITY] or w.staff}
    kinds = ["staff"] * 9 + ["student"] * 4 + ["delivery"] * 5 + ["visitor"] * 2  # weighted pools: fast to draw
    gate_pool = [g for g, n in zip(gates, [5, 3, 2] + [1] * len(gates)) for _ in range(n)]
    fever_at = ctx.threshold["fever"]
    for d in ctx.dates:
        n = rng.randint(int(ctx.gate_per_day * 0.8), int(ctx.gate_per_day * 1.2))
        for minute in sorted(rng.randrange(6 * 60, 22 * 60) for _ in range(n)):
            kind = rng.choice(kinds)
            if kind in people:
                p = rng.choice(people[kind])
                pid, name = p.sid, p.name
            else:
                pid, name = (fake.masked_id() if rng.random() < 0.8 else None), fake.name()
            temp = round(rng.uniform(fever_at, 38.2), 1) if rng.random() < 0.004 else fake.temperature(35.8, 37.1)
            approved = None
            if kind in ("visitor", "delivery"):
                approved = rng.random() < (0.85 if kind == "visitor" else 0.97)
            elif rng.random() < 0.1:
                approved = True
            admitted = (approved is not False) and not (isinstance(temp, float) and temp >= fever_at)
            yield Row({"time": fake.datetime(d, minute // 60, minute % 60, real=0.15),
                       "gate": fake.ref(rng.choice(gate_pool)),
                       "person_type": ctx.label("gate_log", "person_type", kind, rng, en=0.03),
                       "person_id": pid, "name": name, "temperature": temp,
                       "approved": None if approved is None else fake.boolean(approved),
                       "admitted": fake.boolean(admitted)},
                      kind=kind, admitted=admitted, approved=approved, fever=not isinstance(temp, str) and temp >= fever_at)


def gen_duty_roster(ctx, w):
    fake, rng = ctx.fake("duty_roster"), ctx.rng("duty_roster")
    units = [u for u in ctx.units if u["id"] in DUTY_UNITS] or ctx.units[:5]
    rota = {u["id"]: [m for m in w.staff if m.unit is u] or w.staff[:3] for u in units}
    offsets = {m.sid: k for k, m in enumerate(w.staff)}
    for d in ctx.dates:
        for shift in ("day", "night"):
            for u in units:
                m = rng.choice(rota[u["id"]])
                yield Row({"date": fake.date(d), "shift": ctx.label("duty_roster", "shift", shift, rng, en=0.05),
                           "unit": fake.ref(u), "person": m.name,
                           "phone": fake.phone(offsets.get(m.sid, 0), 13900000000)}, date=d, shift=shift, unit=u["id"],
                          isolating=bool(m.returned) and (ctx.dates[-1] - m.returned).days < ctx.threshold["isolation_days"])


GENERATORS = {"student_roster": gen_student_roster, "staff_status": gen_staff_status, "unit_daily": gen_unit_daily,
              "isolation_log": gen_isolation_log, "disinfection_log": gen_disinfection_log,
              "supplies": gen_supplies, "gate_log": gen_gate_log, "duty_roster": gen_duty_roster}


def build_sheets(ctx: Ctx, world) -> list:
    """[(name, schema, rows, extra headers, sheet-level marks)], rows a list (demo) or an iterator (bench)."""
    sheets = []
    for name, schema in ctx.pol.schemas.items():
        gen = GENERATORS.get(name)
        rows = gen(ctx, world) if gen else iter(())
        sheet = SimpleNamespace(name=name, schema=schema, rows=rows, extra=[], marks=[])
        if ctx.demo:
            sheet.rows = list(rows)
            _mistakes.inject(ctx, sheet, random.Random(f"{ctx.seed}:mistakes:{name}"))
        sheets.append(sheet)
    return sheets


# --- command line ------------------------------------------------------------------------------

def demo(args):
    pol = load_policies()
    ctx = Ctx(pol, args.seed, DEMO_START, DEMO_DAYS, demo=True)
    world = build_world(ctx, n_students=600, n_staff=150, n_isolated=10)
    sheets = build_sheets(ctx, world)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    notes = list(_fake.INSTRUCTIONS)
    _write.write_xlsx(out / "demo.xlsx", sheets, notes)
    _write.write_csv(out / "demo_csv", sheets, notes)
    manifest = _write.manifest(sheets, notes_tab="说明")
    (out / "demo-expected.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out / 'demo.xlsx'}, {out / 'demo_csv'}/, {out / 'demo-expected.json'} ({len(manifest)} expected issues)")


def estimate_cells(students, staff, isolated, gate, days, units=15, areas=17, duty=12):
    return (students * 15 + staff * 11 + isolated * 14 * 2.4 * 11 + gate * days * 8
            + days * (units * 12 + areas * 7 + duty * 5 + 14 * 7))


def bench(args):
    pol = load_policies()
    students, gate = args.students, args.gate_per_day
    if args.cells:  # scale the roster and the logs together to reach about that many cells
        for _ in range(4):
            staff, isolated = max(20, students // 8), max(7, students // 500)
            factor = args.cells / estimate_cells(students, staff, isolated, gate, args.days)
            students, gate = max(50, round(students * factor)), max(10, round(gate * factor))
    if args.format == "xlsx" and max(students, 1.2 * gate * args.days) > XLSX_ROWS:
        raise SystemExit(f"the gate log or roster would pass the {XLSX_ROWS:,}-row limit of an xlsx sheet: use --format csv")
    ctx = Ctx(pol, args.seed, dt.date.fromisoformat(args.start), args.days, demo=False,
              gate_per_day=gate, scale_use=max(1.0, students / 600))
    began = time.perf_counter()
    world = build_world(ctx, students, max(20, students // 8), max(7, students // 500))
    sheets = build_sheets(ctx, world)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.format == "csv":
        sizes = _write.write_csv(out, sheets)
    else:
        sizes = _write.write_xlsx(out / "bench.xlsx", sheets, constant_memory=args.strings == "inline")
    total = 0
    for (name, rows, cols) in sizes:
        total += (rows + 1) * cols
        print(f"{name:18} {rows:>10,} rows x {cols:>2} columns = {(rows + 1) * cols:>12,} cells")
    print(f"{'total':18} {total:>42,} cells in {time.perf_counter() - began:.1f} s "
          f"({students:,} students, {gate:,} gate entries a day, {args.days} days) -> {out}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="the demo workbook with deliberate mistakes and its manifest")
    d.add_argument("--out", default=str(Path(__file__).resolve().parent), help="folder (default: examples/)")
    d.add_argument("--seed", type=int, default=1)
    b = sub.add_parser("bench", help="large clean data for benchmarks",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    b.add_argument("--out", required=True, help="folder for <title>.csv files or bench.xlsx")
    b.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    b.add_argument("--strings", choices=("inline", "shared"), default="inline",
                   help="xlsx only: inline strings (xlsxwriter's constant_memory mode) or a shared-string table, as Excel writes")
    b.add_argument("--students", type=int, default=20000)
    b.add_argument("--days", type=int, default=90)
    b.add_argument("--gate-per-day", type=int, default=3000)
    b.add_argument("--start", default=DEMO_START.isoformat(), help="first date")
    b.add_argument("--cells", type=int, help="scale students and gate entries to about this many cells in total")
    b.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    (demo if args.command == "demo" else bench)(args)


if __name__ == "__main__":
    main()
