"""Deliberate mistakes for the demo workbook, each recorded on its row for demo-expected.json.

Rules kept here so that the manifest is exactly what the validator reports:
- every mistake sits in its own row, and never in a row another check leans on
  (the previous report before a count jump, a stock movement, a reading a person needs);
- a row with an error is dropped from cross-row checks, so mistakes in the disinfection
  log and the supplies ledger are extra rows, and isolation-log mistakes sit on
  person-days with three readings (two remain).
"""
from __future__ import annotations

import datetime as dt

CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """12 -> 十二, 40 -> 四十 (a count typed in words: not a number for the parser)."""
    tens, ones = divmod(n, 10)
    return ((CN_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "") + (CN_DIGITS[ones] if ones or not tens else ""))


def inject(ctx, sheet, rng) -> None:
    handler = globals().get("_" + sheet.name)
    if handler:
        handler(ctx, sheet, rng)


def _pick(rows, rng, test=lambda row: True):
    """A random clean row passing test; it is then taken (no second mistake lands on it)."""
    choices = [r for r in rows if r is not None and not r.meta.get("taken") and test(r)]
    if not choices:
        raise RuntimeError("no row left for a deliberate mistake; change the seed or the sizes")
    row = rng.choice(choices)
    row.meta["taken"] = True
    return row


def _copy(row, **cells):
    new = type(row)({**row.cells, **cells}, **{k: v for k, v in row.meta.items() if k != "taken"})
    new.meta["taken"] = True
    return new


def _unit_daily(ctx, sheet, rng):
    rows = sheet.rows
    t = ctx.threshold
    runs = {}
    for row in rows:
        runs.setdefault(row.meta["unit"], []).append(row)

    def jump(uid, field, note):
        run = runs[uid]
        k = rng.choice([k for k in range(2, len(run) - 1) if not any(r.meta.get("taken") for r in run[k - 1:k + 2])])
        before, row = run[k - 1], run[k]
        was = before.meta["counts"][field]
        value = max(row.meta["counts"][field] * 10, was * t["jump_factor"] + 1, was + t["jump_minimum"])
        row.cells[field] = value
        row.mark("count-jump", field, note.format(was=was, now=value))
        if uid == "international" and field == "isolated":   # the isolation log still has the true count
            row.mark("isolated-vs-isolation-log", field, f"reported {value}; the isolation log keeps the true count")
        for r in run[k - 1:k + 2]:  # the previous report stays clean, and so does the next one
            r.meta["taken"] = True

    if "international" in runs:
        jump("international", "isolated", "isolated {now} typed with an extra zero (previous report {was})")
    college = ctx.units[-4]["id"] if len(ctx.units) > 4 else ctx.units[0]["id"]
    jump(college, "staff_on_campus", "staff on campus {now}, previous report {was}")
    for field in ("fever", "isolated"):
        row = _pick(rows, rng, lambda r: r.meta["zero"] and r.meta["unit"] not in ("international", "clinic"))
        row.cells[field] = 1
        row.mark("zero-report-not-zero", "zero_report", f"zero report ticked although {field} is 1")
    row = _pick(rows, rng, lambda r: 1 <= r.meta["counts"]["students_on_campus"] <= 99)
    row.cells["students_on_campus"] = chinese_number(row.meta["counts"]["students_on_campus"])
    row.mark("type-error", "students_on_campus", f"students on campus written in words: {row.cells['students_on_campus']}")
    row = _pick(rows, rng, lambda r: r.meta["counts"]["students_on_campus"] > 0)
    row.cells["students_on_campus"] = "#REF!"
    row.mark("spreadsheet-error", "students_on_campus", "#REF! left by a formula whose source was deleted")
    row = _pick(rows, rng)
    row.cells["reporter"] = None
    row.mark("missing-value", "reporter", "reporter left blank")
    row = _pick(rows, rng)
    row.cells["unit"] = "外语学院"
    row.mark("unknown-reference", "unit", "unit 外语学院 is not in the list of units")
    # The School of English reports twice, the second time under its English name.
    english = next((u for u in ctx.units if u["id"] == "english"), ctx.units[-1])
    original = _pick(rows, rng, lambda r: r.meta["unit"] == english["id"] and r.meta["date"] != ctx.dates[-1])
    d = original.meta["date"]
    dup = _copy(original, unit=english["en"], date=f"{d.year}/{d.month}/{d.day}",
                submitted_at=f"{d.isoformat()} 11:{rng.randint(10, 50)}")
    dup.mark("duplicate-key", "date", f"{english['zh']} reported twice on {d}, the second time as '{english['en']}'")
    last = max(k for k, r in enumerate(rows) if r.meta["date"] == d)
    rows.insert(last + 1, dup)


def _student_roster(ctx, sheet, rng):
    rows = sheet.rows
    row = _pick(rows, rng)
    row.cells["student_id"] = "O" + row.cells["student_id"][1:]
    row.mark("pattern-mismatch", "student_id", "letter O typed for the leading zero of the student ID")
    batches = {b["id"]: b for b in ctx.pol.lists.get("batches", [])}
    for bid, spell in (("b1", "{d}"), ("b2", "{y}年{m}月{day}日")):
        b = batches.get(bid) or next(iter(batches.values()))
        when = b["date"] if isinstance(b["date"], dt.date) else dt.date.fromisoformat(str(b["date"]))
        row = _pick(rows, rng, lambda r: r.meta["student"].batch == b["id"] and not r.cells["returned_on"])
        row.cells["returned_on"] = spell.format(d=when.isoformat(), y=when.year, m=when.month, day=when.day)
        row.mark("future-date", "returned_on", f"planned return date of batch {b['id']} typed as the return date")
    original = _pick(rows, rng, lambda r: rows.index(r) < len(rows) * 0.7)
    dup = _copy(original, updated_on=ctx.dates[-1].isoformat())
    dup.mark("duplicate-key", "student_id", "the same student entered a second time further down")
    rows.insert(len(rows) - rng.randint(5, 40), dup)


def _staff_status(ctx, sheet, rng):
    rows = sheet.rows
    returned = lambda r: r.meta["staff"].key_area and r.meta["staff"].returned  # noqa: E731
    row = _pick(rows, rng, returned)
    row.cells["approved"] = "否"
    row.mark("unapproved-return", "approved", "back from the key area without approval")
    row = _pick(rows, rng, returned)
    row.cells["approved"] = None
    row.mark("missing-value", "approved", "back from the key area, approval left blank")
    row = _pick(rows, rng, lambda r: r.cells["isolation_days"])
    row.cells["isolation_days"] = 30
    row.mark("out-of-range", "isolation_days", "isolation days 30 (at most 28)")
    row = _pick(rows, rng)
    row.cells["health_status"] = "良好"
    row.mark("not-in-list", "health_status", "health status 良好 is not one of the labels")
    sheet.extra = ["备用"]
    for note in ("已电话核实", "待补充材料", "已电话核实"):
        _pick(rows, rng).cells["备用"] = note


def _isolation_log(ctx, sheet, rng):
    rows = sheet.rows
    days = {}
    for row in rows:
        days.setdefault((row.meta["date"], row.meta["person"]), []).append(row)

    def person_day(n, test=lambda r: True):
        key = rng.choice(sorted(k for k, g in days.items() if len(g) == n and all(test(r) for r in g)
                                and not any(r.meta.get("taken") for r in g)))
        for r in days[key]:
            r.meta["taken"] = True
        return days[key]

    first, second = person_day(2)
    rows.remove(second)
    first.mark("too-few-readings", "person_id", f"only one reading on {first.meta['date']}")
    if not any(isinstance(r.cells["temperature"], float) and r.cells["temperature"] >= ctx.threshold["fever"] for r in rows):
        row = _pick(rows, rng)  # a fever under isolation is no mistake: the log exists to catch it
        row.cells.update(temperature=round(ctx.threshold["fever"] + 0.2, 1), symptoms="低热")
    row = person_day(3)[1]
    d = row.meta["date"]
    row.cells["date"] = f"{d.year}-{d.month:02d}-30" if d.month == 2 else f"{d.year}-{d.month:02d}-32"
    row.mark("type-error", "date", f"date {row.cells['date']} does not exist")
    row = person_day(3)[2]
    row.cells["meals"] = 5
    row.mark("out-of-range", "meals", "5 meals delivered (at most 3)")
    row = person_day(3)[0]
    row.cells["isolation_start"] = (row.meta["date"] + dt.timedelta(days=rng.randint(2, 9))).isoformat()
    row.mark("isolation-start-after-date", "isolation_start", "isolation start typed later than the reading date")
    row = person_day(3, lambda r: isinstance(r.cells["temperature"], float))[1]
    row.cells["temperature"] = round(row.cells["temperature"] * 10)
    row.mark("decimal-slip", "temperature", f"temperature {row.cells['temperature']} typed without the decimal point")
    original = _pick(rows, rng, lambda r: ":" in r.cells["time"])
    h, m = original.meta["hour"], original.meta["minute"]
    dup = _copy(original, time=f"{h}点{m}分")
    dup.mark("duplicate-key", "date", f"the same reading entered twice, time written {h:02d}:{m:02d} and {h}点{m}分")
    rows.insert(rows.index(original) + 1, dup)


def _disinfection_log(ctx, sheet, rng):
    rows = sheet.rows
    plan = {a["id"]: a for a in ctx.pol.lists["areas"]}
    groups = {}
    for row in rows:
        groups.setdefault((row.meta["date"], row.meta["area"]), []).append(row)

    def group(test):
        key = rng.choice(sorted(k for k, g in groups.items() if test(plan[k[1]]) and not any(r.meta.get("taken") for r in g)))
        for r in groups[key]:
            r.meta["taken"] = True
        return key, groups[key]

    (d, area), g = group(lambda a: a["times_per_day"] >= 2)
    rows.remove(rng.choice(g))
    sheet.marks.append(("disinfection-below-plan", f"{area} done {len(g) - 1} of {len(g)} times on {d}"))
    (d, area), g = group(lambda a: a["times_per_day"] == 1)
    rows.remove(g[0])
    sheet.marks.append(("disinfection-below-plan", f"{area} not done at all on {d}"))
    for factor, hour in ((6, 10), (0.2, 14)):  # an extra round with the stock solution, and one far too weak
        (d, area), g = group(lambda a: a.get("concentration") and a["times_per_day"] >= 2)
        low, high = plan[area]["concentration"]
        value = round(high * factor) if factor > 1 else round(low * factor)
        extra = _copy(g[0], time=f"{hour:02d}:30", concentration=value)
        extra.mark("concentration-outside-plan", "concentration", f"extra round at {value} mg/L (plan {low}-{high})")
        rows.insert(rows.index(g[-1]) + 1, extra)


def _supplies(ctx, sheet, rng):
    rows = sheet.rows
    items = {i["id"]: i for i in ctx.pol.lists["supplies"]}
    label = lambda field, ident: ctx.pol.labels["supplies"][field][ident]["zh"]  # noqa: E731

    def extra(k, item_text, direction, qty, source=None, donor=None):
        d = ctx.dates[k]
        row = type(rows[0])({"date": d.isoformat(), "item": item_text, "direction": label("direction", direction),
                             "quantity": qty, "source": source and label("source", source), "donor": donor,
                             "recorded_by": rows[0].cells["recorded_by"]}, date=d, taken=True)
        rows.insert(max(i for i, r in enumerate(rows) if r.meta["date"] == d) + 1, row)
        return row

    suit = "protective_suit" if "protective_suit" in items else next(iter(items))
    k = round(len(ctx.dates) * 0.6)
    stock = 0
    for r in rows:
        if r.meta["date"] > ctx.dates[k] or r.meta.get("item") != suit:
            continue
        stock = r.meta["qty"] if r.meta["direction"] == "count" else stock + (r.meta["qty"] if r.meta["direction"] == "in" else -r.meta["qty"])
    qty = stock + rng.randint(20, 60)
    extra(k, items[suit]["zh"], "out", qty).mark(
        "stock-below-zero", "quantity", f"{qty} {suit} issued with {stock} in stock")
    mask = next(i for i in items if i != suit)
    extra(3, items[mask]["zh"], "in", 2000, None, "2009届校友（匿名）").mark(
        "missing-value", "source", "donation received without its source")
    extra(5, "额温枪", "in", 20, "partner", "首尔示例大学").mark(
        "unknown-reference", "item", "item 额温枪 is not in the supplies catalogue")
    gloves = "gloves" if "gloves" in items and "gloves" != suit else mask
    extra(8, items[gloves]["zh"], "out", "#VALUE!").mark(
        "spreadsheet-error", "quantity", "#VALUE! from a broken formula")


def _gate_log(ctx, sheet, rng):
    rows = sheet.rows
    normal = lambda r: r.meta["admitted"] and not r.meta["fever"] and isinstance(r.cells["temperature"], float)  # noqa: E731
    row = _pick(rows, rng, lambda r: normal(r) and r.meta["kind"] in ("staff", "student"))
    row.cells["temperature"] = round(ctx.threshold["fever"] + 0.3, 1)
    row.mark("fever-admitted", "admitted", f"{row.cells['temperature']} ℃ and let in")
    row = _pick(rows, rng, lambda r: normal(r) and r.meta["kind"] == "visitor")
    row.cells["approved"] = "否"
    row.mark("admitted-without-approval", "admitted", "visitor without approval let in")
    for value, code, note in (("正常", "type-error", "temperature written as 正常 (normal)"),
                              (33.5, "out-of-range", "forehead reading 33.5 in the cold, below 34"),
                              ("#N/A", "spreadsheet-error", "#N/A from a lookup formula")):
        row = _pick(rows, rng, lambda r: normal(r) and r.meta["kind"] in ("staff", "student"))
        row.cells["temperature"] = value
        row.mark(code, "temperature", note)
    row = _pick(rows, rng, normal)
    row.cells["temperature"] = round(row.cells["temperature"] / 10, 3)
    row.mark("decimal-slip", "temperature", f"temperature {row.cells['temperature']} with the point one place off")
    row = _pick(rows, rng, lambda r: normal(r) and r.meta["kind"] == "delivery")
    row.cells["person_type"] = "快递员"
    row.mark("not-in-list", "person_type", "person type 快递员 (courier) is not one of the labels")
    row = _pick(rows, rng, normal)
    row.cells["gate"] = "北门"
    row.mark("unknown-reference", "gate", "gate 北门 (north gate) is not in the list of gates")
    rows.insert(len(rows) // 2, None)  # a fully blank row in the middle: skipped silently


def _duty_roster(ctx, sheet, rng):
    row = _pick(sheet.rows, rng)
    row.cells["shift"] = "中班"
    row.mark("not-in-list", "shift", "shift 中班 (middle shift) is not one of the labels")
    # Not typed on purpose: the rota drew a person whom staff status has in isolation on the last day.
    for row in sheet.rows:
        if row.meta["date"] == ctx.dates[-1] and row.meta["isolating"] and not row.marks:
            row.mark("duty-person-unwell", "person", "on duty on the last day while staff status says isolated")
